"""The published figures' commands: ``published list`` (every figure, its id, its quarter and
whether it can be adopted) and ``published adopt [--all | ID…] --user ADMIN`` (adopt them as
reports at the published region's code; see :mod:`etl.adopt`).  Like ``lock``, ``--user`` names
an admin account without a password, and the audit row records the OS user beside it.
"""

from __future__ import annotations

import argparse
import json
import sys

from etl.adopt import AdoptError, AdoptResult, Figure, adopt, list_figures
from warehouse import accounts
from warehouse.connect import check_warehouse, connect


def _published(args: argparse.Namespace) -> int:
    check_warehouse(args.db)
    if args.action == "list":
        return _list(args)
    if args.all == bool(args.ids):
        print(
            "✗ 请给出公开数据编号，或 --all（二者选一）/ give figure ids or --all (one of them)",
            file=sys.stderr,
        )
        return 2
    with connect(args.db) as con:
        user = accounts.get_user(con, args.user)
    if user is None:
        print(f"✗ 没有账号 {args.user} / no user {args.user}", file=sys.stderr)
        return 1
    try:
        result = adopt(args.db, ids=None if args.all else args.ids, user=user)
    except (AdoptError, accounts.AccountError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(_result_json(result), ensure_ascii=False, indent=2))
        return 0
    for f in result.adopted:
        print(f"✓ {f.id} {f.region_code} {f.indicator} {f.period} = {f.value:g}")
    for f in (f for f in result.skipped if f.indicator):  # unmapped figures: `published list --all`
        print(f"- {f.id} {f.region_code or f.region} {f.indicator or '—'}: {f.skip}")
    status = {
        "committed": f"已采用 adopted, batch {result.batch_id}",
        "unchanged": "已采用过，数值和来源未变，未做改动 already adopted, nothing changed",
        "nothing": "没有可采用的公开数据 nothing to adopt",
    }[result.status]
    print(f"{status}: 新增 new {result.new} · 修改 changed {result.changed} · "
          f"未变 unchanged {result.unchanged} · 跳过 skipped {len(result.skipped)}")  # fmt: skip
    return 0


def _list(args: argparse.Namespace) -> int:
    found = list_figures(args.db)
    if not args.all:  # the figures that map to a catalogue indicator
        found = [f for f in found if f.indicator is not None]
    if args.json:
        print(json.dumps([_figure_json(f) for f in found], ensure_ascii=False, indent=2))
        return 0
    for f in found:
        mark = "✓" if f.adoptable else "-"
        where = f"{f.region_code or '—'} {f.region}"
        why = "" if f.adoptable else f"  ({f.skip})"
        print(f"{mark} {f.id} {where} {f.indicator or '—'} {f.period or '—'} {f.value_text}{why}")
    return 0


def _figure_json(f: Figure) -> dict[str, object]:
    return {
        "id": f.id,
        "source_key": f.source_key,
        "region": f.region,
        "region_code": f.region_code,
        "indicator": f.indicator,
        "year": f.year_label,
        "period": f.period,
        "value": f.value,
        "value_text": f.value_text,
        "unit": f.unit,
        "source": f.source,
        "source_date": f.source_date,
        "adoptable": f.adoptable,
        "skip": f.skip,
    }


def _result_json(result: AdoptResult) -> dict[str, object]:
    return {
        "status": result.status,
        "batch_id": result.batch_id,
        "new": result.new,
        "changed": result.changed,
        "unchanged": result.unchanged,
        "adopted": [_figure_json(f) for f in result.adopted],
        "skipped": [_figure_json(f) for f in result.skipped if f.indicator],
    }
