"""The accounts' commands: ``users`` (add, list, disable, enable, passwd), ``lock`` and
``unlock`` a quarter as an admin, and print the ``audit`` log.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from model.periods import Quarter
from warehouse import accounts
from warehouse.connect import check_warehouse, connect


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 password: ")
    if getpass.getpass("再输入一次 again: ") != first:
        raise accounts.AccountError("两次输入不一致 / the passwords differ")
    return first


def _users(args: argparse.Namespace) -> int:
    check_warehouse(args.db)
    try:
        with connect(args.db, write=True) as con:
            if args.action == "list":
                for row in accounts.list_users(con).iter_rows(named=True):
                    state = "active" if row["active"] else "disabled"
                    print(
                        f"{row['username']:<20} {row['role']:<8} {row['region_code'] or '—':<10}"
                        f" {state:<9} {row['display_name']}"
                    )
                return 0
            if args.name is None:
                raise accounts.AccountError("请给出账号名 / give the username")
            if args.action == "add":
                user = accounts.add_user(
                    con,
                    username=args.name,
                    password=_password(args),
                    role=args.role,
                    region_code=args.region,
                    display_name=args.display_name,
                    actor=args.by,
                )
                print(f"✓ {user.username}: {user.role} {user.region_code or ''}")
            elif args.action in ("disable", "enable"):
                accounts.set_active(con, args.name, active=args.action == "enable", actor=args.by)
                print(f"✓ {args.name}: {args.action}d")
            elif args.action == "passwd":
                accounts.set_password(con, args.name, _password(args), actor=args.by)
                print(f"✓ {args.name}: password changed")
    except accounts.AccountError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    return 0


def _lock(args: argparse.Namespace) -> int:
    check_warehouse(args.db)
    try:
        Quarter.parse(args.period)
        with connect(args.db, write=True) as con:
            user = accounts.get_user(con, args.user)
            if user is None or not user.active:
                raise accounts.AccountError(
                    f"没有可用账号 {args.user} / no active user {args.user}"
                )
            accounts.set_lock(
                con, args.period, locked=args.command == "lock", actor=user, reason=args.reason
            )
    except (accounts.AccountError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"✓ {args.period}: {args.command}ed by {args.user}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    check_warehouse(args.db)
    with connect(args.db) as con:
        log = accounts.audit_log(con, actor=args.actor, action=args.action, limit=args.limit)
    if args.json:
        records = log.with_columns(log["logged_at"].cast(str)).to_dicts()
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    for row in log.iter_rows(named=True):
        who = row["actor"] + (f" (os: {row['os_user']})" if row["os_user"] else "")
        print(
            f"{row['logged_at']:%Y-%m-%d %H:%M:%S} {who:<16} {row['action']:<16} "
            f"{row['target'] or ''} {row['batch_id'] or ''}"
        )
    return 0
