"""Azure Storage queues (Azurite locally), Base64-encoded as the Functions queue trigger expects by default.

Built from `AzureWebJobsStorage` (a connection string, or `UseDevelopmentStorage=true` for Azurite on
127.0.0.1:10001), or identity-based from `AzureWebJobsStorage__queueServiceUri` / `__accountName` (+ `__clientId`)
with a managed identity (no key anywhere). The SDK is imported on first use, never at import time.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

from crm_core.queueing.base import MessageGone, ReceivedMessage
from crm_core.settings import ConfigError, Settings

if TYPE_CHECKING:
    from azure.storage.queue import QueueClient

# The well-known Azurite development account (public, documented by Microsoft; not a secret).
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def development_connection_string(host: str = "127.0.0.1", port: int = 10001) -> str:
    """The connection string `UseDevelopmentStorage=true` stands for (Azurite's queue service)."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
        f"QueueEndpoint=http://{host}:{port}/{DEV_ACCOUNT};"
    )


def resolve_connection_string(value: str) -> str:
    """A usable connection string: `UseDevelopmentStorage=true[;DevelopmentStorageProxyUri=…]` becomes Azurite's."""
    parts = dict(p.split("=", 1) for p in value.split(";") if "=" in p)
    flags = {k.lower(): v for k, v in parts.items()}
    if flags.get("usedevelopmentstorage", "").lower() == "true":
        proxy = flags.get("developmentstorageproxyuri")
        if proxy:
            host = proxy.split("://", 1)[-1].rstrip("/").split(":")[0]
            return development_connection_string(host)
        return development_connection_string()
    if "accountname" not in flags and "queueendpoint" not in flags:
        raise ConfigError("Setting AzureWebJobsStorage is invalid: not a storage connection string")
    return value


def _client(settings: Settings, name: str) -> QueueClient:
    from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy

    policies: dict[str, Any] = {
        "message_encode_policy": TextBase64EncodePolicy(),
        "message_decode_policy": TextBase64DecodePolicy(),
    }
    if settings.azure_web_jobs_storage:
        conn = resolve_connection_string(settings.azure_web_jobs_storage)
        return QueueClient.from_connection_string(conn, name, **policies)
    account_url = settings.queue_service_uri
    if not account_url and settings.storage_account_name:
        account_url = f"https://{settings.storage_account_name}.queue.core.windows.net"
    if not account_url:
        raise ConfigError(
            "Setting AzureWebJobsStorage is missing: give a connection string, UseDevelopmentStorage=true, "
            "or AzureWebJobsStorage__queueServiceUri for a managed identity"
        )
    from azure.identity import DefaultAzureCredential

    credential = DefaultAzureCredential(managed_identity_client_id=settings.storage_client_id)
    return QueueClient(account_url=account_url, queue_name=name, credential=credential, **policies)


class AzureStorageQueue:
    """One Azure Storage queue; created on first use if missing; bodies travel Base64-encoded."""

    def __init__(self, settings: Settings, name: str, *, client: QueueClient | None = None) -> None:
        self.name = name
        self._settings = settings
        self._client = client
        self._ready = False
        self._lock = threading.Lock()

    @property
    def client(self) -> QueueClient:
        """The SDK client (the queue is created the first time)."""
        with self._lock:
            if self._client is None:
                self._client = _client(self._settings, self.name)
            if not self._ready:
                from azure.core.exceptions import ResourceExistsError

                with contextlib.suppress(ResourceExistsError):
                    self._client.create_queue()
                self._ready = True
            return self._client

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        """Enqueue one message body; visible after delay_seconds (the visibility timeout of a new message)."""
        self.client.send_message(body, visibility_timeout=int(delay_seconds) if delay_seconds > 0 else None)

    def receive(self, max_messages: int = 1, visibility_timeout: float = 30.0) -> list[ReceivedMessage]:
        """Take up to max_messages (at most 32) visible messages, hiding them for visibility_timeout seconds."""
        count = max(1, min(32, max_messages))
        pager = self.client.receive_messages(
            messages_per_page=count, visibility_timeout=max(1, round(visibility_timeout)), max_messages=count
        )
        return [_received(m) for m in pager]

    def delete(self, message: ReceivedMessage) -> None:
        """Remove a received message (MessageGone when its pop receipt is stale)."""
        from azure.core.exceptions import HttpResponseError

        try:
            self.client.delete_message(message.id, message.pop_receipt)
        except HttpResponseError as exc:
            raise _gone(message, exc) from exc

    def release(self, message: ReceivedMessage, visibility_timeout: float = 0.0) -> ReceivedMessage:
        """Make a received message visible again after visibility_timeout seconds; the new receipt is returned."""
        from azure.core.exceptions import HttpResponseError

        try:
            updated = self.client.update_message(
                message.id, message.pop_receipt, visibility_timeout=max(0, round(visibility_timeout))
            )
        except HttpResponseError as exc:
            raise _gone(message, exc) from exc
        return ReceivedMessage(
            id=message.id,
            pop_receipt=updated.pop_receipt or message.pop_receipt,
            dequeue_count=message.dequeue_count,
            body=message.body,
            inserted_at=message.inserted_at,
            expires_at=message.expires_at,
            next_visible_at=updated.next_visible_on,
        )

    def count(self) -> int:
        """How many messages the queue holds (Azure's approximate count)."""
        return int(self.client.get_queue_properties().approximate_message_count or 0)

    def peek(self, max_messages: int = 32) -> list[str]:
        """The bodies of up to max_messages (at most 32) visible messages, without receiving them."""
        return [str(m.content) for m in self.client.peek_messages(max_messages=max(1, min(32, max_messages)))]

    def close(self) -> None:
        """Close the SDK client's connections."""
        with self._lock:
            if self._client is not None:
                self._client.close()


def _gone(message: ReceivedMessage, exc: Exception) -> Exception:
    """MessageGone for a missing message or a stale pop receipt; any other storage error as it is."""
    raw = getattr(exc, "error_code", None)
    code = str(getattr(raw, "value", raw) or "")
    if getattr(exc, "status_code", None) == 404 or code in ("MessageNotFound", "PopReceiptMismatch"):
        return MessageGone(f"message {message.id} is gone or was received again since ({code or 'not found'})")
    return exc


def _received(m: Any) -> ReceivedMessage:
    return ReceivedMessage(
        id=str(m.id),
        pop_receipt=str(m.pop_receipt),
        dequeue_count=int(m.dequeue_count or 1),
        body=str(m.content),
        inserted_at=m.inserted_on,
        expires_at=m.expires_on,
        next_visible_at=m.next_visible_on,
    )
