"""Serve the built dashboard (web/dist) from memory: precompressed brotli/gzip variants, ETags and 304s, immutable
caching for hashed assets, and security headers (a strict Content-Security-Policy: scripts and styles only from
this origin). Paths are confined to the build directory; anything else is a 404.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

Headers = list[tuple[str, str]]
Answer = tuple[int, Headers, bytes]

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ROOT = REPO / "web" / "dist"

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Headers = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
]
NOT_BUILT = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Dashboard not built</title>"
    b"<body>"
    b"<h1>The dashboard is not built yet</h1><p>Run <code>make web</code> (or <code>npm install &amp;&amp; "
    b"npm run build</code>) and reload. The API and the WhatsApp bot work without it: see "
    b"<a href='/api/openapi.json'>/api/openapi.json</a>.</p></body></html>"
)


def default_root() -> Path:
    """CRM_WEB_DIST when set, else web/dist next to the package."""
    env = os.environ.get("CRM_WEB_DIST")
    return Path(env) if env else DEFAULT_ROOT


@dataclass(frozen=True)
class _Variant:
    body: bytes
    etag: str


@dataclass(frozen=True)
class _File:
    mtime_ns: int
    content_type: str
    variants: dict[str, _Variant]  # "identity", "br", "gzip"


def _etag(body: bytes, encoding: str) -> str:
    digest = hashlib.sha256(body).hexdigest()[:20]
    return f'"{digest}-{encoding}"' if encoding != "identity" else f'"{digest}"'


def accepted(header: str | None) -> set[str]:
    """The content codings an Accept-Encoding header allows (q=0 excluded)."""
    out: set[str] = set()
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip()
        if q.startswith("q="):
            try:
                if float(q[2:]) == 0:
                    continue
            except ValueError:
                continue
        if name.strip():
            out.add(name.strip().lower())
    return out


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class StaticSite:
    """The files under root, served at `/`; `/` and extension-less paths answer index.html (the app routes itself)."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root else default_root()
        self._cache: dict[Path, _File] = {}
        self._lock = threading.Lock()

    def built(self) -> bool:
        """Whether the build is there (index.html exists)."""
        return (self.root / "index.html").is_file()

    def _resolve(self, path: str) -> Path | None:
        raw = unquote(path.split("?", 1)[0].split("#", 1)[0])
        if "\x00" in raw or "\\" in raw:
            return None
        parts = [p for p in raw.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None
        if any(p.endswith((".gz", ".br")) for p in parts[-1:]):
            return None
        if not parts or "." not in parts[-1]:
            return self.root / "index.html"
        candidate = (self.root / Path(*parts)).resolve()
        root = self.root.resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate

    def _load(self, file: Path) -> _File:
        stat = file.stat()
        with self._lock:
            cached = self._cache.get(file)
            if cached is not None and cached.mtime_ns == stat.st_mtime_ns:
                return cached
        body = file.read_bytes()
        variants = {"identity": _Variant(body, _etag(body, "identity"))}
        for coding, suffix in (("br", ".br"), ("gzip", ".gz")):
            packed = file.with_name(file.name + suffix)
            if packed.is_file() and packed.stat().st_mtime_ns >= stat.st_mtime_ns:
                data = packed.read_bytes()
                variants[coding] = _Variant(data, _etag(body, coding))
        entry = _File(stat.st_mtime_ns, TYPES.get(file.suffix.lower(), "application/octet-stream"), variants)
        with self._lock:
            self._cache[file] = entry
        return entry

    def serve(self, method: str, path: str, headers: Iterable[tuple[str, str]] = ()) -> Answer:
        """The answer to one request for a non-API path."""
        headers = list(headers)
        if method.upper() not in ("GET", "HEAD"):
            return 405, [("Allow", "GET, HEAD"), ("Content-Type", "text/plain; charset=utf-8")], b"GET or HEAD only\n"
        if not self.built():
            return 503, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")], NOT_BUILT
        file = self._resolve(path)
        if file is None:
            return 404, [("Content-Type", "text/plain; charset=utf-8"), *SECURITY_HEADERS], b"not found\n"
        entry = self._load(file)
        codings = accepted(_header(headers, "accept-encoding"))
        coding = next((c for c in ("br", "gzip") if c in codings and c in entry.variants), "identity")
        variant = entry.variants[coding]
        immutable = file.parent.name == "assets" and file.parent.parent == self.root.resolve()
        out: Headers = [
            ("Content-Type", entry.content_type),
            ("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache"),
            ("ETag", variant.etag),
            *SECURITY_HEADERS,
        ]
        if len(entry.variants) > 1:
            out.append(("Vary", "Accept-Encoding"))
        if coding != "identity":
            out.append(("Content-Encoding", coding))
        match = _header(headers, "if-none-match")
        if match and variant.etag in [m.strip() for m in match.split(",")]:
            return 304, [h for h in out if h[0] not in ("Content-Type",)], b""
        return 200, out, variant.body
