"""Message Master steps: validation with clear messages, CRUD, the default sequence, rendering."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from crm_core.db.models import MessageTemplate
from crm_core.db.session import Database
from crm_core.nurture import templates as tpl
from tests.nurture.conftest import NOW_FIXED as NOW


def _count(db: Database) -> int:
    with db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(MessageTemplate)) or 0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"day": 1, "text": "Hi {name}"}, "unknown placeholder {name}"),
        ({"day": 1, "text": "Hi {}"}, "unknown placeholder {}"),
        ({"day": 1, "text": "Hi {company.upper}"}, "unknown placeholder {company.upper}"),
        ({"day": 1, "text": "Hi {company:>10}"}, "takes no format"),
        ({"day": 1, "text": "Hi {company"}, "unmatched"),
        ({"day": 1, "text": "   "}, "must not be empty"),
        ({"day": 1, "text": "x" * 4001}, "limit is 4000"),
        ({"day": -1, "text": "Hi"}, "must not be negative"),
        ({"day": "two", "text": "Hi"}, "not a whole number"),
        ({"day": 366, "text": "Hi"}, "at most 365"),
        ({"day": True, "text": "Hi"}, "whole number"),
        ({"text": "Hi"}, "day is required"),
        ({"day": 1}, "text is required"),
        ({"day": 1, "text": "Hi", "time": "25:00"}, "not HH:MM"),
        ({"day": 1, "text": "Hi", "time": "9am"}, "not HH:MM"),
        ({"day": 1, "text": "Hi", "attachment_url": "ftp://x.com/a.pdf"}, "not an http:// or https:// link"),
        ({"day": 1, "text": "Hi", "attachment_url": "javascript:alert(1)"}, "not an http:// or https:// link"),
        ({"day": 1, "text": "Hi", "attachment_url": "https:///a.pdf"}, "not an http:// or https:// link"),
        ({"day": 1, "text": "Hi", "attachment_url": "https://x.com/a b.pdf"}, "not an http:// or https:// link"),
        ({"day": 1, "text": "Hi", "attachment_url": "https://x.com/"}, "give the attachment a file name"),
        ({"day": 1, "text": "Hi", "attachment_url": "https://x.com/a", "filename": "../etc/a"}, "folders"),
        ({"day": 1, "text": "Hi", "attachment_url": "https://x.com/a.pdf", "mime": "pdf"}, "MIME type"),
        ({"day": 1, "text": "Hi", "filename": "a.pdf"}, "needs an attachment URL"),
        ({"day": 1, "text": "Hi", "sequence": "Post Demo"}, "lowercase"),
        ({"day": 1, "text": "Hi", "colour": "red"}, "unknown field 'colour'"),
        ({"day": 1, "text": "Hi", "active": "yes"}, "true or false"),
    ],
)
def test_bad_steps_are_refused_with_a_clear_message_and_nothing_changes(db: Database, fields, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(tpl.TemplateError) as err, db.transaction() as s:
        tpl.create_step(s, fields, NOW)
    assert message in str(err.value)
    assert isinstance(err.value, ValueError) and err.value.code == "validation_error"
    assert _count(db) == 0


def test_a_valid_step_is_stored_with_defaults_and_guessed_attachment_details(db: Database) -> None:
    with db.transaction() as s:
        row = tpl.create_step(
            s,
            {
                "day": "2",
                "text": " Hi {contact_name}, {{price list}} for {company} from {assignee} ",
                "attachment_url": "https://cdn.example.in/files/Price%20List.pdf",
            },
            NOW,
        )
        data = tpl.step_to_dict(row)
    assert data["day"] == 2 and data["time"] == "10:00" and data["sequence"] == "post_demo" and data["step"] == 1
    assert data["text"] == "Hi {contact_name}, {{price list}} for {company} from {assignee}"
    assert data["filename"] == "Price List.pdf" and data["mime"] == "application/pdf" and data["active"] is True


def test_steps_are_numbered_per_sequence_and_listed_in_send_order(db: Database) -> None:
    with db.transaction() as s:
        late = tpl.create_step(s, {"day": 5, "time": "09:30", "text": "late"}, NOW)
        early = tpl.create_step(s, {"day": 0, "time": "18:00", "text": "early"}, NOW)
        same_day = tpl.create_step(s, {"day": 5, "time": "08:00", "text": "same day, earlier"}, NOW)
        other = tpl.create_step(s, {"day": 1, "text": "other", "sequence": "post_meeting"}, NOW)
        assert [late.step, early.step, same_day.step, other.step] == [1, 2, 3, 1]
        order = [r.text for r in tpl.list_steps(s, "post_demo")]
    assert order == ["early", "same day, earlier", "late"]


def test_update_keeps_other_fields_validates_and_can_drop_the_attachment(db: Database) -> None:
    with db.transaction() as s:
        row = tpl.create_step(
            s, {"day": 1, "text": "Hi", "attachment_url": "https://x.in/b.pdf", "filename": "Brochure.pdf"}, NOW
        )
        rid = row.id
    with pytest.raises(tpl.TemplateError, match="negative"), db.transaction() as s:
        tpl.update_step(s, rid, {"day": -3}, NOW)
    with db.transaction() as s:
        updated = tpl.step_to_dict(tpl.update_step(s, rid, {"time": "16:45"}, NOW))
    assert updated["time"] == "16:45" and updated["day"] == 1 and updated["filename"] == "Brochure.pdf"
    with db.transaction() as s:
        dropped = tpl.step_to_dict(tpl.update_step(s, rid, {"attachment_url": None}, NOW))
    assert dropped["attachment_url"] is None and dropped["filename"] is None and dropped["mime"] is None


def test_unknown_step_is_not_found(db: Database) -> None:
    for bad in (999, 0, -4, 2**40):
        with pytest.raises(tpl.TemplateError) as err, db.transaction() as s:
            tpl.get_step(s, bad)
        assert err.value.code == "not_found"


def test_enable_disable_and_delete(db: Database) -> None:
    with db.transaction() as s:
        rid = tpl.create_step(s, {"day": 1, "text": "Hi"}, NOW).id
        tpl.set_active(s, rid, False, NOW)
        assert tpl.list_steps(s, active_only=True) == []
        tpl.set_active(s, rid, True, NOW)
        assert len(tpl.list_steps(s, active_only=True)) == 1
        assert tpl.delete_step(s, rid, NOW) == 0
    assert _count(db) == 0


def test_default_sequence_is_created_once_and_is_valid(db: Database) -> None:
    with db.transaction() as s:
        assert tpl.ensure_default_sequence(s, NOW) == 3
        assert tpl.ensure_default_sequence(s, NOW) == 0
        steps = tpl.list_steps(s, "post_demo")
        assert [(r.day_offset, r.send_time) for r in steps] == [(1, time(10, 0)), (3, time(11, 0)), (7, time(10, 30))]
        assert steps[0].attachment_url and steps[0].attachment_mime == "application/pdf"
        for r in steps:
            tpl.check_text(r.text)
            assert "{company}" in r.text and "{assignee}" in r.text
        for r in steps:
            tpl.set_active(s, r.id, False, NOW)
        assert tpl.ensure_default_sequence(s, NOW) == 0  # disabled steps are the admin's choice, not a gap


def test_render_fills_placeholders_verbatim() -> None:
    text = "Hi {contact_name}, {company} {{team}} - {assignee}"
    out = tpl.render(text, contact_name="Rakesh", company="{weird} & Co", assignee="Amit")
    assert out == "Hi Rakesh, {weird} & Co {team} - Amit"
    assert tpl.render("Hi {contact_name}", contact_name=None, company="X", assignee="A") == "Hi Sir/Ma'am"
