"""Safe media download (crm_core.media.fetch): allow-listed hosts only, checked and pinned addresses, no redirect
elsewhere, timeouts, a size cap enforced while streaming, audio/image only — and hostile links never fetched.

The real urllib3 client against loopback servers; `resolver` records every name the fetcher resolves, so "never
fetched" also means "never even resolved".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crm_core.errors import TransientError
from crm_core.media.fetch import HttpMediaFetcher, address_problem, host_allowed, sniff
from crm_core.media.ports import MediaGone, MediaRefused
from crm_core.settings import load_settings
from tests.fakes.media_files import jpeg_header, tiny_ogg, tiny_png, tiny_wav
from tests.fakes.media_server import MediaFake


class Resolver:
    """Resolves names from a table (falls back to nothing), recording each lookup."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = table or {}
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.table.get(host, [])


@pytest.fixture
def media() -> Iterator[MediaFake]:
    with MediaFake() as fake:
        yield fake


@pytest.fixture
def hostile() -> Iterator[MediaFake]:
    with MediaFake() as fake:
        yield fake


def fetcher(hosts: str, resolver: Resolver | None = None, tls: Any = None, **more: Any) -> HttpMediaFetcher:
    values: dict[str, Any] = {
        "MEDIA_URL_HOSTS": hosts,
        "MEDIA_CONNECT_TIMEOUT_SECONDS": 1,
        "MEDIA_READ_TIMEOUT_SECONDS": 0.5,
    }
    values.update(more)
    return HttpMediaFetcher(load_settings(**values), resolver=resolver, tls=tls)


def refused(fn: Any, code: str) -> MediaRefused:
    with pytest.raises(MediaRefused) as info:
        fn()
    assert info.value.code == code, info.value
    return info.value


# -- what is allowed ---------------------------------------------------------------------------------------------


def test_an_allowed_voice_note_is_downloaded_whole_with_its_type(media):
    url = media.serve("/wh_new/v.wav", tiny_wav(), "audio/wav")
    got = fetcher(media.host).fetch(url, "audio")
    assert (got.data, got.mime, got.url) == (tiny_wav(), "audio/wav", url)
    (headers,) = media.headers
    assert headers["host"] == media.host and headers["accept"] == "audio/*"
    assert headers["accept-encoding"] == "identity"


def test_a_whatsapp_ogg_served_as_octet_stream_is_recognised_by_its_bytes(media):
    url = media.serve("/v", tiny_ogg(), "application/octet-stream")
    assert fetcher(media.host).fetch(url, "audio").mime == "audio/ogg"


def test_a_photo_is_downloaded_as_an_image(media):
    got = fetcher(media.host).fetch(media.serve("/c.png", tiny_png(), "image/png"), "image")
    assert got.mime == "image/png" and got.size == len(tiny_png())


def test_a_redirect_on_the_same_host_is_followed(media):
    media.serve("/real.wav", tiny_wav(), "audio/wav")
    url = media.redirect("/short", "/real.wav")
    assert fetcher(media.host).fetch(url, "audio").data == tiny_wav()
    assert media.requests == ["/short", "/real.wav"]


def test_a_host_name_entry_is_resolved_and_the_checked_address_is_the_one_contacted(media):
    resolver = Resolver({"cdn.example": ["127.0.0.1"]})
    f = fetcher(f"cdn.example:{media.port}", resolver)
    # A host name must resolve to public addresses: 127.0.0.1 behind a name is refused (DNS rebinding)...
    refused(lambda: f.fetch(f"http://cdn.example:{media.port}/v.wav", "audio"), "address")
    assert resolver.asked == ["cdn.example"] and media.requests == []


@pytest.mark.parametrize(
    ("entry", "host", "port", "scheme", "ok"),
    [
        ("cdnydm.com", "cdnydm.com", 443, "https", True),
        ("cdnydm.com", "cdnydm.com", 8443, "https", False),  # a bare host allows the scheme's default port only
        ("cdnydm.com", "evil.cdnydm.com", 443, "https", False),
        ("cdnydm.com", "cdnydm.com.evil.io", 443, "https", False),
        ("*.maytapi.com", "media.maytapi.com", 443, "https", True),
        ("*.maytapi.com", "maytapi.com", 443, "https", False),
        ("*.maytapi.com", "evilmaytapi.com", 443, "https", False),
        ("127.0.0.1:9000", "127.0.0.1", 9000, "http", True),
        ("127.0.0.1:9000", "127.0.0.1", 9001, "http", False),
        ("[::1]:9000", "::1", 9000, "http", True),
    ],
)
def test_host_allowed(entry, host, port, scheme, ok):
    assert host_allowed(host, port, scheme, (entry,)) is ok


# -- hostile links: refused before anything is resolved or sent --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://169.254.169.254:80/metadata/instance?api-version=2021-02-01",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://0.0.0.0/",
    ],
)
def test_the_cloud_metadata_address_is_refused_even_when_listed(url):
    resolver = Resolver()
    f = fetcher(
        "169.254.169.254,169.254.169.254:80,[::ffff:169.254.169.254],[fd00:ec2::254],100.100.100.200,0.0.0.0", resolver
    )
    assert f.check(url) is not None and f.check(url).code == "address"  # type: ignore[union-attr]
    refused(lambda: f.fetch(url, "audio"), "address")
    assert resolver.asked == []


def test_another_host_is_refused_and_never_contacted(media, hostile):
    resolver = Resolver()
    f = fetcher(media.host, resolver)
    url = hostile.serve("/v.wav", tiny_wav(), "audio/wav")
    refused(lambda: f.fetch(url, "audio"), "host")
    refused(lambda: f.fetch(f"http://localhost:{media.port}/v.wav", "audio"), "host")  # same server, other name
    refused(lambda: f.fetch(f"http://127.0.0.1:{media.port + 1}/v.wav", "audio"), "host")  # same host, other port
    assert hostile.requests == [] and media.requests == [] and resolver.asked == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://cdnydm.com/v.ogg",
        "gopher://127.0.0.1:6379/_INFO",
        "data:audio/ogg;base64,T2dnUw==",
        "//cdnydm.com/v.ogg",
        "cdnydm.com/v.ogg",
        "",
        None,
    ],
)
def test_links_that_are_not_http_are_refused(url):
    resolver = Resolver()
    f = fetcher("cdnydm.com", resolver)
    assert f.check(url) is not None
    with pytest.raises(MediaRefused):
        f.fetch(url, "audio")  # type: ignore[arg-type]
    assert resolver.asked == []


def test_a_link_with_credentials_is_refused(media):
    url = f"http://user:secret@{media.host}/v.wav"
    refused(lambda: fetcher(media.host).fetch(url, "audio"), "credentials")
    assert media.requests == []


def test_a_redirect_to_another_host_is_refused_and_that_host_never_reached(media, hostile):
    hostile.serve("/steal", tiny_wav(), "audio/wav")
    url = media.redirect("/v.wav", hostile.url("/steal"))
    refused(lambda: fetcher(media.host).fetch(url, "audio"), "host")
    assert media.requests == ["/v.wav"] and hostile.requests == []


def test_a_redirect_to_another_allowed_host_is_still_refused(media, hostile):
    hostile.serve("/v.wav", tiny_wav(), "audio/wav")
    url = media.redirect("/v.wav", hostile.url("/v.wav"))
    refused(lambda: fetcher(f"{media.host},{hostile.host}").fetch(url, "audio"), "redirect")
    assert hostile.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "http://[::1]:22/",
        "http://localhost/",
    ],
)
def test_a_redirect_to_metadata_or_a_local_resource_is_refused(media, location):
    resolver = Resolver()
    url = media.redirect("/v.wav", location)
    with pytest.raises(MediaRefused):
        fetcher(media.host, resolver).fetch(url, "audio")
    assert media.requests == ["/v.wav"] and resolver.asked == []


def test_a_redirect_loop_stops(media):
    url = media.redirect("/a", "/a")
    refused(lambda: fetcher(media.host).fetch(url, "audio"), "redirects")
    assert len(media.requests) == 4  # the first request and three redirects


def test_an_allowed_name_pointing_at_the_metadata_address_is_refused(media):
    resolver = Resolver({"cdnydm.com": ["169.254.169.254"]})
    refused(lambda: fetcher("cdnydm.com", resolver).fetch("https://cdnydm.com/v.ogg", "audio"), "address")


def test_an_allowed_name_with_any_private_address_among_its_records_is_refused():
    resolver = Resolver({"cdnydm.com": ["93.184.216.34", "10.0.0.7"]})
    refused(lambda: fetcher("cdnydm.com", resolver).fetch("https://cdnydm.com/v.ogg", "audio"), "address")


@pytest.mark.parametrize(
    ("address", "literal", "bad"),
    [
        ("169.254.169.254", True, True),
        ("fe80::1", True, True),
        ("224.0.0.1", True, True),
        ("10.1.2.3", False, True),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("127.0.0.1", True, False),  # listed on purpose, written as an address
        ("93.184.216.34", False, False),
        ("not an address", False, True),
    ],
)
def test_address_problem(address, literal, bad):
    assert (address_problem(address, literal) is not None) is bad


# -- size, type, timeouts, status ------------------------------------------------------------------------------


def test_a_file_announced_over_the_cap_is_refused_before_reading(media):
    url = media.serve("/big.wav", tiny_wav(), "audio/wav", declared_length=50_000_000)
    err = refused(lambda: fetcher(media.host, MEDIA_MAX_BYTES=100_000).fetch(url, "audio"), "too_large")
    assert "50000000" in err.detail


def test_the_cap_is_enforced_while_streaming_when_no_length_is_given(media):
    url = media.serve("/drip.wav", tiny_wav(), "audio/wav", stream=200)  # ~800 KB, no Content-Length
    refused(lambda: fetcher(media.host, MEDIA_MAX_BYTES=64 * 1024).fetch(url, "audio"), "too_large")


def test_a_file_at_the_cap_is_fine(media):
    body = tiny_wav()
    url = media.serve("/exact.wav", body, "audio/wav", stream=1)
    assert fetcher(media.host, MEDIA_MAX_BYTES=len(body)).fetch(url, "audio").size == len(body)


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (b"<html>hi</html>", "text/html", "audio"),
        (b"%PDF-1.7 ...", "application/pdf", "image"),
        (tiny_png(), "image/png", "audio"),  # a photo where a voice note was expected
        (tiny_wav(), "audio/wav", "image"),
        (b"<html>not audio</html>", "audio/ogg", "audio"),  # the header lies; the bytes tell
        (b"#!/bin/sh\nrm -rf /\n", "application/octet-stream", "image"),
    ],
)
def test_only_audio_or_image_is_accepted(media, body, content_type, kind):
    url = media.serve("/f", body, content_type)
    refused(lambda: fetcher(media.host).fetch(url, kind), "type")


def test_a_slow_server_times_out_as_a_transient_error(media):
    url = media.serve("/slow.wav", tiny_wav(), "audio/wav", delay=1.5)
    with pytest.raises(TransientError):
        fetcher(media.host).fetch(url, "audio")


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_busy_or_failing_media_server_is_transient(media, status):
    url = media.serve("/v.wav", tiny_wav(), "audio/wav")
    media.fail("/v.wav", status)
    with pytest.raises(TransientError):
        fetcher(media.host).fetch(url, "audio")


@pytest.mark.parametrize("status", [403, 404, 410])
def test_an_expired_link_is_gone(media, status):
    url = media.serve("/v.wav", tiny_wav(), "audio/wav")
    media.fail("/v.wav", status)
    with pytest.raises(MediaGone):
        fetcher(media.host).fetch(url, "audio")


def test_nobody_listening_is_transient():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransientError):
        fetcher(f"127.0.0.1:{port}").fetch(f"http://127.0.0.1:{port}/v.wav", "audio")


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (tiny_ogg(), ("audio", "audio/ogg")),
        (tiny_wav(), ("audio", "audio/wav")),
        (b"ID3\x04\x00", ("audio", "audio/mpeg")),
        (b"\xff\xfb\x90\x00", ("audio", "audio/mpeg")),
        (b"\xff\xf1\x50\x80", ("audio", "audio/aac")),
        (b"\x00\x00\x00\x20ftypM4A ", ("audio", "audio/mp4")),
        (b"#!AMR\n", ("audio", "audio/amr")),
        (tiny_png(), ("image", "image/png")),
        (jpeg_header(), ("image", "image/jpeg")),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ("image", "image/webp")),
        (b"GIF89a", ("image", "image/gif")),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_sniff(head, found):
    assert sniff(head) == found


@pytest.mark.parametrize("bad", ["http://cdnydm.com", "cdnydm.com/path", "*", "*.", "a b", "user@cdnydm.com"])
def test_a_malformed_media_host_setting_is_named(bad):
    from crm_core.settings import ConfigError

    with pytest.raises(ConfigError, match="MEDIA_URL_HOSTS"):
        load_settings(MEDIA_URL_HOSTS=bad)


def test_the_default_media_hosts_are_maytapis():
    settings = load_settings()
    assert settings.media_hosts == ("cdnydm.com", "*.cdnydm.com", "*.maytapi.com")
    assert settings.media_max_bytes == 16 * 1024 * 1024
    f = HttpMediaFetcher(settings)
    assert f.check("https://cdnydm.com/wh_new/3EB0.oga") is None
    assert f.check("https://media.maytapi.com/x.jpg") is None
    assert f.check("https://cdnydm.com.evil.example/x") is not None


# -- https: the pinned connection still verifies the certificate against the link's host --------------------------


def _self_signed(tmp_path: Any) -> tuple[str, str]:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_media(tmp_path: Any) -> Iterator[tuple[MediaFake, str]]:
    import ssl

    cert, key = _self_signed(tmp_path)
    fake = MediaFake()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake._server.socket = context.wrap_socket(fake._server.socket, server_side=True)
    with fake:
        yield fake, cert


def test_https_is_verified_against_the_links_host(tls_media):
    import ssl

    media, cert = tls_media
    url = media.serve("/v.ogg", tiny_ogg(), "audio/ogg").replace("http://", "https://")
    trusted = ssl.create_default_context(cafile=cert)
    got = fetcher(media.host, tls=trusted).fetch(url, "audio")
    assert got.mime == "audio/ogg" and got.url == url


def test_an_untrusted_certificate_is_refused(tls_media):
    media, _cert = tls_media
    url = media.serve("/v.ogg", tiny_ogg(), "audio/ogg").replace("http://", "https://")
    refused(lambda: fetcher(media.host).fetch(url, "audio"), "tls")  # certifi's CAs do not know it
