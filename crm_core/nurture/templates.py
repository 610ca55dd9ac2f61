"""Message Master: the steps of nurture sequences (day offset, send time, text, attachment), validated CRUD.

A step belongs to a team's sequence (`team_leader_id`, the team's leader) or to the organisation's (None); who may
read or change which is decided in crm_core.access, and the callers (API, CLI) apply it. A step's text may use
only `{contact_name}`, `{company}` and `{assignee}`; literal braces are written `{{ }}`. Every bad field raises
TemplateError (a ValueError) with one clear sentence, and nothing is changed.

There is no implicit default: a sequence with no steps sends nothing. The default post-demo steps are created
only when asked for (`templates default`, `demo seed`), never behind an admin's back.
"""

from __future__ import annotations

import mimetypes
import re
import string
from dataclasses import dataclass
from datetime import datetime
from datetime import time as dtime
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.orm import Session

from crm_core.db.models import MessageTemplate, Outbox, OutboxStatus
from crm_core.settings import parse_hhmm

DEFAULT_SEQUENCE = "post_demo"
PLACEHOLDERS = ("contact_name", "company", "assignee")
MAX_TEXT = 4000
MAX_DAY = 365
MAX_URL = 2000
MAX_FILENAME = 255
DEFAULT_TIME = dtime(10, 0)
_SEQUENCE_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_FIELDS = {"sequence", "day", "time", "text", "attachment_url", "filename", "mime", "active"}
_NO_CONTACT = "Sir/Ma'am"


class TemplateError(ValueError):
    """A Message Master step is invalid or unknown; `code` is `validation_error` or `not_found`."""

    def __init__(self, message: str, code: str = "validation_error") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StepInput:
    """A validated step, ready to store."""

    sequence: str
    day_offset: int
    send_time: dtime
    text: str
    attachment_url: str | None
    attachment_filename: str | None
    attachment_mime: str | None
    active: bool


def check_text(text: Any) -> str:
    """The text, stripped, if it is non-empty, not too long and uses only known placeholders."""
    if not isinstance(text, str) or not text.strip():
        raise TemplateError("the text must not be empty")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise TemplateError(f"the text is {len(text)} characters long; the limit is {MAX_TEXT}")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise TemplateError("the text has an unmatched '{' or '}' (write {{ or }} for a literal brace)") from None
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            shown = "{" + name + "}" if name else "{}"
            raise TemplateError(f"unknown placeholder {shown}; use {allowed}")
        if spec or conversion:
            raise TemplateError(f"placeholder {{{name}}} takes no format (write it as {{{name}}})")
    return text


def check_day(day: Any) -> int:
    """A day offset: a whole number from 0 (the day the demo was done) to 365."""
    if isinstance(day, bool) or not isinstance(day, int | str):
        raise TemplateError("the day must be a whole number of days after the demo (0 or more)")
    try:
        value = int(str(day).strip())
    except ValueError:
        raise TemplateError(f"the day {day!r} is not a whole number") from None
    if value < 0:
        raise TemplateError(f"the day must not be negative (got {value}); 0 means the day the demo was done")
    if value > MAX_DAY:
        raise TemplateError(f"the day must be at most {MAX_DAY} (got {value})")
    return value


def check_time(value: Any) -> dtime:
    """A send time of day as HH:MM (24-hour, team time zone)."""
    if isinstance(value, dtime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if not isinstance(value, str):
        raise TemplateError("the time must be HH:MM (24-hour), e.g. 10:30")
    try:
        return parse_hhmm(value)
    except ValueError:
        raise TemplateError(f"the time {value!r} is not HH:MM (24-hour), e.g. 10:30") from None


def check_url(url: Any) -> str:
    """An absolute http(s) URL with a host and no spaces."""
    if not isinstance(url, str) or not url.strip():
        raise TemplateError("the attachment URL must not be empty")
    url = url.strip()
    if len(url) > MAX_URL:
        raise TemplateError(f"the attachment URL is longer than {MAX_URL} characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise TemplateError(f"the attachment URL {url!r} is not an http:// or https:// link")
    return url


def check_filename(filename: Any, url: str) -> str:
    """The attachment's file name (taken from the URL when not given); no folders, at most 255 characters."""
    if filename is None or (isinstance(filename, str) and not filename.strip()):
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        if not filename:
            raise TemplateError("give the attachment a file name (the URL does not end in one)")
    if not isinstance(filename, str):
        raise TemplateError("the file name must be text")
    filename = filename.strip()
    if any(c in filename for c in "/\\\x00") or filename in (".", ".."):
        raise TemplateError(f"the file name {filename!r} must not contain folders")
    if len(filename) > MAX_FILENAME:
        raise TemplateError(f"the file name is longer than {MAX_FILENAME} characters")
    return filename


def check_mime(mime: Any, filename: str) -> str:
    """The MIME type (guessed from the file name when not given)."""
    if mime is None or (isinstance(mime, str) and not mime.strip()):
        return mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if not isinstance(mime, str) or not _MIME.match(mime.strip()) or len(mime.strip()) > 127:
        raise TemplateError(f"the MIME type {mime!r} is not like application/pdf")
    return mime.strip().lower()


def check_sequence(name: Any) -> str:
    """A sequence name: lowercase letters, digits and underscores."""
    if name is None:
        return DEFAULT_SEQUENCE
    if not isinstance(name, str) or not _SEQUENCE_NAME.match(name.strip()):
        raise TemplateError(f"the sequence {name!r} must be lowercase letters, digits or _ (e.g. post_demo)")
    return name.strip()


def validate_step(fields: dict[str, Any], current: MessageTemplate | None = None) -> StepInput:
    """Validate a new step (or changes to `current`); TemplateError names the first bad field."""
    unknown = sorted(set(fields) - _FIELDS)
    if unknown:
        raise TemplateError(f"unknown field {unknown[0]!r}; allowed: {', '.join(sorted(_FIELDS))}")
    if current is None and fields.get("text") is None:
        raise TemplateError("the text is required")
    if current is None and fields.get("day") is None:
        raise TemplateError("the day is required (days after the demo, 0 or more)")

    def pick(key: str, old: Any) -> Any:
        return fields.get(key, old)

    cur = current
    sequence = check_sequence(pick("sequence", cur.sequence if cur else None))
    day = check_day(pick("day", cur.day_offset if cur else None))
    raw_time = pick("time", cur.send_time if cur else None)
    send_time = DEFAULT_TIME if raw_time is None else check_time(raw_time)
    text = check_text(pick("text", cur.text if cur else None))
    raw_url = pick("attachment_url", cur.attachment_url if cur else None)
    url_given = "attachment_url" in fields
    old_name, old_mime = (cur.attachment_filename, cur.attachment_mime) if cur else (None, None)
    raw_name = fields.get("filename") if ("filename" in fields or url_given) else old_name
    raw_mime = fields.get("mime") if ("mime" in fields or url_given) else old_mime
    url = filename = mime = None
    if raw_url is None or (isinstance(raw_url, str) and not raw_url.strip()):
        if fields.get("filename") or fields.get("mime"):
            raise TemplateError("a file name or MIME type needs an attachment URL")
    else:
        url = check_url(raw_url)
        filename = check_filename(raw_name, url)
        mime = check_mime(raw_mime, filename)
    active = pick("active", cur.active if cur else True)
    if not isinstance(active, bool):
        raise TemplateError("active must be true or false")
    return StepInput(sequence, day, send_time, text, url, filename, mime, active)


def render(text: str, *, contact_name: str | None, company: str, assignee: str) -> str:
    """Fill a step's placeholders (the values are inserted verbatim, never interpreted)."""
    return text.format_map(
        {"contact_name": (contact_name or "").strip() or _NO_CONTACT, "company": company, "assignee": assignee}
    )


def of_team(team_leader_id: int | None) -> ColumnElement[bool]:
    """SQL condition on MessageTemplate: the steps of one team's sequences (None: the organisation's)."""
    column = MessageTemplate.team_leader_id
    return column.is_(None) if team_leader_id is None else column == team_leader_id


def list_steps(
    session: Session,
    sequence: str | None = None,
    *,
    active_only: bool = False,
    where: ColumnElement[bool] | None = None,
) -> list[MessageTemplate]:
    """Steps in send order (the organisation's first, then by team; sequence, day, time, id), optionally of one
    sequence, only active ones, and only those matching `where` (e.g. crm_core.access.step_scope, of_team)."""
    stmt = select(MessageTemplate)
    if sequence is not None:
        stmt = stmt.where(MessageTemplate.sequence == sequence)
    if active_only:
        stmt = stmt.where(MessageTemplate.active.is_(True))
    if where is not None:
        stmt = stmt.where(where)
    stmt = stmt.order_by(
        case((MessageTemplate.team_leader_id.is_(None), 0), else_=1),
        MessageTemplate.team_leader_id,
        MessageTemplate.sequence,
        MessageTemplate.day_offset,
        MessageTemplate.send_time,
        MessageTemplate.id,
    )
    return list(session.scalars(stmt))


def _next_step(session: Session, team_leader_id: int | None, sequence: str) -> int:
    last = session.scalar(
        select(func.max(MessageTemplate.step)).where(of_team(team_leader_id), MessageTemplate.sequence == sequence)
    )
    return int(last or 0) + 1


def get_step(session: Session, template_id: int) -> MessageTemplate:
    """One step by id; TemplateError(code='not_found') when there is none."""
    row = session.get(MessageTemplate, template_id) if 0 < template_id <= 2_147_483_647 else None
    if row is None:
        raise TemplateError(f"there is no Message Master step {template_id}", code="not_found")
    return row


def create_step(
    session: Session, fields: dict[str, Any], now: datetime, *, team_leader_id: int | None = None
) -> MessageTemplate:
    """Validate and add a step at the end of a team's (or, with None, the organisation's) sequence."""
    step = validate_step(fields)
    row = MessageTemplate(
        team_leader_id=team_leader_id,
        sequence=step.sequence,
        step=_next_step(session, team_leader_id, step.sequence),
        created_at=now,
        updated_at=now,
    )
    _apply(row, step)
    session.add(row)
    session.flush()
    return row


def update_step(session: Session, template_id: int, fields: dict[str, Any], now: datetime) -> MessageTemplate:
    """Validate and apply changes to a step (reminders already scheduled keep the text they were given)."""
    row = get_step(session, template_id)
    step = validate_step(fields, row)
    if step.sequence != row.sequence:
        row.step = _next_step(session, row.team_leader_id, step.sequence)
    _apply(row, step)
    row.updated_at = now
    session.flush()
    return row


def set_active(session: Session, template_id: int, active: bool, now: datetime) -> MessageTemplate:
    """Enable or disable a step for sequences started from now on."""
    row = get_step(session, template_id)
    row.active = active
    row.updated_at = now
    session.flush()
    return row


def delete_step(
    session: Session, template_id: int, now: datetime, *, follow_ups: ColumnElement[bool] | None = None
) -> int:
    """Delete a step; returns how many of its pending reminders were cancelled.

    Only the pending reminders matching `follow_ups` (crm_core.access.follow_up_scope: the deleting user's team's;
    all when None) are cancelled. The others, like the ones already sent, keep their text and are still sent: a
    lead moved to another team keeps the follow-ups it was promised.
    """
    row = get_step(session, template_id)
    stmt = select(Outbox).where(Outbox.template_id == row.id, Outbox.status == OutboxStatus.PENDING)
    pending = list(session.scalars(stmt.where(follow_ups) if follow_ups is not None else stmt))
    for out in pending:
        out.status = OutboxStatus.CANCELLED
        out.data = {**(out.data or {}), "cancelled_at": now.isoformat(), "cancel_reason": "step deleted"}
    session.flush()
    session.execute(
        update(Outbox)
        .where(Outbox.template_id == row.id)
        .values(template_id=None)
        .execution_options(synchronize_session=False)
    )
    session.delete(row)
    session.flush()
    return sum(1 for out in pending if out.kind != "forward")  # a follow-up is its header and its text to forward


def _apply(row: MessageTemplate, step: StepInput) -> None:
    row.sequence = step.sequence
    row.day_offset = step.day_offset
    row.send_time = step.send_time
    row.text = step.text
    row.attachment_url = step.attachment_url
    row.attachment_filename = step.attachment_filename
    row.attachment_mime = step.attachment_mime
    row.active = step.active


# The default steps state nothing about the product, its price or other customers: whatever the bot cannot know is
# a [bracketed] placeholder for the admin to replace (`templates edit`), and a reminder whose text still holds one
# tells the salesperson to fill it in before sending (crm_core.nurture.sequence.header).
DEFAULT_STEPS: tuple[dict[str, Any], ...] = (
    {
        "day": 1,
        "time": "10:00",
        "text": (
            "Namaste {contact_name} ji,\n\n"
            "Thank you for your time at the demo with the {company} team. As promised, I am sharing our "
            "brochure (attached).\n\n"
            "Do share it with your team, and let me know if any question comes up - happy to help.\n\n"
            "Regards,\n{assignee}\n[your company]"
        ),
        "attachment_url": None,  # DEFAULT_BROCHURE_URL unless one is given
        "filename": "Product-Brochure.pdf",
        "mime": "application/pdf",
    },
    {
        "day": 3,
        "time": "11:00",
        "text": (
            "Hello {contact_name} ji,\n\n"
            "Thought you would find this useful: [a customer like {company}] has been using [your product] for "
            "[what they use it for], and [the result they have seen].\n\n"
            "If you like, I can walk your team through the same setup. Which day suits you this week?\n\n"
            "Regards,\n{assignee}\n[your company]"
        ),
    },
    {
        "day": 7,
        "time": "10:30",
        "text": (
            "Hi {contact_name} ji,\n\n"
            "Just checking in after our demo. Have you and the team had a chance to discuss it?\n\n"
            "I can send a formal proposal for {company} - shall I send it across? If the timing is not right, "
            "just tell me when to reconnect.\n\n"
            "Regards,\n{assignee}\n[your company]"
        ),
    },
)


DEFAULT_BROCHURE_URL = "https://example.com/brochures/product-brochure.pdf"


def ensure_default_sequence(session: Session, now: datetime | None = None, brochure_url: str | None = None) -> int:
    """Create the organisation's default post-demo sequence (day 1 brochure, day 3 a story, day 7 proposal)
    when it has no steps. Only on request (`templates default`, `demo seed`): marking a demo done never seeds.

    `brochure_url` replaces the placeholder brochure link (change it with `templates`/the API before going live).
    Returns how many steps were created (0 when the sequence already has steps, active or not).
    """
    from crm_core.db.models import utcnow

    exists = session.scalar(
        select(func.count())
        .select_from(MessageTemplate)
        .where(MessageTemplate.sequence == DEFAULT_SEQUENCE, of_team(None))
    )
    if exists:
        return 0
    at = now or utcnow()
    for fields in DEFAULT_STEPS:
        step = {**fields, "sequence": DEFAULT_SEQUENCE}
        if "attachment_url" in step:
            step["attachment_url"] = brochure_url or DEFAULT_BROCHURE_URL
        create_step(session, step, at)
    return len(DEFAULT_STEPS)


def step_to_dict(row: MessageTemplate) -> dict[str, Any]:
    """A step as plain JSON-friendly data (API and CLI)."""
    return {
        "id": row.id,
        "team_leader_id": row.team_leader_id,
        "sequence": row.sequence,
        "step": row.step,
        "day": row.day_offset,
        "time": row.send_time.strftime("%H:%M"),
        "text": row.text,
        "attachment_url": row.attachment_url,
        "filename": row.attachment_filename,
        "mime": row.attachment_mime,
        "active": bool(row.active),
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }
