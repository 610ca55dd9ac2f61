"""Voice notes and visiting cards (#14): model calls and downloads per message, bytes downloaded, the time a 1 s
stand-in model adds end to end, and the webhook's ack for a voice note against a text.

The real queue function, parser, handlers and media downloader (against a loopback media host) on SQLite; the
speech-to-text and vision models are stand-ins that wait `media_model_seconds` (1 s) and answer. Every voice note
and card is delivered twice (a queue redelivery) and every fourth first meets a 429 (the queue retries it): the
calls per message stay 1 because the outcome is stored on the inbound row before anything else can fail.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.common import NOW, Run, Target, bench_settings, figure, median, percentile, sqlite_database, timed_ms
from bench.fakes import CountingChannel, ListQueue
from bench.seed import SENDER, TEAM, create_team

SECTION = "media"
ONE = Target("<=", 1.0, "1 per message")
ACK_RATIO = Target("<=", 1.5, "unchanged (≈ 1×)")
P99 = Target("<=", 15, "≤ 15 ms")
VOICE_BYTES = 40_000  # a 20-second WhatsApp voice note (Ogg/Opus at ~16 kbit/s)
CARD_BYTES = 150_000  # a phone photo of a card, as WhatsApp compresses it
_ids = itertools.count(1)


class MediaHost:
    """A loopback media host serving one voice note and one card photo; counts requests and bytes per path."""

    def __init__(self) -> None:
        self.files = {
            "/voice.ogg": ("audio/ogg", b"OggS" + bytes(VOICE_BYTES - 4)),
            "/card.jpg": ("image/jpeg", b"\xff\xd8\xff\xe0" + bytes(CARD_BYTES - 4)),
        }
        self.requests: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()
        self._lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                content_type, body = host.files[self.path.split("?", 1)[0]]
                with host._lock:
                    host.requests[self.path] += 1
                    host.bytes[self.path.split("?", 1)[0]] += len(body)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def host(self) -> str:
        """host:port (the MEDIA_URL_HOSTS entry)."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        """A media link."""
        return f"http://{self.host}{path}"

    @contextmanager
    def running(self) -> Iterator[MediaHost]:
        """Serve until the block ends."""
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


class StandIn:
    """The speech-to-text and vision models, stood in for: wait `seconds`, answer; a 429 on every fourth message's
    first call (raised at once, as a real 429 costs nothing); `calls` counts the answered (paid) calls."""

    def __init__(self, seconds: float, answers: dict[int, Any]) -> None:
        self.seconds = seconds
        self.answers = answers  # message number -> what to answer
        self.calls = 0
        self.refused: set[int] = set()
        self._lock = threading.Lock()

    def _answer(self, number: int) -> Any:
        from crm_core.errors import TransientError

        with self._lock:
            if number % 4 == 0 and number not in self.refused:
                self.refused.add(number)
                raise TransientError("stand-in 429")
        time.sleep(self.seconds)
        with self._lock:
            self.calls += 1
        return self.answers[number]

    def transcribe(self, audio: bytes, mime: str, prompt: str) -> Any:
        """A transcript: the message whose number the current envelope carries (set by the bench)."""
        return self._answer(_current["n"])

    def read(self, image: bytes, mime: str, caption: str, ctx: Any) -> Any:
        """A card reading for the current envelope."""
        return self._answer(_current["n"])


_current: dict[str, int] = {"n": 0}


_PHONES = {"voice": 9800100000, "card": 9800200000, "typed": 9800300000, "card typed": 9800400000}


def _lead_text(kind: str, n: int) -> str:
    """A new lead of its own (company and phone unique per kind and number: no duplicate question)."""
    return f"New lead: {kind.title()} Traders {n}, Ravi Kumar, {_PHONES[kind] + n}, IndiaMART"


def _envelope(kind: str, n: int, url: str | None, text: str = "") -> str:
    from crm_core.envelope import Envelope

    phone = next(p for u, _, p, _ in TEAM if u == SENDER)
    env = Envelope(
        provider="maytapi",
        message_id=f"bench-{kind}-{next(_ids)}",
        sender=phone,
        text=text,
        sent_at=NOW + timedelta(seconds=next(_ids)),
        kind=kind,
        media_type={"voice": "ptt", "image": "image"}.get(kind),
        media_url=url,
        media_mime={"voice": "audio/ogg", "image": "image/jpeg"}.get(kind),
    )
    return env.to_json()


def _process(body: str, number: int) -> float:
    """Run the queue function to the end as the queue would (retrying a transient failure); ms of the first try
    that succeeded (the time a user waits once the model answers at the first try)."""
    from crm_core.errors import TransientError
    from crm_core.pipeline.process import process_queue_message

    _current["n"] = number
    for attempt in range(1, 6):
        started = time.perf_counter()
        try:
            process_queue_message(body, attempt)
        except TransientError:
            continue
        return (time.perf_counter() - started) * 1000
    raise RuntimeError("a bench message failed every try")


def measure(run: Run) -> None:
    """Calls, downloads and bytes per message; time added with 1 s stand-ins; the webhook ack."""
    from crm_core.clock import FixedClock
    from crm_core.commands import Command, Intent, ParseResult
    from crm_core.composition import Container, set_container
    from crm_core.media.ports import CardReading, Transcript

    n = run.sizes.media_messages
    seconds = run.sizes.media_model_seconds
    with sqlite_database(run, "media") as db, MediaHost().running() as media:
        create_team(db)
        transcripts = {i: Transcript(text=_lead_text("voice", i), model="stand-in") for i in range(1, n + 1)}
        cards = {
            i: CardReading(
                parse=ParseResult(
                    command=Command(
                        intent=Intent.NEW_LEAD,
                        company=f"Card Traders {i}",
                        contact_name="Suresh Kulkarni",
                        phone=f"+91{_PHONES['card'] + i}",
                        email=f"suresh{i}@cardtraders.in",
                        source="Visiting card",
                    ),
                    confidence=0.85,
                    source="vision",
                ),
                is_card=True,
                model="stand-in",
            )
            for i in range(1, n + 1)
        }
        transcriber, reader = StandIn(seconds, transcripts), StandIn(seconds, cards)
        settings = bench_settings(db.engine.url.render_as_string(hide_password=False), MEDIA_URL_HOSTS=media.host)
        container = Container(
            settings,
            database=db,
            clock=FixedClock(NOW),
            whatsapp=CountingChannel(),
            queue=ListQueue(),
            transcriber=transcriber,
            card_reader=reader,
        )
        set_container(container)

        voice_ms, typed_ms, card_ms, typed_card_ms = [], [], [], []
        for i in range(1, n + 1):
            body = _envelope("voice", i, media.url(f"/voice.ogg?n={i}"))
            voice_ms.append(_process(body, i))
            _process(body, i)  # a redelivery: nothing downloaded or paid again
            typed_ms.append(_process(_envelope("text", 0, None, _lead_text("typed", i)), i))
            body = _envelope("image", i, media.url("/card.jpg"))
            card_ms.append(_process(body, i))
            _process(body, i)
            typed_card_ms.append(_process(_envelope("text", 0, None, _lead_text("card typed", i)), i))
        leads = _count_leads(db)
        failed = [i for i in range(1, n + 1) if i % 4 == 0]
        clean = [i for i in range(1, n + 1) if i % 4]
        note = f"{n} voice notes and {n} cards, each delivered twice, every 4th meeting a 429 first; {leads} leads"
        run.add(
            figure(SECTION, "transcription calls per voice note", round(transcriber.calls / n, 2), "calls", ONE, note),
            figure(SECTION, "vision calls per card", round(reader.calls / n, 2), "calls", ONE, note),
            figure(
                SECTION,
                "downloads per voice note",
                round(sum(media.requests[f"/voice.ogg?n={i}"] for i in clean) / len(clean), 2),
                "downloads",
                ONE,
                f"{len(clean)} voice notes whose model answered at once, each delivered twice: the redelivery "
                "finds the transcript stored",
            ),
            figure(
                SECTION,
                "downloads per voice note whose model answered 429 first",
                round(sum(media.requests[f"/voice.ogg?n={i}"] for i in failed) / len(failed), 2) if failed else None,
                "downloads",
                note="the retry downloads again (media bytes are not kept), but transcribes once",
            ),
            figure(
                SECTION,
                "bytes downloaded per voice note",
                round(media.bytes["/voice.ogg"] / n),
                "bytes",
                note=f"the file is {VOICE_BYTES:,} bytes (a 20 s Ogg/Opus voice note), every 4th downloaded twice "
                f"(a 429 from the model); cap MEDIA_MAX_BYTES {settings.media_max_bytes:,}",
            ),
            figure(SECTION, "bytes downloaded per card", round(media.bytes["/card.jpg"] / n), "bytes"),
        )
        pairs = (("voice note", voice_ms, typed_ms), ("card", card_ms, typed_card_ms))
        for what, media_samples, typed_samples in pairs:
            added = median(media_samples) - median(typed_samples)
            run.add(
                figure(
                    SECTION,
                    f"time added by a {what}, {seconds:g} s stand-in model",
                    round(added, 1),
                    "ms",
                    note=f"median {median(media_samples):.0f} ms vs {median(typed_samples):.0f} ms typed "
                    "(download + model + storing the outcome; the same command)",
                ),
                figure(
                    SECTION,
                    f"time added by a {what} ÷ the stand-in's time",
                    round(added / (seconds * 1000), 3) if seconds else None,
                    "×",
                    note="1.00 would be the model alone",
                ),
            )
        _ack(run, settings, db)


def _count_leads(db: Any) -> int:
    from sqlalchemy import func, select

    from crm_core.db.models import Lead

    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Lead)) or 0)


def _ack(run: Run, settings: Any, db: Any) -> None:
    """The webhook's answer for a voice note against a text: the same enqueue (the queue function downloads)."""
    import azure.functions as func

    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container
    from crm_core.pipeline.webhook import handle_webhook
    from crm_core.queueing import build_inbound_queue, reset_memory_queues

    reset_memory_queues()
    queue = build_inbound_queue(settings)  # the app's in-memory queue (nothing consumes it)
    container = Container(settings, database=db, clock=FixedClock(NOW), whatsapp=CountingChannel(), queue=queue)
    set_container(container)
    phone = next(p for u, _, p, _ in TEAM if u == SENDER).lstrip("+")

    def request(message: dict[str, Any]) -> Any:
        body = {
            "type": "message",
            "product_id": "bench",
            "phone_id": 1,
            "message": {"id": f"3EB0M{next(_ids):012d}", "fromMe": False, **message},
            "user": {"id": f"{phone}@c.us", "name": "Priya", "phone": phone},
            "conversation": f"{phone}@c.us",
            "timestamp": int(NOW.timestamp()),
        }
        return func.HttpRequest(
            method="POST",
            url="http://localhost/api/webhook",
            params={"secret": container.settings.webhook_secret or ""},
            body=json.dumps(body).encode(),
        )

    calls = max(20, run.sizes.ack_calls)
    voice = {"type": "ptt", "url": "https://cdnydm.com/wh_new/3EB0.oga", "mime": "audio/ogg; codecs=opus"}
    text = {"type": "text", "text": "New lead: Narmada Foods LLP, Ravi Kumar, 9876501234, IndiaMART, Priya"}
    samples: dict[str, list[float]] = {}
    for name, message in (("text", text), ("voice", voice), ("text2", text), ("voice2", voice)):
        reqs = iter([request(message) for _ in range(calls)])
        samples[name] = timed_ms(lambda reqs=reqs: handle_webhook(next(reqs)), calls)  # type: ignore[misc]
    text_ms = samples["text"] + samples["text2"]
    voice_ms = samples["voice"] + samples["voice2"]
    note = f"{len(voice_ms)} calls each, interleaved, in-process queue"
    run.add(
        figure(SECTION, "webhook ack, voice note median", round(median(voice_ms), 3), "ms", note=note),
        figure(SECTION, "webhook ack, voice note p99", round(percentile(voice_ms, 99), 3), "ms", P99, note),
        figure(
            SECTION,
            "webhook ack, voice note ÷ text (medians)",
            round(median(voice_ms) / median(text_ms), 2),
            "×",
            ACK_RATIO,
            f"text median {median(text_ms):.3f} ms: nothing is fetched before the 200",
        ),
    )
