"""`python -m crm_core templates …` and `sweep --now …` (in process, on the test database)."""

from __future__ import annotations

import pytest

from crm_core.cli import main
from crm_core.composition import Container
from tests.conftest import FakeChannel
from tests.nurture.conftest import AMIT, Team, local, start


def test_templates_add_list_disable_enable(
    container: Container, team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "templates",
            "add",
            "--day",
            "10",
            "--time",
            "15:00",
            "--text",
            "Namaste {contact_name} ji",
            "--attachment-url",
            "https://files.example.in/offer.pdf",
            "--filename",
            "Diwali Offer.pdf",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "day 10 at 15:00, attachment Diwali Offer.pdf (application/pdf)" in out
    new_id = out.split("id=")[1].split()[0]
    assert main(["templates", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Diwali Offer.pdf" in listing and "Namaste {contact_name} ji" in listing and listing.count("post_demo") == 4
    assert main(["templates", "disable", new_id]) == 0 and "disabled" in capsys.readouterr().out
    assert main(["templates", "enable", new_id]) == 0 and "enabled" in capsys.readouterr().out
    assert main(["templates", "default"]) == 0 and "already has steps" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--day", "-1", "--text", "Hi"], "negative"),
        (["--day", "1", "--text", "Hi {who}"], "unknown placeholder {who}"),
        (["--day", "1", "--text", "Hi", "--time", "25:61"], "HH:MM"),
        (["--day", "1", "--text", "Hi", "--attachment-url", "www.example.com/a.pdf"], "http"),
        (["--day", "1", "--text", "Hi", "--filename", "a.pdf"], "needs an attachment URL"),
    ],
)
def test_templates_add_errors_exit_2_with_one_line(
    container: Container, team: Team, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    assert main(["templates", "add", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and needle in err and err.count("\n") == 1


def test_enable_unknown_step_exits_2(container: Container, team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "enable", "999"]) == 2
    assert "no Message Master step 999" in capsys.readouterr().err
    assert main(["templates", "disable", "x1"]) == 2


def test_sweep_now_sends_what_is_due_at_that_moment(
    container: Container, team: Team, fake_channel: FakeChannel, capsys: pytest.CaptureFixture[str]
) -> None:
    start(team, container.settings, local(2026, 11, 24, 17, 30))
    assert main(["sweep", "--now", "2026-11-25T09:59:00+05:30"]) == 0
    assert fake_channel.sent[AMIT][0].startswith("Good morning")  # the 09:00 digest
    assert len(fake_channel.sent[AMIT]) == 1
    assert main(["sweep", "--now", "2026-11-25T10:00"]) == 0  # no offset: team time
    out = capsys.readouterr().out
    assert "sent 1" in out and "2026-11-25T10:00+05:30" in out
    assert fake_channel.sent[AMIT][1].startswith("Follow-up 1/3 for *Sharma Traders*")
    assert main(["sweep", "--now", "yesterday"]) == 2
    assert "ISO 8601" in capsys.readouterr().err


def test_templates_edit_and_delete(container: Container, team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    from crm_core.nurture.templates import list_steps

    with container.database.transaction() as s:
        first = list_steps(s)[0].id
    assert main(["templates", "edit", str(first), "--attachment-url", "https://acme.in/Brochure-2026.pdf"]) == 0
    assert "attachment Brochure-2026.pdf" in capsys.readouterr().out
    assert main(["templates", "edit", str(first), "--day", "-5"]) == 2
    assert "negative" in capsys.readouterr().err
    assert main(["templates", "edit", str(first)]) == 2
    assert "nothing to change" in capsys.readouterr().err
    assert main(["templates", "edit", str(first), "--attachment-url", ""]) == 0
    assert main(["templates", "delete", str(first)]) == 0
    assert "0 pending reminder(s) cancelled" in capsys.readouterr().out
    assert main(["templates", "delete", str(first)]) == 2


def test_templates_default_with_a_brochure_link(container: Container, capsys: pytest.CaptureFixture[str]) -> None:
    from crm_core.nurture.templates import list_steps

    assert main(["templates", "list"]) == 0 and "no steps yet" in capsys.readouterr().out
    assert main(["templates", "default", "--brochure-url", "ftp://nope"]) == 2
    assert main(["templates", "default", "--brochure-url", "https://acme.in/files/Acme%20Brochure.pdf"]) == 0
    assert "created the default post-demo sequence (3 steps)" in capsys.readouterr().out
    with container.database.transaction() as s:
        first = list_steps(s)[0]
        assert first.attachment_url == "https://acme.in/files/Acme%20Brochure.pdf"
        assert first.attachment_filename == "Product-Brochure.pdf"


def test_sweep_dry_run_previews_without_sending_claiming_or_planning(
    container: Container, team: Team, fake_channel: FakeChannel, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from crm_core.db.models import Outbox

    start(team, container.settings, local(2026, 11, 24, 17, 30))

    def snapshot() -> list[tuple[int, str, str, object, object]]:
        with container.database.transaction() as s:
            rows = s.scalars(select(Outbox).order_by(Outbox.id))
            return [(r.id, r.kind, r.status, r.claim_token, r.due_at) for r in rows]

    before = snapshot()
    assert main(["sweep", "--dry-run", "--now", "2026-11-25T10:00"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dry run at 2026-11-25T10:00+05:30: would send 3, defer 0")
    assert "nothing was sent, claimed or planned" in out
    header, text, digest = out.split("\n#")[1:]  # in the order the sweep would send them
    assert header.startswith("1 reminder to Amit Kumar (+919800000011), Sharma Traders")
    assert "| Follow-up 1/3 for *Sharma Traders*" in header
    assert text.startswith("2 forward to Amit Kumar") and "| Namaste Rakesh Sharma ji," in text
    assert digest.startswith("3 digest to Amit Kumar (+919800000011)") and "Good morning, Amit Kumar!" in digest
    assert "[attachment: Product-Brochure.pdf]" in text
    assert fake_channel.messages == [] and snapshot() == before  # no digest row, nothing claimed or sent
    # The real sweep afterwards still has everything to send: the dry run used nothing up.
    assert main(["sweep", "--now", "2026-11-25T10:00"]) == 0
    assert "sent 3" in capsys.readouterr().out
    assert fake_channel.sent[AMIT][2].startswith("Good morning")
    assert main(["sweep", "--dry-run", "--now", "2026-11-25T10:05"]) == 0
    assert "would send 0" in capsys.readouterr().out


def test_sweep_dry_run_in_quiet_hours_says_what_would_wait(
    container: Container, team: Team, fake_channel: FakeChannel, capsys: pytest.CaptureFixture[str]
) -> None:
    from crm_core.db.models import User
    from crm_core.outbox import record

    with container.database.transaction() as s:
        amit = s.get(User, team.user("amit").id)
        assert amit is not None
        record(s, to=amit, body="Call Kumar Steels", kind="reminder", due_at=local(2026, 11, 24, 22, 0), urgent=False)
    assert main(["sweep", "--dry-run", "--now", "2026-11-24T22:30"]) == 0
    out = capsys.readouterr().out
    quiet = container.settings.quiet_hours_start != container.settings.quiet_hours_end
    reminder = next(block for block in out.split("\n#") if block.startswith("1 reminder"))
    assert "| Call Kumar Steels" in reminder
    assert ("waits until" in reminder) if quiet else ("waits" not in reminder)
    assert fake_channel.messages == []
