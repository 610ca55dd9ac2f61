"""`users add …` and `users list`: manage the team (the first admin comes from here)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `users` subcommand."""
    p = sub.add_parser("users", help="manage users")
    usub = p.add_subparsers(dest="users_command", metavar="ACTION")
    usub.required = True
    add = usub.add_parser("add", help="create a user")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--phone", required=True)
    add.add_argument("--role", required=True, choices=["admin", "leader", "member"])
    add.add_argument("--password")
    add.add_argument("--email")
    add.add_argument("--leader", help="the team leader's username")
    add.set_defaults(func=_add)
    ls = usub.add_parser("list", help="list users")
    ls.set_defaults(func=_list)


def _add(args: argparse.Namespace) -> int:
    from crm_core.accounts import AccountError, NewUser, create_user
    from crm_core.cli import CliError
    from crm_core.cli.common import container

    c = container()
    try:
        with c.database.transaction() as session:
            user = create_user(
                session,
                NewUser(
                    username=args.username,
                    name=args.name,
                    phone=args.phone,
                    role=args.role,
                    password=args.password,
                    email=args.email,
                    leader=args.leader,
                ),
                region=c.settings.default_region,
            )
            print(f"created {user.role} {user.username} ({user.name}, {user.phone}) id={user.id}")
    except AccountError as exc:
        raise CliError(str(exc)) from None
    return 0


def _list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from crm_core.cli.common import container
    from crm_core.db.models import User

    with container().database.transaction() as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        leaders = {u.id: u.username for u in users}
        print(f"{'id':>4}  {'username':<16} {'name':<22} {'phone':<15} {'role':<7} {'leader':<12} active")
        for u in users:
            leader = leaders.get(u.leader_id, "") if u.leader_id else ""
            print(f"{u.id:>4}  {u.username:<16} {u.name:<22} {u.phone:<15} {u.role:<7} {leader:<12} {u.active}")
    return 0
