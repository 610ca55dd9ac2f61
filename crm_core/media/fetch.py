"""Downloading a media link safely: the only place the app fetches a URL it was given by someone else.

Rules (issue #14), each checked before any byte is sent:
- http or https only, no user:password@ in the link;
- the host (and port) must be listed in MEDIA_URL_HOSTS: "host" allows the scheme's default port, "host:port" that
  port, "*.domain" any subdomain of domain;
- the host's addresses are resolved once and checked: link-local addresses (the cloud metadata service
  169.254.169.254 and its IPv6 twins), multicast, unspecified and reserved ones are always refused; a host *name*
  must resolve to public addresses only (an allow-listed name pointed at 10.x or 127.0.0.1 — DNS rebinding — is
  refused), while an IP literal listed on purpose (tests, a private CDN) is trusted as written. The connection goes
  to the address that was checked (pinned), with TLS verified against the host name;
- a redirect is followed only to the same host and port (or from http to https on that host), never from https
  to http, at most MAX_REDIRECTS times, each hop checked again in full;
- connect and read timeouts, and an overall deadline (a server dripping bytes cannot hold a worker);
- at most MEDIA_MAX_BYTES: a larger Content-Length is refused before reading, and the count is enforced while
  streaming (a server that lies or sends no length is cut off at the cap);
- only audio (voice notes) or image (cards) types: the server's Content-Type must be of that family (or the
  generic application/octet-stream) and the first bytes must be a known audio/image format.

A refusal is MediaRefused (permanent: the sender is told); 403/404/410 is MediaGone (the link expired); timeouts,
connection errors, 408/429 and 5xx are TransientError (the queue retries).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from crm_core.errors import TransientError
from crm_core.media.ports import FetchedMedia, MediaGone, MediaKind, MediaRefused

if TYPE_CHECKING:
    from crm_core.settings import Settings

log = logging.getLogger("crm_core.media")

MAX_REDIRECTS = 3
CHUNK = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
# Addresses that are never a media server, whatever MEDIA_URL_HOSTS says: cloud metadata services.
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
# Content-Types accepted from the server, per kind; application/octet-stream leaves it to the first bytes.
SERVER_TYPES: dict[str, tuple[str, ...]] = {
    "audio": ("audio/", "application/ogg", "application/octet-stream", "binary/octet-stream"),
    "image": ("image/", "application/octet-stream", "binary/octet-stream"),
}

Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses (every A/AAAA record), as the operating system resolves them."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TransientError(f"cannot resolve the media host: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def declared_kind_ok(kind: MediaKind, mime: str | None) -> bool:
    """Whether a MIME type declared by the provider is of the expected family (no type declared is fine)."""
    if not mime:
        return True
    main = mime.split(";", 1)[0].strip().lower()
    return any(main.startswith(prefix) for prefix in SERVER_TYPES[kind])


def sniff(data: bytes) -> tuple[MediaKind, str] | None:
    """The kind and canonical MIME type of known audio and image formats, from their first bytes."""
    head = data[:16]
    if head.startswith(b"OggS"):
        return "audio", "audio/ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "image/gif"
    if head.startswith(b"ID3"):
        return "audio", "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:  # ADTS: sync word, layer 00
        return "audio", "audio/aac"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # an MPEG audio frame
        return "audio", "audio/mpeg"
    if head[4:8] == b"ftyp":
        return "audio", "audio/mp4"  # m4a / WhatsApp's audio/mp4 (a video would be refused by the model, not here)
    if head.startswith(b"#!AMR"):
        return "audio", "audio/amr"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "audio", "audio/webm"
    if head.startswith(b"fLaC"):
        return "audio", "audio/flac"
    return None


class _Target:
    """A checked link: where to connect and what to ask for."""

    def __init__(self, url: str, scheme: str, host: str, port: int, path: str, literal: bool) -> None:
        self.url = url
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.literal = literal  # the host is an IP address written in the link

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


def _entry(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [v6]:port
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    host, sep, port = entry.rpartition(":")
    if sep and port.isdigit() and host:
        return host, int(port)
    return entry, None


def host_allowed(host: str, port: int, scheme: str, entries: tuple[str, ...]) -> bool:
    """Whether host:port is listed (see the module's rules)."""
    for entry in entries:
        name, entry_port = _entry(entry)
        if (entry_port if entry_port is not None else DEFAULT_PORTS[scheme]) != port:
            continue
        if name.startswith("*."):
            if host.endswith(name[1:]) and len(host) > len(name) - 1:
                return True
        elif host == name:
            return True
    return False


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_problem(address: str, literal: bool) -> str | None:
    """Why a resolved address must not be contacted (None when it may be)."""
    ip = _ip(address)
    if ip is None:
        return f"{address!r} is not an address"
    if ip in METADATA or ip.is_link_local:
        return "a link-local (cloud metadata) address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "a reserved address"
    if not literal and not ip.is_global:
        return "a private address (a host name must resolve to public addresses)"
    return None


class HttpMediaFetcher:
    """The real MediaFetcher (urllib3, pinned to the checked address); see the module docstring."""

    def __init__(
        self, settings: Settings, *, resolver: Resolver | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        self.hosts = settings.media_hosts
        self.max_bytes = settings.media_max_bytes
        self.connect_timeout = settings.media_connect_timeout_seconds
        self.read_timeout = settings.media_read_timeout_seconds
        self.deadline_seconds = self.connect_timeout + 4 * self.read_timeout
        self.resolve = resolver or system_resolver
        self.tls = tls  # None: certificates checked against requests' CA bundle (certifi)

    # -- checks without I/O --------------------------------------------------------------------------------------

    def check(self, url: str | None) -> MediaRefused | None:
        """Why this link must not be fetched (no network access), or None."""
        try:
            self._target(url)
        except MediaRefused as refused:
            return refused
        return None

    def _target(self, url: str | None) -> _Target:
        if not url:
            raise MediaRefused("no_link", "the message carries no media link")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise MediaRefused("bad_link", f"the link cannot be read: {exc}") from exc
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise MediaRefused("scheme", f"only http(s) links are fetched, not {scheme or 'this'}:")
        if parts.username is not None or parts.password is not None:
            raise MediaRefused("credentials", "links with a user name or password are not fetched")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise MediaRefused("bad_link", "the link has no host")
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError as exc:
            raise MediaRefused("bad_link", "the link's host name is not valid") from exc
        port = port if port is not None else DEFAULT_PORTS[scheme]
        literal = _ip(host) is not None
        if literal and (problem := address_problem(host, literal=True)):
            raise MediaRefused("address", f"{host} is {problem}")
        if not host_allowed(host, port, scheme, self.hosts):
            raise MediaRefused("host", f"{host}:{port} is not in MEDIA_URL_HOSTS")
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return _Target(url, scheme, host, port, path, literal)

    # -- download ------------------------------------------------------------------------------------------------

    def fetch(self, url: str, kind: MediaKind) -> FetchedMedia:
        """Download a link (see the module's rules)."""
        target = self._target(url)
        deadline = time.monotonic() + self.deadline_seconds
        for _ in range(MAX_REDIRECTS + 1):
            address = self._address(target)
            pool, response = self._request(target, address, kind)
            try:
                status = response.status
                if status in (301, 302, 303, 307, 308):
                    target = self._redirect(target, response.headers.get("Location"))
                    continue
                if status in (403, 404, 410):
                    raise MediaGone(f"the media link answered HTTP {status}")
                if status in (408, 425, 429) or status >= 500:
                    raise TransientError(f"the media server answered HTTP {status}")
                if status != 200:
                    raise MediaRefused("http_status", f"the media server answered HTTP {status}")
                return self._body(target, response, kind, deadline)
            finally:
                response.close()  # never drained: a refused body is not read further
                pool.close()
        raise MediaRefused("redirects", f"more than {MAX_REDIRECTS} redirects")

    def _address(self, target: _Target) -> str:
        addresses = [target.host] if target.literal else self.resolve(target.host, target.port)
        if not addresses:
            raise TransientError(f"{target.host} has no address")
        for address in addresses:
            if problem := address_problem(address, literal=target.literal):
                raise MediaRefused("address", f"{target.host} resolves to {problem}")
        return addresses[0]

    def _redirect(self, target: _Target, location: str | None) -> _Target:
        if not location:
            raise MediaRefused("redirect", "a redirect without a Location")
        following = self._target(urljoin(target.url, location.strip()))
        upgrade = target.scheme == "http" and following.scheme == "https"
        if following.host != target.host or (following.port != target.port and not upgrade):
            raise MediaRefused("redirect", f"a redirect to another host ({following.host}:{following.port})")
        if target.scheme == "https" and following.scheme != "https":
            raise MediaRefused("redirect", "a redirect from https to http")
        return following

    def _request(self, target: _Target, address: str, kind: MediaKind) -> tuple[Any, Any]:
        import urllib3
        from urllib3.exceptions import HTTPError, SSLError

        timeout = urllib3.Timeout(connect=self.connect_timeout, read=self.read_timeout)
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                target.port,
                timeout=timeout,
                retries=False,
                ssl_context=self.tls or _tls_context(),
                server_hostname=target.host,
                assert_hostname=target.host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)
        headers = {
            "Host": target.host_header,
            "Accept": f"{kind}/*",
            "Accept-Encoding": "identity",
            "User-Agent": "crm-bot-media/1",
        }
        try:
            response = pool.urlopen(
                "GET",
                target.path,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                assert_same_host=False,
            )
        except SSLError as exc:
            pool.close()
            raise MediaRefused("tls", f"the media server's certificate was refused: {exc}") from exc
        except HTTPError as exc:  # connect/read timeouts, refused connections, broken responses
            pool.close()
            raise TransientError(f"media download failed: {type(exc).__name__}") from exc
        return pool, response

    def _body(self, target: _Target, response: Any, kind: MediaKind, deadline: float) -> FetchedMedia:
        from urllib3.exceptions import HTTPError

        content_type = str(response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if content_type and not any(content_type.startswith(p) for p in SERVER_TYPES[kind]):
            raise MediaRefused("type", f"the link holds {content_type}, not {kind}")
        length = response.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > self.max_bytes:
            raise MediaRefused("too_large", f"{int(length)} bytes is over MEDIA_MAX_BYTES ({self.max_bytes})")
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > self.max_bytes:
                    raise MediaRefused("too_large", f"over MEDIA_MAX_BYTES ({self.max_bytes}) while downloading")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TransientError(f"media download took over {self.deadline_seconds:.0f} s")
        except HTTPError as exc:
            raise TransientError(f"media download broke off: {type(exc).__name__}") from exc
        data = b"".join(chunks)
        found = sniff(data)
        if found is None or found[0] != kind:
            what = f"{found[1]}" if found else "an unknown format"
            raise MediaRefused("type", f"the file is {what}, not {kind}")
        log.info("downloaded %d bytes of %s from %s", len(data), found[1], target.host)
        return FetchedMedia(data=data, mime=found[1], url=target.url)


_TLS: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    """Certificate verification with requests' CA bundle (certifi), as for every other outbound call."""
    global _TLS
    if _TLS is None:
        import certifi

        _TLS = ssl.create_default_context(cafile=certifi.where())
    return _TLS
