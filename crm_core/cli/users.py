"""`users add|list|unlock|passwd|deactivate|activate`: manage the team without SQL (the first admin comes from here).

A user is named by username or phone number (any written form). `passwd` reads the new password from a prompt
(twice), from stdin with `--password-stdin`, or from `--password` (visible in the shell history: avoid).
"""

from __future__ import annotations

import argparse
import sys
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
    ls = usub.add_parser("list", help="list users (with their login lock, if any)")
    ls.set_defaults(func=_list)
    unlock = usub.add_parser("unlock", help="clear a user's failed logins and login lock")
    unlock.add_argument("user", help="username or phone number")
    unlock.set_defaults(func=_unlock)
    passwd = usub.add_parser("passwd", help="set a user's password (ends their sessions, clears their lock)")
    passwd.add_argument("user", help="username or phone number")
    source = passwd.add_mutually_exclusive_group()
    source.add_argument("--password-stdin", action="store_true", help="read the password from the first stdin line")
    source.add_argument("--password", help="the new password (ends up in the shell history; prefer the prompt)")
    passwd.set_defaults(func=_passwd)
    deactivate = usub.add_parser("deactivate", help="stop a user: no login, no commands, every token revoked")
    deactivate.add_argument("user", help="username or phone number")
    deactivate.set_defaults(func=_deactivate)
    activate = usub.add_parser("activate", help="let a deactivated user back in")
    activate.add_argument("user", help="username or phone number")
    activate.set_defaults(func=_activate)


def _add(args: argparse.Namespace) -> int:
    from crm_core.accounts import AccountError, NewUser, create_user
    from crm_core.cli import CliError
    from crm_core.cli.common import container
    from crm_core.security.passwords import hash_password

    c = container()
    password_hash = hash_password(args.password) if args.password else None  # outside the transaction
    try:
        with c.database.transaction() as session:
            user = create_user(
                session,
                NewUser(
                    username=args.username,
                    name=args.name,
                    phone=args.phone,
                    role=args.role,
                    password_hash=password_hash,
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
    from crm_core.security.lockout import lock_state

    c = container()
    now = c.clock.now()
    with c.database.transaction() as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        leaders = {u.id: u.username for u in users}
        print(f"{'id':>4}  {'username':<16} {'name':<22} {'phone':<15} {'role':<7} {'leader':<12} active")
        for u in users:
            leader = leaders.get(u.leader_id, "") if u.leader_id else ""
            until = lock_state(session, u, now, c.settings.default_region)
            locked = f"  locked until {until:%Y-%m-%d %H:%M} UTC" if until else ""
            line = f"{u.id:>4}  {u.username:<16} {u.name:<22} {u.phone:<15} {u.role:<7} {leader:<12} {u.active}"
            print(line + locked)
    return 0


def _one(session: Any, name: str, region: str) -> Any:
    from crm_core.accounts import find_by_login
    from crm_core.cli import CliError

    user = find_by_login(session, name, region)
    if user is None:
        raise CliError(f"no user {name!r}; see `python -m crm_core users list`")
    return user


def _unlock(args: argparse.Namespace) -> int:
    from crm_core.accounts import unlock
    from crm_core.cli.common import container

    c = container()
    region = c.settings.default_region
    with c.database.transaction() as session:
        user = _one(session, args.user, region)
        cleared = unlock(session, user, region)
        print(f"unlocked {user.username}" + ("" if cleared else " (it was not locked and had no failed logins)"))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    from crm_core.cli import CliError

    if args.password is not None:
        password = str(args.password)
    elif args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("new password: ")
        if getpass.getpass("again: ") != password:
            raise CliError("the passwords differ; nothing changed")
    else:
        raise CliError("no password given: use the prompt (a terminal), --password-stdin or --password")
    if not 8 <= len(password) <= 128:
        raise CliError("a password must have 8 to 128 characters; nothing changed")
    return password


def _passwd(args: argparse.Namespace) -> int:
    from crm_core.accounts import set_password_hash
    from crm_core.cli.common import container
    from crm_core.security.passwords import hash_password

    c = container()
    region = c.settings.default_region
    with c.database.transaction() as session:
        _one(session, args.user, region)  # a clear error before asking for a password
    password_hash = hash_password(_read_password(args))  # outside any transaction
    with c.database.transaction() as session:
        user = _one(session, args.user, region)
        set_password_hash(session, user, password_hash, region)
        print(f"password of {user.username} changed; their sessions have ended and their login lock is cleared")
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    from crm_core.accounts import active_admins, deactivate
    from crm_core.cli import CliError
    from crm_core.cli.common import container

    c = container()
    with c.database.transaction() as session:
        user = _one(session, args.user, c.settings.default_region)
        if user.role == "admin" and user.active and active_admins(session) <= 1:
            raise CliError(f"{user.username} is the last active admin; add or activate another admin first")
        deactivate(session, user)
        print(f"deactivated {user.username}: no login, no WhatsApp commands, every token revoked")
    return 0


def _activate(args: argparse.Namespace) -> int:
    from crm_core.accounts import activate
    from crm_core.cli.common import container

    c = container()
    with c.database.transaction() as session:
        user = _one(session, args.user, c.settings.default_region)
        activate(session, user)
        print(f"activated {user.username}")
    return 0
