"""What the media step needs from the outside world: a downloader, a speech-to-text model, a card reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from crm_core.commands import ParseResult
from crm_core.ports import ParseContext

MediaKind = Literal["audio", "image"]


class MediaRefused(Exception):
    """The media must not or cannot be used (a link outside MEDIA_URL_HOSTS, a redirect to another host, too big,
    not audio/image): permanent, answered to the sender. `code` names the reason for logs and the inbound row."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class MediaGone(Exception):
    """The media link answered 403/404/410: it has expired or never existed (permanent; ask to send it again)."""


@dataclass(frozen=True)
class FetchedMedia:
    """Downloaded bytes, their MIME type (the server's, checked against the first bytes) and where they came from."""

    data: bytes
    mime: str
    url: str

    @property
    def size(self) -> int:
        """Bytes downloaded."""
        return len(self.data)


@dataclass(frozen=True)
class Transcript:
    """What the speech-to-text model heard, and what it cost."""

    text: str
    model: str
    latency_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float | None = None  # audio length, when the model bills by duration


@dataclass(frozen=True)
class CardReading:
    """A card read by the vision model: the parse (a new_lead command, or `unknown` when it is not a card) and
    what the call cost."""

    parse: ParseResult
    is_card: bool
    model: str
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class MediaFetcher(Protocol):
    """Downloads one media link, or refuses it without any network access when the link is not allowed."""

    def check(self, url: str | None) -> MediaRefused | None:
        """Why this link must not be fetched (no I/O), or None when it may be."""
        ...

    def fetch(self, url: str, kind: MediaKind) -> FetchedMedia:
        """Download it: MediaRefused / MediaGone (permanent) or TransientError (timeouts, 5xx, 429)."""
        ...


class Transcriber(Protocol):
    """Speech to text."""

    def transcribe(self, audio: bytes, mime: str, prompt: str) -> Transcript:
        """The words heard (possibly ""); TransientError on timeouts, 429 and outages."""
        ...


class CardReader(Protocol):
    """Reads a photo of a visiting card into a new_lead command."""

    def read(self, image: bytes, mime: str, caption: str, ctx: ParseContext) -> CardReading:
        """The card's command; TransientError on timeouts, 429 and outages."""
        ...
