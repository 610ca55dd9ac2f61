"""From the app to the bot and back: POST /api/app → queue → processing → GET /api/app/messages and history."""

from __future__ import annotations

import pytest


def test_app_command_creates_a_lead_and_the_reply_reaches_the_inbox(client, world, queue, api_container):
    process = pytest.importorskip("crm_core.pipeline.process")
    r = client.post("/api/app", json_body={"text": "New lead: Kiran Motors"}, token=world.token("m1a"))
    assert r.status == 202
    for body in queue.bodies:
        process.process_queue_message(body)
    inbox = client.get("/api/app/messages", token=world.token("m1a")).json["items"]
    assert inbox, "the bot's reply to an app message goes to the app inbox"
    assert any("Kiran Motors" in m["body"] for m in inbox)
    leads = client.get(f"/api/leads/{world.users['m1a'].id}?q=kiran", token=world.token("m1a")).json["items"]
    assert [lead["company"] for lead in leads] == ["Kiran Motors"]
    history = client.get(f"/api/history/{leads[0]['id']}", token=world.token("leader1")).json["items"]
    kinds = [i["kind"] for i in history]
    assert kinds[0] == "lead_created"
    assert "message_in" in kinds and "message_out" in kinds
    incoming = next(i for i in history if i["kind"] == "message_in")
    assert incoming["text"] == "New lead: Kiran Motors" and incoming["actor"]["username"] == "m1a"
