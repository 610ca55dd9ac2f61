"""Speech to text with the openai SDK's `audio.transcriptions.create` (TRANSCRIBE_MODEL, default gpt-4o-transcribe).

The model is told what to expect — a salesperson's note to a CRM in English, Hindi or Hinglish, and the team's
names — so names and Hinglish come out as they are written in chat. No language is forced: the model detects it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crm_core.errors import TransientError
from crm_core.media.openai_client import build_client, transient_or_none, uses_azure
from crm_core.media.ports import Transcript

if TYPE_CHECKING:
    from crm_core.settings import Settings

log = logging.getLogger("crm_core.media")

# File names tell the service the format (it reads the extension).
EXTENSIONS = {
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/amr": "amr",
    "audio/webm": "webm",
    "audio/flac": "flac",
}
MAX_PROMPT_NAMES = 40

_WORD = re.compile(r"[\w\u0900-\u097F]+")
# What a model writes for silence, breath or noise; a transcript of nothing else is "not heard".
FILLERS = frozenset({"um", "umm", "uh", "uhh", "hmm", "hm", "mm", "mmm", "ah", "aa", "oh", "you", "हम्म", "उम्म"})
# Phrases speech models are known to invent over silence or music.
HALLUCINATIONS = (
    "thank you for watching",
    "thanks for watching",
    "subtitles by",
    "please subscribe",
    "like and subscribe",
)


def transcription_prompt(team_names: tuple[str, ...] = ()) -> str:
    """The hint given with the audio: what kind of speech it is, and the names likely to be said."""
    prompt = (
        "A salesperson's WhatsApp voice note to the team's sales CRM, in English, Hindi or Hinglish "
        "(Hindi in Latin letters), e.g. 'Naya lead, Desai Pharma, contact Hetal Desai, 98240 55667, "
        "Neha ko assign karo' or 'Demo done for Acme, kal follow-up karna hai'."
    )
    names = [n for n in team_names if n][:MAX_PROMPT_NAMES]
    if names:
        prompt += " Team: " + ", ".join(names) + "."
    return prompt


def usable(text: str, prompt: str = "") -> bool:
    """Whether a transcript says anything: not empty, not only fillers, not the prompt echoed back over silence,
    not one of the phrases models invent over noise."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if not words or sum(len(w) for w in words) < 2:
        return False
    if all(w in FILLERS for w in words):
        return False
    folded = " ".join(words)
    prompt_words = [w.casefold() for w in _WORD.findall(prompt)]
    if prompt_words and len(words) >= 0.6 * len(prompt_words) and folded in " ".join(prompt_words):
        return False  # the hint read back over silence
    return not any(folded.startswith(h) or folded == h for h in HALLUCINATIONS)


class OpenAITranscriber:
    """The real Transcriber: OpenAI or Azure OpenAI (a deployment named TRANSCRIBE_MODEL, managed identity)."""

    def __init__(
        self, settings: Settings, *, token_provider: Callable[[], str] | None = None, client: Any = None
    ) -> None:
        self.settings = settings
        self.model = settings.transcribe_model
        self._token_provider = token_provider
        self._client = client
        self._lock = threading.Lock()

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                version = self.settings.azure_openai_transcribe_api_version if uses_azure(self.settings) else None
                self._client = build_client(self.settings, api_version=version, token_provider=self._token_provider)
            return self._client

    def transcribe(self, audio: bytes, mime: str, prompt: str) -> Transcript:
        """One transcription call (the SDK retries 429/5xx with back-off); "" when the service heard nothing or
        refused the audio (a 4xx other than 408/409/429: an unreadable file)."""
        import openai

        client = self._get_client()
        name = f"voice-note.{EXTENSIONS.get(mime, 'ogg')}"
        started = time.perf_counter()
        try:
            answer = client.audio.transcriptions.create(
                model=self.model, file=(name, audio, mime), prompt=prompt, response_format="json", temperature=0
            )
        except openai.OpenAIError as exc:
            if (why := transient_or_none(exc)) is not None:
                raise TransientError(f"transcription unavailable: {why}") from exc
            log.warning("the transcription service refused the audio: %s", str(exc).splitlines()[0][:200])
            return Transcript(text="", model=self.model, latency_ms=_ms(started))
        usage = getattr(answer, "usage", None)
        return Transcript(
            text=str(getattr(answer, "text", "") or "").strip(),
            model=self.model,
            latency_ms=_ms(started),
            input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
            seconds=getattr(usage, "seconds", None),
        )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
