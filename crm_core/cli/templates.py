"""`templates add | list | edit | delete | enable | disable | default`: manage Message Master steps.

The command line is the operator's door: it acts as an admin (any team's steps, or the organisation's).
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `templates` subcommand."""
    p = sub.add_parser("templates", help="Message Master: the follow-up steps sent after a demo")
    tsub = p.add_subparsers(dest="templates_command", metavar="ACTION")
    tsub.required = True
    add = tsub.add_parser("add", help="add a step at the end of a sequence")
    add.add_argument("--day", required=True, help="days after the demo was marked done (0 = the same day)")
    add.add_argument("--time", default="10:00", help="send time HH:MM in the team's zone (default 10:00)")
    add.add_argument("--text", required=True, help="text to forward; placeholders {contact_name} {company} {assignee}")
    add.add_argument("--attachment-url", help="an http(s) link to a file sent as media")
    add.add_argument("--filename", help="the attachment's file name (default: from the URL)")
    add.add_argument("--mime", help="the attachment's MIME type (default: guessed from the file name)")
    add.add_argument("--sequence", default="post_demo", help="sequence name (default post_demo)")
    add.add_argument("--team", metavar="LEADER", help="the team leader's username (default: the organisation's)")
    add.set_defaults(func=_add)
    ls = tsub.add_parser("list", help="list the steps in send order")
    ls.add_argument("--sequence", help="only this sequence")
    ls.set_defaults(func=_list)
    edit = tsub.add_parser("edit", help="change a step (only the options given)")
    edit.add_argument("id", help="the step's id (see `templates list`)")
    edit.add_argument("--day")
    edit.add_argument("--time")
    edit.add_argument("--text")
    edit.add_argument("--attachment-url", help="a new http(s) link; an empty string removes the attachment")
    edit.add_argument("--filename")
    edit.add_argument("--mime")
    edit.set_defaults(func=_edit)
    delete = tsub.add_parser("delete", help="delete a step (its pending reminders are cancelled)")
    delete.add_argument("id", help="the step's id (see `templates list`)")
    delete.set_defaults(func=_delete)
    for name, active in (("enable", True), ("disable", False)):
        sp = tsub.add_parser(name, help=f"{name} a step for sequences started from now on")
        sp.add_argument("id", help="the step's id (see `templates list`)")
        sp.set_defaults(func=_toggle, active=active)
    default = tsub.add_parser("default", help="create the default post-demo sequence if it has no steps")
    default.add_argument("--brochure-url", help="the http(s) link of your brochure PDF (sent with the day-1 step)")
    default.set_defaults(func=_default)


def _fail(exc: Exception) -> Exception:
    from crm_core.cli import CliError

    return CliError(str(exc))


def _add(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.nurture.templates import TemplateError, create_step, step_to_dict

    c = container()
    fields: dict[str, Any] = {"sequence": args.sequence, "day": args.day, "time": args.time, "text": args.text}
    if args.attachment_url is not None:
        fields.update(attachment_url=args.attachment_url, filename=args.filename, mime=args.mime)
    elif args.filename or args.mime:
        fields.update(filename=args.filename, mime=args.mime)
    try:
        with c.database.transaction() as session:
            team = _team_leader(session, args.team) if args.team else None
            row = step_to_dict(create_step(session, fields, c.clock.now(), team_leader_id=team))
    except TemplateError as exc:
        raise _fail(exc) from None
    extra = f", attachment {row['filename']} ({row['mime']})" if row["attachment_url"] else ""
    whose = f"{args.team.lower()}'s team's " if args.team else ""
    print(f"added step id={row['id']} to {whose}{row['sequence']}: day {row['day']} at {row['time']}{extra}")
    return 0


def _team_leader(session: Any, username: str) -> int:
    """The id of the team leader with this username (TemplateError when there is none)."""
    from crm_core.accounts import find_by_username
    from crm_core.db.models import Role
    from crm_core.nurture.templates import TemplateError

    user = find_by_username(session, username)
    if user is None or user.role != Role.LEADER:
        raise TemplateError(f"{username!r} is not a team leader")
    return user.id


def _list(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.nurture.templates import TemplateError, check_sequence, list_steps, step_to_dict

    try:
        sequence = check_sequence(args.sequence) if args.sequence else None
    except TemplateError as exc:
        raise _fail(exc) from None
    from sqlalchemy import select

    from crm_core.db.models import User

    with container().database.transaction() as session:
        rows = [step_to_dict(r) for r in list_steps(session, sequence)]
        leaders = {r["team_leader_id"] for r in rows} - {None}
        names = {i: u for i, u in session.execute(select(User.id, User.username).where(User.id.in_(leaders)))}
    if not rows:
        print("no steps yet; `python -m crm_core templates default` creates the default post-demo sequence")
        return 0
    print(f"{'id':>4}  {'team':<10} {'sequence':<12} {'day':>3}  {'time':<5}  {'active':<6} {'attachment':<24} text")
    for r in rows:
        text = " ".join(r["text"].split())
        text = text if len(text) <= 60 else text[:57] + "..."
        attachment = r["filename"] or ""
        team = names.get(r["team_leader_id"], "?") if r["team_leader_id"] is not None else "(org)"
        print(
            f"{r['id']:>4}  {team:<10} {r['sequence']:<12} {r['day']:>3}  {r['time']:<5}  {r['active']!s:<6} "
            f"{attachment:<24} {text}"
        )
    return 0


def _step_id(raw: str) -> int:
    from crm_core.cli import CliError

    if not str(raw).isdigit():
        raise CliError(f"{raw!r} is not a step id (see `templates list`)")
    return int(raw)


def _edit(args: argparse.Namespace) -> int:
    from crm_core.cli import CliError
    from crm_core.cli.common import container
    from crm_core.nurture.templates import TemplateError, step_to_dict, update_step

    step_id = _step_id(args.id)
    fields = {
        key: value
        for key, value in (
            ("day", args.day),
            ("time", args.time),
            ("text", args.text),
            ("attachment_url", args.attachment_url),
            ("filename", args.filename),
            ("mime", args.mime),
        )
        if value is not None
    }
    if fields.get("attachment_url") == "":
        fields["attachment_url"] = None
    if not fields:
        raise CliError("nothing to change: give --day, --time, --text or attachment options")
    c = container()
    try:
        with c.database.transaction() as session:
            row = step_to_dict(update_step(session, step_id, fields, c.clock.now()))
    except TemplateError as exc:
        raise _fail(exc) from None
    extra = f", attachment {row['filename']}" if row["attachment_url"] else ""
    print(f"step {row['id']} is now day {row['day']} at {row['time']}{extra}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.nurture.templates import TemplateError, delete_step

    step_id = _step_id(args.id)
    c = container()
    try:
        with c.database.transaction() as session:
            cancelled = delete_step(session, step_id, c.clock.now())
    except TemplateError as exc:
        raise _fail(exc) from None
    print(f"step {step_id} deleted; {cancelled} pending reminder(s) cancelled")
    return 0


def _toggle(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.nurture.templates import TemplateError, set_active

    step_id = _step_id(args.id)
    c = container()
    try:
        with c.database.transaction() as session:
            set_active(session, step_id, args.active, c.clock.now())
    except TemplateError as exc:
        raise _fail(exc) from None
    print(f"step {args.id} {'enabled' if args.active else 'disabled'}")
    return 0


def _default(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.nurture.templates import DEFAULT_SEQUENCE, TemplateError, ensure_default_sequence, list_steps

    c = container()
    try:
        with c.database.transaction() as session:
            created = ensure_default_sequence(session, c.clock.now(), args.brochure_url)
            first = list_steps(session, DEFAULT_SEQUENCE)[0].id if created else 0
    except TemplateError as exc:
        raise _fail(exc) from None
    if created:
        edit = f"python -m crm_core templates edit {first} --attachment-url URL"
        hint = "" if args.brochure_url else f"\nreplace the placeholder brochure link: {edit}"
        fill = "\nreplace the [bracketed] placeholders in the texts (`templates list`, `templates edit ID --text …`)"
        print(f"created the default post-demo sequence ({created} steps){hint}{fill}")
    else:
        print("the post-demo sequence already has steps; nothing changed")
    return 0
