"""The webhook stays a pure enqueue for voice notes and photos: no SQL, no download, no model."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func

from crm_core.composition import Container, set_container
from crm_core.pipeline.webhook import handle_webhook
from crm_core.settings import load_settings
from tests.pipeline.test_webhook import RecordingQueue, payload

SECRET = "test-webhook-secret"


class Forbidden:
    """A port the webhook must never touch."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the webhook must not use {name}")


def test_voice_notes_and_photos_are_only_enqueued():
    queue = RecordingQueue()
    settings = load_settings(WEBHOOK_SECRET=SECRET, CHANNEL="console", QUEUE_BACKEND="memory", OPENAI_API_KEY="sk-test")
    forbidden: Any = Forbidden()
    container = Container(
        settings,
        database=forbidden,
        queue=queue,
        media_fetcher=forbidden,
        transcriber=forbidden,
        card_reader=forbidden,
        parser=forbidden,
    )
    set_container(container)
    messages = [
        {"id": "a", "type": "ptt", "url": "http://169.254.169.254/latest/meta-data/", "mime": "audio/ogg"},
        {"id": "b", "type": "audio", "url": "https://cdnydm.com/wh_new/a.mp3", "mime": "audio/mpeg"},
        {"id": "c", "type": "image", "url": "https://cdnydm.com/wh_new/c.jpg", "caption": "card", "mime": "image/jpeg"},
    ]
    for message in messages:
        req = func.HttpRequest(
            method="POST",
            url="/api/webhook",
            params={"secret": SECRET},
            body=json.dumps(payload(message=message)).encode(),
        )
        resp = handle_webhook(req)
        assert resp.status_code == 200 and json.loads(resp.get_body())["status"] == "queued"
    assert [e.kind for e in queue.envelopes] == ["voice", "voice", "image"]
