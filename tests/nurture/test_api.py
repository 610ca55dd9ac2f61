"""GET/POST/PUT/DELETE /api/message-master through the API app (FastAPI's TestClient): roles, validation (400), 404."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crm_core.composition import Container
from tests.api.client import ApiClient
from tests.api.tokens import token_for
from tests.nurture.conftest import Team


class Api:
    """Calls /api/message-master[/{id}] on the API app."""

    def __init__(self, container: Container, team: Team) -> None:
        self.container = container
        self.team = team
        self.client = ApiClient()

    def token(self, username: str) -> str:
        return token_for(self.container, self.team.user(username).id)

    def call(
        self,
        method: str,
        path: str = "",
        *,
        user: str | None = "admin",
        body: Any = None,
        raw: bytes | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        url = f"/api/message-master{'/' + path if path else ''}{query}"
        resp = self.client.request(method, url, body=data, headers=headers)
        return resp.status, (resp.json if resp.body else None)


@pytest.fixture
def api(container: Container, team: Team) -> Api:
    return Api(container, team)


def test_list_shows_the_default_sequence_in_send_order(api: Api) -> None:
    status, body = api.call("GET")
    assert status == 200
    assert [(i["day"], i["time"], i["step"]) for i in body["items"]] == [
        (1, "10:00", 1),
        (3, "11:00", 2),
        (7, "10:30", 3),
    ]
    assert body["items"][0]["filename"] == "Product-Brochure.pdf"
    status, body = api.call("GET", params={"sequence": "post_meeting"})
    assert status == 200 and body["items"] == []
    status, body = api.call("GET", params={"sequence": "Bad Name!"})
    assert status == 400 and body["error"]["code"] == "validation_error"


def test_leader_creates_updates_and_deletes_a_step(api: Api) -> None:
    new = {
        "day": 14,
        "time": "12:15",
        "text": "Hi {contact_name}, any update from {company}?",
        "attachment_url": "https://files.example.in/case-study.pdf",
    }
    status, created = api.call("POST", user="priya", body=new)
    assert status == 201 and created["mime"] == "application/pdf"
    # A leader's step starts her team's own sequence (the organisation's three steps are not hers to extend).
    assert created["team_leader_id"] == api.team.user("priya").id and created["step"] == 1
    sid = str(created["id"])
    status, got = api.call("GET", sid, user="priya")
    assert status == 200 and got == created
    status, changed = api.call("PUT", sid, user="priya", body={"time": "17:00", "active": False})
    assert status == 200 and changed["time"] == "17:00" and changed["active"] is False and changed["day"] == 14
    status, deleted = api.call("DELETE", sid, user="admin")
    assert status == 200 and deleted == {"id": created["id"], "deleted": True, "cancelled_reminders": 0}
    status, body = api.call("GET", sid)
    assert status == 404 and body["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"day": 2, "text": "Hello {client}"}, "unknown placeholder {client}"),
        ({"day": -2, "text": "Hello"}, "negative"),
        ({"day": 2, "text": "Hello", "attachment_url": "file:///etc/passwd"}, "http"),
        ({"day": 2, "text": "Hello", "time": "7 pm"}, "HH:MM"),
        ({"day": 2}, "text is required"),
    ],
)
def test_invalid_steps_answer_400_and_change_nothing(api: Api, body: dict[str, Any], needle: str) -> None:
    status, answer = api.call("POST", body=body)
    assert status == 400 and answer["error"]["code"] == "validation_error" and needle in answer["error"]["message"]
    assert len(api.call("GET")[1]["items"]) == 3


def test_put_validation_and_unknown_ids(api: Api) -> None:
    first = str(api.call("GET")[1]["items"][0]["id"])
    status, answer = api.call("PUT", first, body={"text": "Hi {nme}"})
    assert status == 400 and "{nme}" in answer["error"]["message"]
    assert api.call("GET", first)[1]["text"].startswith("Namaste")
    for bad in ("999", "0", "abc", "99999999999999"):
        for method, body in (("GET", None), ("PUT", {"day": 1}), ("DELETE", None)):
            status, answer = api.call(method, bad, body=body)
            assert status == 404 and answer["error"]["code"] == "not_found", (method, bad)
    status, answer = api.call("POST", raw=b"{not json")
    assert status == 400


def test_members_are_refused_and_anonymous_callers_must_log_in(api: Api) -> None:
    first = str(api.call("GET")[1]["items"][0]["id"])
    for method, path, body in (
        ("GET", "", None),
        ("POST", "", {"day": 1, "text": "x"}),
        ("GET", first, None),
        ("PUT", first, {"day": 2}),
        ("DELETE", first, None),
    ):
        status, answer = api.call(method, path, user="amit", body=body)
        assert status == 403 and answer["error"]["code"] == "forbidden", (method, path)
        status, answer = api.call(method, path, user=None, body=body)
        assert status == 401, (method, path)
    assert len(api.call("GET")[1]["items"]) == 3


def test_deleting_a_step_cancels_its_pending_reminders(api: Api, team: Team) -> None:
    from tests.nurture.conftest import local, start

    start(team, api.container.settings, local(2026, 11, 24, 17, 30))
    first = api.call("GET")[1]["items"][0]["id"]
    status, answer = api.call("DELETE", str(first))
    assert status == 200 and answer["cancelled_reminders"] == 1
    assert [r.status for r in team.reminders()] == ["cancelled", "pending", "pending"]
    assert all(r.template_id is None for r in team.reminders("cancelled"))


def test_options_preflight_lists_the_methods(api: Api) -> None:
    resp = api.client.request("OPTIONS", "/api/message-master")
    assert resp.status == 204 and resp.headers["Allow"] == "GET, POST, OPTIONS"
    resp = api.client.request("OPTIONS", "/api/message-master/1")
    assert resp.status == 204 and resp.headers["Allow"] == "GET, PUT, DELETE, OPTIONS"


def test_a_leader_reads_but_never_changes_the_organisations_steps(api: Api, team: Team) -> None:
    """Any leader could once rewrite or delete the organisation's Message Master."""
    from tests.nurture.conftest import local, start

    start(team, api.container.settings, local(2026, 11, 24, 17, 30))  # Amit's lead: three pending follow-ups
    org = api.call("GET", user="priya")[1]["items"]
    assert [i["team_leader_id"] for i in org] == [None, None, None]
    first = str(org[0]["id"])
    assert api.call("GET", first, user="priya")[0] == 200
    status, answer = api.call("PUT", first, user="priya", body={"text": "Rewritten"})
    assert status == 403 and "only admins" in answer["error"]["message"]
    status, answer = api.call("DELETE", first, user="priya")
    assert status == 403
    status, answer = api.call("POST", user="priya", body={"day": 1, "text": "x", "team_leader_id": None})
    assert status == 403
    assert api.call("GET", first)[1]["text"].startswith("Namaste")
    assert [r.status for r in team.reminders()] == ["pending", "pending", "pending"]


def test_admins_add_steps_to_a_team_or_the_organisation(api: Api) -> None:
    priya = api.team.user("priya").id
    status, created = api.call("POST", body={"day": 2, "text": "For Priya's team", "team_leader_id": priya})
    assert status == 201 and created["team_leader_id"] == priya
    status, created = api.call("POST", body={"day": 2, "text": "For everyone"})
    assert status == 201 and created["team_leader_id"] is None and created["step"] == 4
    amit = api.team.user("amit").id
    status, answer = api.call("POST", body={"day": 2, "text": "x", "team_leader_id": amit})
    assert status == 400 and "not a team leader" in answer["error"]["message"]
    status, answer = api.call("POST", body={"day": 2, "text": "x", "team_leader_id": "priya"})
    assert status == 400
    status, answer = api.call("PUT", str(created["id"]), body={"team_leader_id": priya})
    assert status == 400 and "stays in its sequence" in answer["error"]["message"]
