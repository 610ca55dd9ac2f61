"""The media step without the database: what can be decided with no I/O, and the download + model call.

crm_core.pipeline.process calls `precheck` under the sender's lock (no network: a hostile link is refused before
anything is resolved or fetched), then — with no transaction open — `read_media`, and stores its `Outcome` on the
inbound row (`inbound_messages.media`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from crm_core.media.fetch import declared_kind_ok
from crm_core.media.ports import CardReader, MediaFetcher, MediaGone, MediaKind, MediaRefused, Transcriber
from crm_core.media.transcribe import transcription_prompt, usable
from crm_core.ports import ParseContext

log = logging.getLogger("crm_core.media")

Kind = Literal["voice", "image"]
MEDIA_KINDS: frozenset[str] = frozenset({"voice", "image"})
# inbound_messages.media["status"]: what came of the media (None/missing: not read yet).
HEARD, UNHEARD, CARD, NOT_CARD, REFUSED, GONE, NO_AI, CAPTION = (
    "heard",
    "unheard",
    "card",
    "not_card",
    "refused",
    "gone",
    "no_ai",
    "caption",
)
_FETCH_KIND: dict[str, MediaKind] = {"voice": "audio", "image": "image"}


@dataclass(frozen=True)
class Paid:
    """One model call the media step paid for (an llm_calls row)."""

    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    outcome: str


@dataclass
class Outcome:
    """What came of one media message: the fields stored in inbound_messages.media, and the calls paid."""

    fields: dict[str, Any]
    paid: list[Paid] = field(default_factory=list)

    @property
    def status(self) -> str:
        """heard | unheard | card | not_card | refused | gone."""
        return str(self.fields.get("status"))


@dataclass(frozen=True)
class MediaJob:
    """One media message to read, as its claim transaction found it."""

    row_id: int
    kind: Kind
    url: str | None
    mime: str | None
    caption: str
    context: ParseContext  # the moment, the zone, the sender and the team's names (for the model)


def refusal(refused: MediaRefused) -> dict[str, Any]:
    """The stored fields of a refused link."""
    return {"status": REFUSED, "reason": refused.code, "detail": refused.detail[:300]}


def precheck(
    kind: str, url: str | None, mime: str | None, fetcher: MediaFetcher, ai_ready: bool
) -> dict[str, Any] | None:
    """What can be decided without any I/O: no AI service configured, a link that must not be fetched, a declared
    type that is not audio/image. None when the media must be downloaded and read."""
    if not ai_ready:
        return {"status": NO_AI}
    refused = fetcher.check(url)
    if refused is not None:
        log.warning("refused a %s link without fetching it: %s", kind, refused)
        return refusal(refused)
    if not declared_kind_ok(_FETCH_KIND[kind], mime):
        log.warning("refused a %s declared as %s without fetching it", kind, mime)
        return refusal(MediaRefused("type", f"declared as {mime}"))
    return None


def read_media(
    job: MediaJob, fetcher: MediaFetcher, transcriber: Transcriber | None, card_reader: CardReader | None
) -> Outcome:
    """Download the media and transcribe it or read the card (no database, no lock held).

    MediaRefused / MediaGone become a stored outcome (answered to the sender); TransientError propagates.
    """
    assert job.url is not None  # precheck refused a message without a link
    try:
        fetched = fetcher.fetch(job.url, _FETCH_KIND[job.kind])
    except MediaRefused as refused:
        log.warning("refused a %s while fetching it: %s", job.kind, refused)
        return Outcome(refusal(refused))
    except MediaGone as gone:
        log.info("a %s link is gone: %s", job.kind, gone)
        return Outcome({"status": GONE, "detail": str(gone)[:300]})
    got = {"bytes": fetched.size, "fetched_mime": fetched.mime}
    if job.kind == "voice":
        assert transcriber is not None
        prompt = transcription_prompt(job.context.team_names)
        heard = transcriber.transcribe(fetched.data, fetched.mime, prompt)
        ok = usable(heard.text, prompt)
        paid = Paid(heard.model, heard.input_tokens, heard.output_tokens, heard.latency_ms, HEARD if ok else UNHEARD)
        fields = {"status": HEARD if ok else UNHEARD, "transcript": heard.text[:8000], "model": heard.model, **got}
        if heard.seconds is not None:
            fields["seconds"] = heard.seconds
        return Outcome(fields, [paid])
    assert card_reader is not None
    reading = card_reader.read(fetched.data, fetched.mime, job.caption, job.context)
    outcome = CARD if reading.is_card else NOT_CARD
    paid = Paid(reading.model, reading.prompt_tokens, reading.completion_tokens, reading.latency_ms, outcome)
    fields = {"status": outcome, "model": reading.model, **got}
    if reading.is_card:
        fields["read"] = {
            **reading.parse.model_dump(mode="json", exclude_defaults=True),
            "source": reading.parse.source,
        }
    return Outcome(fields, [paid])
