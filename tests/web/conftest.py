"""Fixtures for the dashboard's tests: the built assets, a local host with the demo team, Debian's Chromium driven by
Playwright (never a downloaded browser), an axe-core check injected into the page, and a screenshot of each page
kept under test-artifacts/web/ (WEB_ARTIFACTS overrides)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import IN_CI, FakeChannel

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "web" / "dist"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("WEB_ARTIFACTS") or REPO / "test-artifacts" / "web")
PASSWORD = "demo-password-change-me"  # the demo team's (crm_core.cli.demo)
PHONES = {
    "admin": "919800000000",
    "priya": "919800000001",
    "amit": "919800000002",
    "neha": "919800000003",
    "rahul": "919800000004",
}


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; in CI the browser tests must run, so it is a failure."""
    if IN_CI:
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """CHROMIUM_PATH, else Debian's chromium on PATH."""
    env = os.environ.get("CHROMIUM_PATH")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def dist() -> Path:
    """The built dashboard (built now with npm when the packages are installed but the build is missing)."""
    if not (DIST / "index.html").is_file():
        if not (REPO / "node_modules" / ".bin" / "esbuild").exists():
            _unavailable("the dashboard is not built and node_modules is missing: run `make web`")
        subprocess.run(["npm", "run", "-s", "build:web"], cwd=REPO, check=True, timeout=300)
    return DIST


@dataclass
class Site:
    """A running local host with the demo team; `webhook()` talks as a team member on WhatsApp."""

    url: str
    secret: str
    host: Any
    container: Any

    def webhook(self, who: str, text: str, *, drain: bool = True) -> None:
        """POST a Maytapi-shaped message from a demo user's phone, then wait until it is processed."""
        phone = PHONES[who]
        body = {
            "type": "message",
            "message": {"id": uuid.uuid4().hex, "type": "text", "text": text, "fromMe": False},
            "user": {"id": f"{phone}@c.us", "name": who, "phone": phone},
            "conversation": f"{phone}@c.us",
            "timestamp": int(time.time()),
        }
        res = requests.post(f"{self.url}/api/webhook", params={"secret": self.secret}, json=body, timeout=10)
        assert res.status_code == 200, res.text
        if drain:
            assert self.host.drain(30), "the queue did not drain"

    def token(self, who: str) -> str:
        """A bearer token for a demo user (through the API, like the dashboard)."""
        res = requests.post(f"{self.url}/api/login", json={"username": who, "password": PASSWORD}, timeout=30)
        assert res.status_code == 200, res.text
        return str(res.json()["token"])

    def api(self, who: str, path: str, **params: Any) -> Any:
        """GET an API path as a demo user."""
        res = requests.get(
            f"{self.url}/api{path}", params=params, headers={"Authorization": f"Bearer {self.token(who)}"}, timeout=30
        )
        assert res.status_code == 200, res.text
        return res.json()


@pytest.fixture(scope="module")
def site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The local host on a free port: the app, its queue runner (in memory), the dashboard at /, the demo team."""
    from crm_core.cli.demo import seed_demo
    from crm_core.clock import SystemClock
    from crm_core.composition import Container, set_container
    from crm_core.db.migrate import upgrade
    from crm_core.db.session import Database
    from crm_core.localhost import LocalHost
    from crm_core.settings import load_settings

    path = tmp_path_factory.mktemp("web") / "crm.db"
    settings = load_settings(
        DATABASE_URL=f"sqlite:///{path}",
        WEBHOOK_SECRET="web-test-webhook-secret",
        AUTH_SECRET="web-test-auth-secret-0123456789abcdef0123",
        CHANNEL="console",
        QUEUE_BACKEND="memory",
        ORDERING_WINDOW_SECONDS=0,
        LOGIN_RATE_PER_CLIENT=1000,
        LOGIN_RATE_GLOBAL=1000,
    )
    db = Database(settings.database_url)
    upgrade(db.engine)
    container = Container(settings, database=db, clock=SystemClock(), whatsapp=FakeChannel())
    with db.transaction() as session:
        seed_demo(session, settings.default_region)
    host = LocalHost(container=container, timers=False, web_root=dist, visibility_timeout=0.2)
    url = host.start()
    try:
        yield Site(url, settings.webhook_secret or "", host, container)
    finally:
        host.stop()
        set_container(None)
        db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, without the sandbox (CI runs as root)."""
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


def new_page(browser: Any, *, mobile: bool = False) -> Any:
    """A fresh context (its own sessionStorage) in India's locale and time zone; a phone's size when mobile."""
    size = {"width": 390, "height": 844} if mobile else {"width": 1366, "height": 900}
    context = browser.new_context(
        viewport=size,
        locale="en-IN",
        timezone_id="Asia/Kolkata",
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=2 if mobile else 1,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Uncaught exceptions and console errors; an HTTP error status is the browser's own line ("Failed to load
    # resource"), which tests that expect a 401/404 check themselves.
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load") else None,
    )
    page.js_errors = errors
    return page


def login(page: Any, site: Site, who: str) -> None:
    """Log in through the form, as a person would, and wait for the board."""
    page.goto(f"{site.url}/")
    page.get_by_label("Username or phone number").fill(who)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".board[data-ready]", timeout=20_000)


def screenshot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (npm axe-core, injected into the page) for WCAG 2 A/AA; the violations of these impacts."""
    if not AXE.is_file():
        _unavailable("node_modules/axe-core is missing: run npm ci")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's own Content-Security-Policy (script-src 'self') stays on.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in result if v["impact"] in impacts]
