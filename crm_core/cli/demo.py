"""`demo seed [--if-empty]`: load a clearly marked demo team (team "demo", names ending "(demo)") and the default
Message Master sequence, so a fresh checkout has someone to chat as."""

from __future__ import annotations

import argparse
from typing import Any

DEMO_TEAM = "demo"
DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105  (printed on purpose: a local demo, never production)

# username, name, phone, role — phones are valid-looking Indian mobiles reserved for the demo.
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("admin", "Admin (demo)", "+919800000000", "admin"),
    ("priya", "Priya Sharma (demo)", "+919800000001", "leader"),
    ("amit", "Amit Verma (demo)", "+919800000002", "member"),
    ("neha", "Neha Gupta (demo)", "+919800000003", "member"),
    ("rahul", "Rahul Mehta (demo)", "+919800000004", "member"),
    ("vikram", "Vikram Singh (demo)", "+919800000005", "member"),
    ("sunita", "Sunita Rao (demo)", "+919800000006", "member"),
)


def register(sub: Any) -> None:
    """Add the `demo` subcommand."""
    p = sub.add_parser("demo", help="demo data for local runs")
    dsub = p.add_subparsers(dest="demo_command", metavar="ACTION")
    dsub.required = True
    seed = dsub.add_parser("seed", help="load the demo team and the default Message Master sequence")
    seed.add_argument("--if-empty", action="store_true", help="do nothing when the database already has users")
    seed.set_defaults(func=_seed)


def seed_demo(session: Any, region: str = "IN", *, if_empty: bool = False) -> list[str]:
    """Create the missing demo users and the default sequence; return one line per thing created or skipped."""
    from sqlalchemy import func, select

    from crm_core.accounts import NewUser, create_user, find_by_username
    from crm_core.db.models import User
    from crm_core.nurture.templates import ensure_default_sequence

    if if_empty and session.scalar(select(func.count()).select_from(User)):
        return []
    lines = []
    for username, name, phone, role in DEMO_USERS:
        if find_by_username(session, username) is not None:
            lines.append(f"skipped {username}: already exists")
            continue
        user = create_user(
            session,
            NewUser(
                username=username,
                name=name,
                phone=phone,
                role=role,
                password=DEMO_PASSWORD,
                leader="priya" if role == "member" else None,
                team=DEMO_TEAM,
            ),
            region=region,
        )
        lines.append(f"created {user.role:<6} {user.username:<7} {user.name:<22} {user.phone}")
    steps = ensure_default_sequence(session)
    lines.append(
        f"created the default Message Master sequence ({steps} steps)"
        if steps
        else "kept the existing Message Master sequence"
    )
    return lines


def _seed(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from crm_core.accounts import AccountError
    from crm_core.cli import CliError
    from crm_core.cli.common import container

    c = container()
    if c.database.engine.dialect.name == "sqlite":
        from crm_core.db.migrate import upgrade

        upgrade(c.database.engine)
    try:
        with c.database.transaction() as session:
            lines = seed_demo(session, c.settings.default_region, if_empty=args.if_empty)
    except AccountError as exc:
        raise CliError(f"demo seed changed nothing: {exc}") from None
    except (OperationalError, ProgrammingError) as exc:
        raise CliError(f"demo seed changed nothing: {exc.orig}; run `python -m crm_core db upgrade` first") from None
    if not lines:
        print("the database already has users; demo seed skipped")
        return 0
    print(f'Demo team "{DEMO_TEAM}" (every name is marked "(demo)"; replace them before real use):')
    for line in lines:
        print(f"  {line}")
    print(f"  password for every demo user: {DEMO_PASSWORD}  (log in as admin or priya)")
    print("  chat as a member:  python -m crm_core chat --as amit")
    return 0
