"""The Message Master API for admins and leaders: list, create, read, change and delete nurture steps.

Routes of the FastAPI app (crm_core.api.app): bearer token, role check, one transaction, JSON errors.
Who may do what is crm_core.access: a step belongs to a team (`team_leader_id`) or to the organisation (null).
Leaders read the organisation's steps and their own team's, and change only their own team's (403 on the
organisation's); another team's steps answer 404, like steps that do not exist. Admins do everything. A new step
goes to the caller's own sequence unless `team_leader_id` says otherwise: a leader's team, an admin's the
organisation's. A bad field answers 400 `validation_error` naming it; a member 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from sqlalchemy.orm import Session

from crm_core.api.deps import Ctr, Db, Leader
from crm_core.api.errors import ApiError, errors, forbidden
from crm_core.api.routing import ApiRoute
from crm_core.db.models import User


class StepRoute(ApiRoute):
    """Message Master answers a bad field 400, as crm_core.nurture.templates words it."""

    invalid_status = 400


router = APIRouter(route_class=StepRoute, tags=["message-master"])
TemplateId = Annotated[str, Path(description="The step's numeric id; anything else answers 404")]


# Documented with these JSON schemas; checked by crm_core.nurture.templates (its messages, answered 400).
Sequence = Annotated[Any, WithJsonSchema({"type": "string", "pattern": "^[a-z0-9_]{1,64}$"})]
Day = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 365})]
Time = Annotated[Any, WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"})]
Text = Annotated[Any, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 4000})]
Url = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}]})]
Filename = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "string", "maxLength": 255}, {"type": "null"}]})]
Mime = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "null"}]})]
Flag = Annotated[Any, WithJsonSchema({"type": "boolean"})]
Team = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]})]


class StepFields(BaseModel):
    """A step's fields; unknown ones are refused by crm_core.nurture.templates."""

    model_config = ConfigDict(extra="allow")

    sequence: Sequence = Field(None, description="The sequence's name (default post_demo)")
    day: Day = Field(None, description="Days after the demo (0 = that day)")
    time: Time = Field(None, description="Send time, HH:MM in the team's time zone (default 10:00)")
    text: Text = Field(None, description="May use {contact_name}, {company} and {assignee}")
    attachment_url: Url = Field(None, description="An http(s) link sent with the text")
    filename: Filename = Field(None, description="The attachment's name (default: from the URL)")
    mime: Mime = Field(None, description="The attachment's type (default: from the file name)")
    active: Flag = Field(None, description="Inactive steps are kept but not scheduled")
    team_leader_id: Team = Field(None, description="The team's leader; null: the organisation's sequence")

    def given(self) -> dict[str, Any]:
        """The fields the caller sent, as sent."""
        return self.model_dump(exclude_unset=True)


class StepCreate(StepFields):
    """A new step: `day` and `text` are needed; it goes to the caller's own sequence unless team_leader_id says."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"required": ["day", "text"]})


class StepUpdate(StepFields):
    """The fields to change; the others stay (and the step stays in its team's sequence)."""


class StepOut(BaseModel):
    """One Message Master step."""

    id: int
    team_leader_id: int | None = None  # the team's leader; null: the organisation's sequence
    sequence: str
    step: int
    day: int
    time: str
    text: str
    attachment_url: str | None = None
    filename: str | None = None
    mime: str | None = None
    active: bool
    created_at: str | None = None
    updated_at: str | None = None


class StepList(BaseModel):
    """Steps in send order."""

    items: list[StepOut]


class StepDeleted(BaseModel):
    """What a delete did."""

    id: int
    deleted: bool = True
    cancelled_reminders: int = 0


def _template_id(raw: str) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= 2_147_483_647:
        raise ApiError(404, "not_found", f"there is no Message Master step {raw!r}")
    return int(raw)


def _bad(exc: Exception) -> ApiError:
    from crm_core.nurture.templates import TemplateError

    if isinstance(exc, TemplateError) and exc.code == "not_found":
        return ApiError(404, "not_found", str(exc))
    return ApiError(400, "validation_error", str(exc))


def _out(row: Any) -> StepOut:
    from crm_core.nurture.templates import step_to_dict

    return StepOut(**step_to_dict(row))


TEAM_FIELD = "team_leader_id"


def _step(db: Session, actor: User, template_id: str, *, edit: bool) -> Any:
    """The step in the path if the actor may read it (404 otherwise, as for a missing one) and, with edit, change it."""
    from crm_core import access
    from crm_core.nurture import templates

    try:
        row = templates.get_step(db, _template_id(template_id))
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    if not access.can_read_step(actor, row):
        raise ApiError(404, "not_found", f"there is no Message Master step {row.id}")
    if edit and not access.can_edit_steps(actor, row.team_leader_id):
        raise forbidden(_who_may_edit(row.team_leader_id))
    return row


def _who_may_edit(team_leader_id: int | None) -> str:
    if team_leader_id is None:
        return "only admins can change the organisation's Message Master"
    return "team leaders can only change their own team's Message Master"


def _team_of_new_step(db: Session, actor: User, body: dict[str, Any]) -> int | None:
    """The team a new step goes to (the caller's own unless named), checked against what the caller may edit."""
    from sqlalchemy import select

    from crm_core import access
    from crm_core.db.models import Role

    if TEAM_FIELD not in body:
        return actor.id if access.is_leader(actor) else None
    team = body.pop(TEAM_FIELD)
    if team is not None and (isinstance(team, bool) or not isinstance(team, int)):
        raise ApiError(400, "validation_error", "team_leader_id must be a team leader's user id, or null")
    if not access.can_edit_steps(actor, team):
        raise forbidden(_who_may_edit(team))
    if team is not None and db.scalar(select(User.id).where(User.id == team, User.role == Role.LEADER)) is None:
        raise ApiError(400, "validation_error", f"user {team} is not a team leader")
    return team


@router.get("/message-master", summary="Message Master steps in send order", responses=errors(400))
def list_steps(actor: Leader, db: Db, sequence: str | None = None) -> StepList:
    """Every step the caller may read, in send order (`?sequence=post_demo` for one sequence)."""
    from crm_core import access
    from crm_core.nurture import templates

    try:
        name = templates.check_sequence(sequence) if sequence else None
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    rows = templates.list_steps(db, name, where=access.step_scope(actor))
    return StepList(items=[_out(r) for r in rows])


@router.post(
    "/message-master",
    status_code=201,
    summary="Add a Message Master step (to the caller's own sequence unless team_leader_id says otherwise)",
)
def create_step(body: StepCreate, actor: Leader, db: Db, container: Ctr) -> StepOut:
    """Add a step at the end of its team's (or the organisation's) sequence."""
    from crm_core.nurture import templates

    fields = body.given()
    team = _team_of_new_step(db, actor, fields)
    try:
        row = templates.create_step(db, fields, container.clock.now(), team_leader_id=team)
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return _out(row)


@router.get("/message-master/{template_id}", summary="One Message Master step", responses=errors(404))
def get_step(template_id: TemplateId, actor: Leader, db: Db) -> StepOut:
    """One step the caller may read."""
    return _out(_step(db, actor, template_id, edit=False))


@router.put("/message-master/{template_id}", summary="Change a Message Master step", responses=errors(404))
def update_step(template_id: TemplateId, body: StepUpdate, actor: Leader, db: Db, container: Ctr) -> StepOut:
    """Change any fields (the others stay; the team stays)."""
    from crm_core.nurture import templates

    row = _step(db, actor, template_id, edit=True)
    fields = body.given()
    if TEAM_FIELD in fields and fields.pop(TEAM_FIELD) != row.team_leader_id:
        raise ApiError(400, "validation_error", "a step stays in its sequence; add it to the other team's instead")
    try:
        row = templates.update_step(db, row.id, fields, container.clock.now())
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return _out(row)


@router.delete(
    "/message-master/{template_id}",
    summary="Delete a Message Master step (its pending reminders are cancelled)",
    responses=errors(404),
)
def delete_step(template_id: TemplateId, actor: Leader, db: Db, container: Ctr) -> StepDeleted:
    """Remove a step and cancel the caller's team's pending reminders of it."""
    from crm_core import access
    from crm_core.nurture import templates

    row = _step(db, actor, template_id, edit=True)
    cancelled = templates.delete_step(db, row.id, container.clock.now(), follow_ups=access.follow_up_scope(actor))
    return StepDeleted(id=row.id, cancelled_reminders=cancelled)
