"""The dashboard's static files as the local host serves them (crm_core.web.static), without a browser: the index at
/, hashed assets cached for good, brotli/gzip chosen by Accept-Encoding, ETags and 304, security headers, nothing
outside the build directory, /api untouched."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import requests

from crm_core.web.static import CSP, StaticSite, accepted


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A small build: index.html, a hashed asset with its .gz/.br copies, a file beside the build."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>CRM</title>" + " " * 400, encoding="utf-8")
    js = b"console.log('hello');" * 40
    (root / "assets" / "app-ABC123.js").write_bytes(js)
    (root / "assets" / "app-ABC123.js.gz").write_bytes(gzip.compress(js))
    (root / "assets" / "app-ABC123.js.br").write_bytes(b"pretend-brotli")
    (root / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return root


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def test_the_index_is_served_at_the_root_and_for_app_paths(build: Path) -> None:
    site = StaticSite(build)
    for path in ("/", "/index.html", "/board", "/lead/12?x=1"):
        status, headers, body = site.serve("GET", path)
        assert status == 200 and body.startswith(b"<!doctype html>"), path
        assert header(headers, "Content-Type") == "text/html; charset=utf-8"
        assert header(headers, "Cache-Control") == "no-cache"
        assert header(headers, "Content-Security-Policy") == CSP
        assert header(headers, "X-Content-Type-Options") == "nosniff"
        assert header(headers, "X-Frame-Options") == "DENY"


def test_hashed_assets_are_immutable_and_compressed_by_accept_encoding(build: Path) -> None:
    site = StaticSite(build)
    status, headers, body = site.serve("GET", "/assets/app-ABC123.js", [("Accept-Encoding", "gzip, deflate, br")])
    assert status == 200 and body == b"pretend-brotli" and header(headers, "Content-Encoding") == "br"
    assert header(headers, "Cache-Control") == "public, max-age=31536000, immutable"
    assert header(headers, "Vary") == "Accept-Encoding"
    assert header(headers, "Content-Type") == "text/javascript; charset=utf-8"
    status, headers, body = site.serve("GET", "/assets/app-ABC123.js", [("Accept-Encoding", "gzip, br;q=0")])
    assert header(headers, "Content-Encoding") == "gzip" and gzip.decompress(body).startswith(b"console.log")
    status, headers, body = site.serve("GET", "/assets/app-ABC123.js")
    assert header(headers, "Content-Encoding") is None and body.startswith(b"console.log")
    assert accepted("gzip;q=0, br") == {"br"}


def test_etags_answer_304(build: Path) -> None:
    site = StaticSite(build)
    _, headers, _ = site.serve("GET", "/assets/app-ABC123.js", [("Accept-Encoding", "gzip")])
    etag = header(headers, "ETag")
    assert etag and etag.endswith('-gzip"')
    status, headers, body = site.serve(
        "GET", "/assets/app-ABC123.js", [("Accept-Encoding", "gzip"), ("If-None-Match", etag)]
    )
    assert status == 304 and body == b""
    # Another coding has another tag: no 304 for it
    status, _, _ = site.serve("GET", "/assets/app-ABC123.js", [("If-None-Match", etag)])
    assert status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/app-ABC123.js.gz",
        "/.env",
        "/assets/missing.js",
        "/a\\..\\secret.txt",
        "/x%00.js",
    ],
)
def test_nothing_outside_the_build_is_served(build: Path, path: str) -> None:
    status, _, body = StaticSite(build).serve("GET", path)
    assert status == 404 and b"outside" not in body


def test_only_get_and_head(build: Path) -> None:
    status, headers, _ = StaticSite(build).serve("POST", "/")
    assert status == 405 and header(headers, "Allow") == "GET, HEAD"


def test_a_missing_build_says_how_to_build_it(tmp_path: Path) -> None:
    status, _, body = StaticSite(tmp_path / "nothing").serve("GET", "/")
    assert status == 503 and b"make web" in body


def test_the_local_host_serves_the_dashboard_at_the_root_and_the_api_under_api(container, build: Path) -> None:
    from crm_core.localhost import LocalHost

    with LocalHost(container=container, timers=False, queues=False, web_root=build) as host:
        root = requests.get(f"{host.url}/", timeout=10)
        assert root.status_code == 200 and "<title>CRM</title>" in root.text
        assert root.headers["Content-Security-Policy"] == CSP
        asset = requests.get(f"{host.url}/assets/app-ABC123.js", headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert asset.status_code == 200 and asset.headers["Content-Encoding"] == "gzip"
        assert asset.text.startswith("console.log")  # requests undoes the gzip
        head = requests.head(f"{host.url}/", timeout=10)
        assert head.status_code == 200 and head.text == ""
        api = requests.get(f"{host.url}/api/openapi.json", timeout=10)
        assert api.status_code == 200 and "paths" in api.json()
        missing = requests.get(f"{host.url}/api/no-such-route", timeout=10)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    with LocalHost(container=container, timers=False, queues=False, web_root=False) as host:
        assert requests.get(f"{host.url}/", timeout=10).status_code == 404


def test_the_real_build_is_small_and_self_contained() -> None:
    """When web/dist is built: the first load (index, script, styles) is far below 200 KB compressed, and nothing
    in it points at another origin (no CDN, no web font, nothing fetched at run time)."""
    from tests.web.conftest import DIST

    manifest = DIST / "build.json"
    if not manifest.is_file():
        pytest.skip("web/dist is not built (make web)")
    info = json.loads(manifest.read_text(encoding="utf-8"))
    files = info["files"]
    first = sum(files[f].get("gzip", files[f]["bytes"]) for f in ("index.html", info["js"], info["css"]))
    assert first < 200 * 1024
    index = (DIST / "index.html").read_text(encoding="utf-8")
    assert "http://" not in index and "https://" not in index
    css = (DIST / info["css"]).read_text(encoding="utf-8")
    assert "@import" not in css and "url(http" not in css
