"""The one composition root: builds real adapters lazily from settings; tests pass fakes instead.

Nothing here connects or imports anything heavy until an attribute is first used.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from crm_core.clock import Clock, SystemClock
from crm_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from crm_core.db.session import Database
    from crm_core.media.ports import CardReader, MediaFetcher, Transcriber
    from crm_core.ports import Channel, InboundQueue, Parser
    from crm_core.security.limits import LoginGuard


class Container:
    """Holds the app's dependencies; each is built on first use unless given."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        database: Database | None = None,
        clock: Clock | None = None,
        whatsapp: Channel | None = None,
        queue: InboundQueue | None = None,
        parser: Parser | None = None,
        media_fetcher: MediaFetcher | None = None,
        transcriber: Transcriber | None = None,
        card_reader: CardReader | None = None,
    ) -> None:
        self._settings = settings
        self._database = database
        self._clock = clock
        self._whatsapp = whatsapp
        self._queue = queue
        self._parser = parser
        self._media_fetcher = media_fetcher
        self._transcriber = transcriber
        self._card_reader = card_reader
        self._login_guard: LoginGuard | None = None
        self._lock = threading.RLock()

    @property
    def settings(self) -> Settings:
        """The settings (read from the environment on first use)."""
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    @property
    def clock(self) -> Clock:
        """The clock."""
        if self._clock is None:
            self._clock = SystemClock()
        return self._clock

    @property
    def database(self) -> Database:
        """The database handle (engine created on first use)."""
        with self._lock:
            if self._database is None:
                from crm_core.db.session import Database

                self._database = Database(self.settings.database_url)
                if self.settings.database_auto_migrate:
                    from crm_core.db.migrate import upgrade

                    upgrade(self._database.engine)
            return self._database

    @property
    def whatsapp(self) -> Channel:
        """The WhatsApp channel: Maytapi when configured, else the console."""
        with self._lock:
            if self._whatsapp is None:
                from crm_core.delivery.channels import build_whatsapp_channel

                self._whatsapp = build_whatsapp_channel(self.settings)
            return self._whatsapp

    @property
    def queue(self) -> InboundQueue:
        """The inbound queue: Azure Storage when configured, else the in-process queue."""
        with self._lock:
            if self._queue is None:
                from crm_core.queueing import build_inbound_queue

                self._queue = build_inbound_queue(self.settings)
            return self._queue

    @property
    def parser(self) -> Parser:
        """The hybrid parser (built-in rules, GPT-4o when configured and the rules are unsure)."""
        with self._lock:
            if self._parser is None:
                from crm_core.parsing.hybrid import build_parser

                self._parser = build_parser(self.settings)
            return self._parser

    @property
    def media_fetcher(self) -> MediaFetcher:
        """The media downloader (allow-listed hosts, size cap, timeouts: crm_core.media.fetch)."""
        with self._lock:
            if self._media_fetcher is None:
                from crm_core.media.fetch import HttpMediaFetcher

                self._media_fetcher = HttpMediaFetcher(self.settings)
            return self._media_fetcher

    @property
    def transcriber(self) -> Transcriber | None:
        """Speech to text for voice notes (TRANSCRIBE_MODEL on the parser's OpenAI / Azure OpenAI), or None when no
        AI service is configured or TRANSCRIBE_MODEL is empty."""
        with self._lock:
            if self._transcriber is None and self.settings.llm_configured and self.settings.transcribe_model.strip():
                from crm_core.media.transcribe import OpenAITranscriber

                self._transcriber = OpenAITranscriber(self.settings)
            return self._transcriber

    @property
    def card_reader(self) -> CardReader | None:
        """GPT-4o reading visiting cards, or None when no AI service is configured."""
        with self._lock:
            if self._card_reader is None and self.settings.llm_configured:
                from crm_core.media.cards import OpenAICardReader

                self._card_reader = OpenAICardReader(self.settings)
            return self._card_reader

    @property
    def login_guard(self) -> LoginGuard:
        """Rate limits and the bound on concurrent password hashes of this process (from the LOGIN_* settings)."""
        with self._lock:
            if self._login_guard is None:
                from crm_core.security.limits import HashGate, LoginGuard, RateLimiter

                s = self.settings
                self._login_guard = LoginGuard(
                    RateLimiter(s.login_rate_per_client, s.login_rate_global),
                    HashGate(s.login_max_concurrent_hashes),
                )
            return self._login_guard


_container: Container | None = None
_container_lock = threading.Lock()


def get_container() -> Container:
    """The process-wide container (created on first use)."""
    global _container
    with _container_lock:
        if _container is None:
            _container = Container()
        return _container


def set_container(container: Container | None) -> None:
    """Replace the process-wide container (the local host, the CLI and tests)."""
    global _container
    with _container_lock:
        _container = container
