"""Tiny, valid media files made with the standard library: a WAV voice note and a PNG photo (and a JPEG header)."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib


def tiny_wav(seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV of a 440 Hz tone (a few kilobytes)."""
    frames = int(seconds * rate)
    samples = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(frames))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples)
    return out.getvalue()


def tiny_ogg() -> bytes:
    """The first bytes of an Ogg/Opus voice note, as WhatsApp records them (enough for the type check)."""
    return b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00" + b"\x00" * 64


def tiny_png(width: int = 4, height: int = 2) -> bytes:
    """A valid RGB PNG of the given size (white)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg_header() -> bytes:
    """The start of a JFIF JPEG (SOI + APP0), enough for the type check."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
