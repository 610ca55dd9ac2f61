"""The role matrix over both doors: admin, leader A, leader B, a member of A and a member of B.

Every actor is tried on every lead, through WhatsApp (status, schedule, note, reassign, won, lost, the duplicate
check on new_lead) and through the REST API (/api/leads/{user_id}, /api/history/{lead_id},
/api/activities/{lead_id}, /api/tasks, /api/pipeline, /api/message-master). The expected scope is written out
here by hand (EXPECTED), not computed with crm_core.access, so the test checks the module rather than restating it:

- members: the leads they own or created; leaders: their team's (users whose leader they are) and their own;
  admins: all. The admin shares leader A's team *label* ("north"): a label grants nothing.

Both doors must agree with EXPECTED and with each other, and no reply text or API body may name a lead outside
the actor's scope (its company, or the name of its owner when that owner is outside the actor's scope) — beyond
echoing what the actor wrote ("I couldn't find a lead called *X*" answers alike whether X exists or not).

Each case runs on a private copy of one seeded SQLite file (seeding once keeps 200+ cases fast).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_core.accounts import NewUser, create_user
from crm_core.clock import FixedClock
from crm_core.composition import Container, set_container
from crm_core.db.models import Activity, ConversationState, Event, Lead, Outbox, User
from crm_core.db.session import Database
from crm_core.security.tokens import issue_token
from crm_core.settings import Settings, load_settings
from tests.api.client import ApiClient, Response
from tests.api.tokens import TEST_HASH
from tests.conftest import NOW, FakeChannel
from tests.workflows.conftest import Bot, cmd

# username -> (name, phone, role, leader username, team label)
USERS: dict[str, tuple[str, str, str, str | None, str | None]] = {
    "asha": ("Asha Admin", "+919700000001", "admin", None, "north"),  # admin, same label as leader A
    "lata": ("Lata Northlead", "+919700000002", "leader", None, "north"),  # leader A
    "mohan": ("Mohan Northmember", "+919700000003", "member", "lata", None),  # member of A
    "vikram": ("Vikram Southlead", "+919700000004", "leader", None, "south"),  # leader B
    "ravi": ("Ravi Southmember", "+919700000005", "member", "vikram", None),  # member of B
}
ACTORS = tuple(USERS)

# company -> (owner, creator, phone)
LEADS: dict[str, tuple[str, str, str]] = {
    "Alpha Agro": ("mohan", "mohan", "+919811000001"),
    "Apex Foods": ("lata", "lata", "+919811000002"),
    "Bravo Steel": ("ravi", "ravi", "+919811000003"),
    "Beacon Mills": ("vikram", "vikram", "+919811000004"),
    "Orion Traders": ("asha", "asha", "+919811000005"),
    "Handover Works": ("lata", "mohan", "+919811000006"),  # created by mohan for his leader
}
COMPANIES = tuple(LEADS)

# Written out by hand: which leads each actor may see and act on.
EXPECTED: dict[str, set[str]] = {
    "asha": set(COMPANIES),
    "lata": {"Alpha Agro", "Apex Foods", "Handover Works"},
    "vikram": {"Bravo Steel", "Beacon Mills"},
    "mohan": {"Alpha Agro", "Handover Works"},
    "ravi": {"Bravo Steel"},
}
# Whom each actor may see as a user (API /api/leads/{user_id}, /api/tasks/{username}).
USERS_SEEN: dict[str, set[str]] = {
    "asha": set(USERS),
    "lata": {"lata", "mohan"},
    "vikram": {"vikram", "ravi"},
    "mohan": {"mohan"},
    "ravi": {"ravi"},
}
# Each actor's team: names that may appear in their replies whatever the lead.
TEAM_OF: dict[str, set[str]] = {
    "asha": set(USERS),
    "lata": {"lata", "mohan"},
    "mohan": {"lata", "mohan"},
    "vikram": {"vikram", "ravi"},
    "ravi": {"vikram", "ravi"},
}
# A reassignment target in the actor's own team who does not own the lead yet.
TEAMMATE = {"asha": ("vikram", "lata"), "lata": ("mohan", "lata"), "vikram": ("ravi", "vikram"),
            "mohan": ("lata", "mohan"), "ravi": ("vikram", "ravi")}  # fmt: skip

WHEN = "2026-11-26T16:00:00+05:30"
DUPLICATE_HIDDEN = (  # the whole reply when the duplicate is out of scope (members, leaders)
    "A lead with this phone already exists — ask your leader.",
    "A lead with this phone already exists — ask an admin.",
)
ACTIONS = ("status", "schedule", "note", "reassign", "won", "lost", "duplicate")


def _settings(path: Path) -> Settings:
    return load_settings(
        DATABASE_URL=f"sqlite:///{path}",
        WEBHOOK_SECRET="test-webhook-secret",
        AUTH_SECRET="test-auth-secret-0123456789abcdef0123456789",
        CHANNEL="console",
        QUEUE_BACKEND="memory",
        ORDERING_WINDOW_SECONDS=0,
        DIGEST_ENABLED=False,
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file with the five users and the leads; each test copies it."""
    from crm_core.db.migrate import upgrade

    path = tmp_path_factory.mktemp("matrix") / "seed.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    with database.transaction() as s:
        ids: dict[str, int] = {}
        for username, (name, phone, role, leader, team) in USERS.items():
            new = NewUser(
                username=username, name=name, phone=phone, role=role, leader=leader, team=team, password_hash=TEST_HASH
            )
            ids[username] = create_user(s, new).id
        at = NOW - timedelta(days=2)
        for company, (owner, creator, phone) in LEADS.items():
            s.add(
                Lead(
                    company=company,
                    company_key=company.lower().replace(" ", ""),
                    contact_name="Contact Person",
                    phone=phone,
                    status="new",
                    owner_id=ids[owner],
                    creator_id=ids[creator],
                    created_at=at,
                    updated_at=at,
                    last_activity_at=at,
                )
            )
    database.dispose()
    return path


@dataclass
class World:
    """A private copy of the seeded database, with the WhatsApp door (bot) and the API door (client)."""

    db: Database
    bot: Bot
    api: ApiClient
    container: Container

    def token(self, username: str) -> str:
        u = self.bot.user(username)
        return issue_token(u.id, u.password_hash, self.container.settings, self.container.clock.now())[0]

    def get(self, actor: str, path: str) -> Response:
        return self.api.get(path, token=self.token(actor))

    def call(self, method: str, actor: str, path: str, body: Any = None) -> Response:
        return self.api.request(method, path, token=self.token(actor), json_body=body)

    def lead_id(self, company: str) -> int:
        return self.bot.lead(company).id

    def snapshot(self, company: str) -> tuple[Any, ...]:
        """What a refused command must leave unchanged: the lead's row, events, activities, leads in total."""
        with self.db.transaction() as s:
            lead = s.scalar(select(Lead).where(Lead.company == company))
            assert lead is not None
            events = s.scalar(select(func.count()).select_from(Event).where(Event.lead_id == lead.id))
            acts = s.scalar(select(func.count()).select_from(Activity).where(Activity.lead_id == lead.id))
            leads = s.scalar(select(func.count()).select_from(Lead))
            return (lead.status, lead.owner_id, lead.updated_at, events, acts, leads)


@pytest.fixture
def world(seeded: Path, tmp_path: Path) -> Iterator[World]:
    path = tmp_path / "crm.db"
    shutil.copyfile(seeded, path)
    settings = _settings(path)
    db = Database(settings.database_url)
    clock = FixedClock(NOW)
    container = Container(settings, database=db, clock=clock, whatsapp=FakeChannel())
    set_container(container)
    try:
        yield World(db=db, bot=Bot(db, clock, settings), api=ApiClient(), container=container)
    finally:
        set_container(None)
        db.dispose()


def _hidden_names(actor: str) -> set[str]:
    """Texts that must never reach the actor: out-of-scope companies, and owners of those outside their view."""
    hidden = set(COMPANIES) - EXPECTED[actor]
    visible_people = TEAM_OF[actor] | {LEADS[c][0] for c in EXPECTED[actor]} | {LEADS[c][1] for c in EXPECTED[actor]}
    names = {USERS[LEADS[c][0]][0] for c in hidden if LEADS[c][0] not in visible_people}
    return hidden | names


def _assert_discloses_nothing(actor: str, text: str) -> None:
    for secret in _hidden_names(actor):
        assert secret not in text, f"{actor} was shown {secret!r}: {text!r}"


def _command(world: World, actor: str, company: str, action: str) -> Any:
    owner = LEADS[company][0]
    if action == "status":
        return cmd("lead_info", company=company)
    if action == "schedule":
        return cmd("schedule_meeting", company=company, when=WHEN)
    if action == "note":
        return cmd("add_activity", company=company, note="called them")
    if action == "reassign":
        first, second = TEAMMATE[actor]
        target = first if first != owner else second
        return cmd("reassign_lead", company=company, assignee=USERS[target][0])
    if action == "won":
        return cmd("mark_won", company=company)
    if action == "lost":
        return cmd("mark_lost", company=company, note="price")
    assert action == "duplicate"
    return cmd("new_lead", company="Fresh Prospect Pvt Ltd", phone=LEADS[company][2])


def _whatsapp(world: World, actor: str, company: str, action: str) -> bool:
    """Run one WhatsApp command; True when it acted on the lead, False when it was 'not found' (checked)."""
    bot = world.bot
    before = world.snapshot(company)
    outbox_before = bot.count_outbox()
    bot.say(actor, f"{action} {company}", _command(world, actor, company, action))
    reply = bot.last(actor)
    typed = company if action != "duplicate" else "Fresh Prospect Pvt Ltd"
    _assert_discloses_nothing(actor, reply.replace(typed, "…"))  # echoing what the actor wrote reveals nothing
    after = world.snapshot(company)
    lead = bot.lead(company)
    if action == "duplicate":
        assert after[-1] == before[-1], "a duplicate lead was created"
        if reply in DUPLICATE_HIDDEN:
            assert bot.state(actor) is None and bot.count_outbox() == outbox_before + 1
            return False
        assert "already exists" in reply and f"*{company}*" in reply, reply
        state = bot.state(actor)
        assert state is not None and state.awaiting == "confirm_duplicate" and state.lead_id == lead.id
        return True
    if "couldn't find" in reply or "Did you mean" in reply:
        assert after == before, "a refused command changed the lead"
        assert bot.count_outbox() == outbox_before + 1  # the reply only: nobody else is told anything
        return False
    assert f"*{company}*" in reply, reply
    if action == "status":
        assert USERS[LEADS[company][0]][0] in reply
    elif action == "schedule":
        assert after[3] == before[3] + 1
    elif action == "note":
        assert bot.activities(lead.id)[-1].text == "called them"
    elif action == "reassign":
        assert lead.owner_id != before[1]
    else:
        assert lead.status == action
    return True


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("company", COMPANIES)
@pytest.mark.parametrize("actor", ACTORS)
def test_whatsapp_acts_exactly_on_the_leads_in_scope(world: World, actor: str, company: str, action: str) -> None:
    assert _whatsapp(world, actor, company, action) == (company in EXPECTED[actor])


@pytest.mark.parametrize("route", ["history", "activities"])
@pytest.mark.parametrize("company", COMPANIES)
@pytest.mark.parametrize("actor", ACTORS)
def test_api_reads_exactly_the_leads_in_scope(world: World, actor: str, company: str, route: str) -> None:
    resp = world.get(actor, f"/api/{route}/{world.lead_id(company)}")
    _assert_discloses_nothing(actor, resp.body.decode())
    if company in EXPECTED[actor]:
        assert resp.status == 200, resp.body
    else:
        missing = world.get(actor, f"/api/{route}/987654")
        assert (resp.status, resp.json) == (missing.status, missing.json) == (404, missing.json)


@pytest.mark.parametrize("company", COMPANIES)
@pytest.mark.parametrize("actor", ACTORS)
def test_both_doors_agree(world: World, actor: str, company: str) -> None:
    api_reads = world.get(actor, f"/api/history/{world.lead_id(company)}").status == 200
    whatsapp_acts = _whatsapp(world, actor, company, "note")
    assert api_reads == whatsapp_acts == (company in EXPECTED[actor])


@pytest.mark.parametrize("actor", ACTORS)
def test_api_lead_lists_cover_exactly_the_scope(world: World, actor: str) -> None:
    seen: set[str] = set()
    for username in USERS:
        resp = world.get(actor, f"/api/leads/{world.bot.user(username).id}")
        _assert_discloses_nothing(actor, resp.body.decode())
        if username in USERS_SEEN[actor]:
            assert resp.status == 200, resp.body
            seen |= {item["company"] for item in resp.json["items"]}
        else:
            assert resp.status == 403 and resp.error_code == "forbidden"
    assert seen == EXPECTED[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_tasks_and_pipeline_name_nothing_out_of_scope(world: World, actor: str) -> None:
    for company in COMPANIES:  # a meeting on every lead, each assigned to the lead's owner
        owner = LEADS[company][0]
        world.bot.say(owner, "x", cmd("schedule_meeting", company=company, when=WHEN))
    for username in USERS:
        resp = world.get(actor, f"/api/tasks/{username}?from=2026-11-24&to=2026-11-30")
        assert resp.status == (200 if username in USERS_SEEN[actor] else 403), resp.body
        _assert_discloses_nothing(actor, resp.body.decode())
    pipeline = world.get(actor, "/api/pipeline?stale_days=1")
    _assert_discloses_nothing(actor, pipeline.body.decode())
    if USERS[actor][2] == "member":
        assert pipeline.status == 403
    else:
        assert pipeline.status == 200 and pipeline.json["total"] == len(EXPECTED[actor])
        owners = {item["owner"]["username"] for item in pipeline.json["by_owner"]}
        assert owners == {LEADS[c][0] for c in EXPECTED[actor]}


def test_parse_context_offers_only_leads_in_scope(world: World) -> None:
    for actor in ACTORS:
        world.bot.say(actor, "hello")
        assert world.bot.parser is not None
        assert set(world.bot.parser.calls[0][1].recent_leads) == EXPECTED[actor], actor


# --- Message Master -----------------------------------------------------------------------------------------------

STEP = {"day": 2, "time": "11:00", "text": "Hello {contact_name}, {assignee} here."}


def _steps(world: World) -> dict[str, int]:
    """An organisation step (by the admin) and one step per team (each by its leader)."""
    ids = {}
    for owner, body in (("asha", {**STEP, "text": "org step"}), ("lata", {**STEP, "text": "north step"}),
                        ("vikram", {**STEP, "text": "south step"})):  # fmt: skip
        resp = world.call("POST", owner, "/api/message-master", body)
        assert resp.status == 201, resp.body
        ids[owner] = resp.json["id"]
    return {"org": ids["asha"], "north": ids["lata"], "south": ids["vikram"]}


# (actor, step) -> (GET, PUT, DELETE) statuses
MM_EXPECTED = {
    ("asha", "org"): (200, 200, 200), ("asha", "north"): (200, 200, 200), ("asha", "south"): (200, 200, 200),
    ("lata", "org"): (200, 403, 403), ("lata", "north"): (200, 200, 200), ("lata", "south"): (404, 404, 404),
    ("vikram", "org"): (200, 403, 403), ("vikram", "north"): (404, 404, 404), ("vikram", "south"): (200, 200, 200),
    ("mohan", "org"): (403, 403, 403), ("mohan", "north"): (403, 403, 403), ("mohan", "south"): (403, 403, 403),
    ("ravi", "org"): (403, 403, 403), ("ravi", "north"): (403, 403, 403), ("ravi", "south"): (403, 403, 403),
}  # fmt: skip
MM_LIST = {"asha": {"org", "north", "south"}, "lata": {"org", "north"}, "vikram": {"org", "south"}}


@pytest.mark.parametrize(("actor", "step"), list(MM_EXPECTED))
def test_message_master_routes_are_scoped(world: World, actor: str, step: str) -> None:
    ids = _steps(world)
    path = f"/api/message-master/{ids[step]}"
    get, put, delete = MM_EXPECTED[(actor, step)]
    resp = world.call("GET", actor, path)
    assert resp.status == get, resp.body
    resp = world.call("PUT", actor, path, {"text": "changed"})
    assert resp.status == put, resp.body
    resp = world.call("DELETE", actor, path)
    assert resp.status == delete, resp.body
    owner = {"org": "asha", "north": "lata", "south": "vikram"}[step]
    remaining = {i["id"]: i["text"] for i in world.call("GET", owner, "/api/message-master").json["items"]}
    assert (ids[step] in remaining) == (delete != 200)
    if put != 200 and ids[step] in remaining:
        assert remaining[ids[step]] == f"{step} step"


@pytest.mark.parametrize("actor", ACTORS)
def test_message_master_list_shows_the_organisation_and_own_team(world: World, actor: str) -> None:
    ids = _steps(world)
    resp = world.call("GET", actor, "/api/message-master")
    if actor not in MM_LIST:
        assert resp.status == 403
        return
    assert resp.status == 200
    names = {name for name, i in ids.items() if i in {item["id"] for item in resp.json["items"]}}
    assert names == MM_LIST[actor]


def test_a_leader_cannot_write_into_another_team_or_the_organisation(world: World) -> None:
    vikram = world.bot.user("vikram").id
    resp = world.call("POST", "lata", "/api/message-master", {**STEP, "team_leader_id": vikram})
    assert resp.status == 403
    resp = world.call("POST", "lata", "/api/message-master", {**STEP, "team_leader_id": None})
    assert resp.status == 403
    resp = world.call("POST", "lata", "/api/message-master", STEP)
    assert resp.status == 201 and resp.json["team_leader_id"] == world.bot.user("lata").id


def _reminders(world: World, company: str) -> list[Outbox]:
    with world.db.transaction() as s:
        stmt = select(Outbox).where(Outbox.kind == "reminder", Outbox.lead_id == world.lead_id(company))
        return list(s.scalars(stmt.order_by(Outbox.id)))


def test_demo_done_uses_the_owners_team_sequence_else_the_organisations(world: World) -> None:
    _steps(world)
    for company in ("Alpha Agro", "Bravo Steel", "Orion Traders", "Apex Foods"):
        world.bot.say(LEADS[company][0], "x", cmd("demo_done", company=company))
    texts = {c: [(r.data or {})["template_text"] for r in _reminders(world, c)] for c in LEADS}
    assert texts["Alpha Agro"] == ["north step"]  # member of A: A's sequence
    assert texts["Apex Foods"] == ["north step"]  # leader A: A's sequence
    assert texts["Bravo Steel"] == ["south step"]
    assert texts["Orion Traders"] == ["org step"]  # the admin is in no team


def test_a_leader_never_cancels_another_teams_pending_follow_ups(world: World) -> None:
    ids = _steps(world)
    world.bot.say("mohan", "x", cmd("demo_done", company="Alpha Agro"))  # north step scheduled for mohan
    world.bot.say("asha", "x", cmd("reassign_lead", company="Alpha Agro", assignee="Ravi Southmember"))
    [pending] = _reminders(world, "Alpha Agro")
    assert pending.status == "pending" and pending.recipient_user_id == world.bot.user("ravi").id
    resp = world.call("DELETE", "lata", f"/api/message-master/{ids['north']}")
    assert resp.status == 200 and resp.json["cancelled_reminders"] == 0
    [after] = _reminders(world, "Alpha Agro")
    assert after.status == "pending"  # now team B's lead: team A's leader does not touch it


def test_refusals_leave_no_conversation_state(world: World) -> None:
    world.bot.say("ravi", "x", cmd("new_lead", company="Fresh Prospect", phone=LEADS["Alpha Agro"][2]))
    with world.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ConversationState)) == 0
        assert s.scalar(select(func.count()).select_from(User)) == len(USERS)
