"""The web dashboard on the local host, in Debian's Chromium (Playwright): the first page's bytes on the wire
(compressed, as the browser received them) and the time to a usable board for a team leader whose team has
leads (navigation start → the board's columns filled with the team's cards).

Bytes come from the DevTools protocol (`Network.loadingFinished.encodedDataLength`: headers + body as transferred),
with a cold cache. Times are medians of fresh browser contexts, each with its own empty cache.
"""

from __future__ import annotations

import shutil
import statistics
from typing import Any

from bench.common import REPO, Run, Target, bench_settings, figure, not_measured, sqlite_database

SECTION = "web"
FIRST_PAGE = Target("<=", 200 * 1024, "≤ 200 KB")
DIST = REPO / "web" / "dist"
PASSWORD = "demo-password-change-me"  # the demo team's (crm_core.cli.demo)
READY = """
window.__boardReadyAt = null;
new MutationObserver((_, obs) => {
  if (document.querySelector('.board[data-ready] .lead-card')) {
    window.__boardReadyAt = performance.now();
    obs.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return None


class _Wire:
    """Bytes received per page load, from the DevTools protocol."""

    def __init__(self, context: Any, page: Any) -> None:
        self.bytes = 0
        self.requests = 0
        self.by_type: dict[str, int] = {}
        self._types: dict[str, str] = {}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def _response(self, event: dict[str, Any]) -> None:
        self._types[event["requestId"]] = event.get("type", "Other")

    def _finished(self, event: dict[str, Any]) -> None:
        size = int(event.get("encodedDataLength") or 0)
        kind = self._types.get(event["requestId"], "Other")
        self.bytes += size
        self.requests += 1
        self.by_type[kind] = self.by_type.get(kind, 0) + size


def _seed(db: Any, leads_per_member: int) -> None:
    from sqlalchemy import select

    from bench.seed import bulk_leads
    from crm_core.cli.demo import seed_demo
    from crm_core.db.models import User

    with db.transaction() as session:
        seed_demo(session)
        members = [u.id for u in session.scalars(select(User).where(User.role == "member"))]
    for member in members:
        bulk_leads(db, member, leads_per_member)


def measure(run: Run) -> None:
    """First page bytes (compressed) and time to a usable board, on the local host."""
    chromium = _chromium()
    reason = None
    if not (DIST / "index.html").is_file():
        reason = "the built dashboard (make web) is not available"
    elif chromium is None:
        reason = "Chromium (apt-get install -y chromium) is not available"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not available"
    if reason:
        run.add(not_measured(SECTION, "first page bytes (compressed)", reason, FIRST_PAGE))
        run.add(not_measured(SECTION, "time to a usable board", reason))
        return
    assert chromium is not None
    leads_per_member = 10 if run.quick else 100
    loads = 2 if run.quick else 7
    with sqlite_database(run, "web") as db:
        _measure(run, db, chromium, leads_per_member, loads)


def _measure(run: Run, db: Any, chromium: str, leads_per_member: int, loads: int) -> None:
    import requests
    from playwright.sync_api import sync_playwright

    from crm_core.clock import SystemClock
    from crm_core.composition import Container, set_container
    from crm_core.localhost import LocalHost

    _seed(db, leads_per_member)
    settings = bench_settings(str(db.engine.url), LOGIN_RATE_PER_CLIENT=1000)
    container = Container(settings, database=db, clock=SystemClock())
    host = LocalHost(container=container, timers=False, queues=False, web_root=DIST)
    url = host.start()
    try:
        login = requests.post(f"{url}/api/login", json={"username": "priya", "password": PASSWORD}, timeout=60).json()
        session = {"token": login["token"], "expiresAt": login["expires_at"], "user": login["user"]}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
            try:
                first = _first_page(browser, url)
                board = [_board(browser, url, session) for _ in range(loads)]
            finally:
                browser.close()
    finally:
        host.stop()
        set_container(None)
    wire, requests_n, kinds = first
    parts = ", ".join(f"{k} {v:,} B" for k, v in kinds.items())
    run.add(
        figure(
            SECTION,
            "first page bytes (compressed)",
            wire,
            "B",
            FIRST_PAGE,
            f"the log-in page, cold cache: {requests_n} requests ({parts})",
        )
    )
    times = [t for t, _, _ in board]
    leads = board[0][2]
    run.add(
        figure(
            SECTION,
            "time to a usable board (median)",
            round(statistics.median(times), 1),
            "ms",
            note=f"team leader, {leads:,} team leads on the board, cold cache, {loads} loads; "
            f"min {min(times):.0f} / max {max(times):.0f} ms",
        ),
        figure(
            SECTION,
            "board load bytes (compressed)",
            board[0][1],
            "B",
            note="app + the API's JSON (pipeline and every member's leads), as transferred",
        ),
    )


def _first_page(browser: Any, url: str) -> tuple[int, int, dict[str, int]]:
    context = browser.new_context(locale="en-IN", timezone_id="Asia/Kolkata")
    page = context.new_page()
    wire = _Wire(context, page)
    page.goto(f"{url}/", wait_until="networkidle")
    page.wait_for_selector("#login-id")
    context.close()
    return wire.bytes, wire.requests, wire.by_type


def _board(browser: Any, url: str, session: dict[str, Any]) -> tuple[float, int, int]:
    import json

    context = browser.new_context(locale="en-IN", timezone_id="Asia/Kolkata", viewport={"width": 1366, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('crm.session', {json.dumps(json.dumps(session))});")
    context.add_init_script(READY)
    page = context.new_page()
    wire = _Wire(context, page)
    page.goto(f"{url}/#/board")
    page.wait_for_function("() => window.__boardReadyAt !== null", timeout=60_000)
    ready = float(page.evaluate("() => window.__boardReadyAt"))
    page.wait_for_load_state("networkidle")
    text = page.locator(".page-head .muted").inner_text()
    leads = int("".join(ch for ch in text.split(" lead")[0] if ch.isdigit()) or 0)
    context.close()
    return ready, wire.bytes, leads
