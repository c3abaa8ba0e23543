"""``units add FILE``: register units from a CSV, as an admin (``--user``), checked whole."""

from __future__ import annotations

import argparse
import json
import sys

from warehouse.accounts import AccountError, get_user
from warehouse.connect import check_warehouse, connect


def _units(args: argparse.Namespace) -> int:
    from etl.register import add_units  # only this command needs it

    check_warehouse(args.db)
    with connect(args.db) as con:
        user = get_user(con, args.user)
    try:
        if user is None or not user.active:
            raise AccountError(f"没有可用账号 {args.user} / no active user {args.user}")
        result = add_units(args.file.read_bytes(), args.file.name, db=args.db, actor=user)
    except AccountError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({
            "accepted": result.accepted,
            "file": result.file_name,
            "new": result.counts.new if result.counts else 0,
            "changed": result.counts.changed if result.counts else 0,
            "unchanged": result.counts.unchanged if result.counts else 0,
            "issues": [i.as_json(args.lang) for i in result.issues],
        }, ensure_ascii=False, indent=2))  # fmt: skip
    elif result.counts is None:
        print(f"✗ {result.file_name}: {len(result.issues)} 个问题 problem(s)，未登记任何单位 "
              "nothing was registered", file=sys.stderr)  # fmt: skip
        for i in result.issues:
            print(f"  {i.where()} [{i.rule}] {i.message(args.lang)} → {i.fix(args.lang)}",
                  file=sys.stderr)  # fmt: skip
    else:
        c = result.counts
        print(f"✓ {result.file_name}: {c.new} 新增 new, {c.changed} 更正 changed, "
              f"{c.unchanged} 未变 unchanged")  # fmt: skip
    return 0 if result.accepted else 1
