"""The figures' commands: ``validate`` and ``load`` an upload, write a ``template``, ``init`` the
warehouse, print every goal's ``status`` and write the ``briefing`` PDF.  What only one command
needs (the sample generator, xlsxwriter, the judgement, the PDF briefing) is imported inside it,
so the others do not pay for it at start-up.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from etl.load import check_file, load_file, reference, register_of
from model import clock
from model.issues import Issue
from model.periods import Quarter
from warehouse import accounts
from warehouse.connect import check_warehouse, connect

if TYPE_CHECKING:
    import polars as pl


def _print_issues(issues: Sequence[Issue], lang: str) -> None:
    for issue in issues:
        mark = "✗" if issue.severity == "error" else "!"
        print(f"{mark} {issue.where()}: [{issue.rule}] {issue.message(lang)}")
        print(f"    {'修改' if lang == 'zh' else 'fix'}: {issue.fix(lang)}")


def _validate(args: argparse.Namespace) -> int:
    data = args.file.read_bytes()
    issues, rows, total, _ = check_file(
        data, args.file.name, db=args.db, region=args.region, max_bytes=args.max_mb << 20
    )
    accepted = rows is not None
    if args.json:
        payload = {
            "accepted": accepted,
            "rows": total,
            "issues": [i.as_json(args.lang) for i in issues],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_issues(issues, args.lang)
        verdict = "可以导入 accepted" if accepted else "拒收 rejected"
        print(f"{args.file.name}: {total} 行 rows — {verdict}")
    return 0 if accepted else 1


def _load(args: argparse.Namespace) -> int:
    check_warehouse(args.db)  # only init creates a warehouse: a mistyped --db is refused
    user = None
    if args.user is not None:  # an account: its role and scope apply
        with connect(args.db) as con:
            user = accounts.get_user(con, args.user)
        if user is None:
            print(f"✗ 没有账号 {args.user} / no user {args.user}", file=sys.stderr)
            return 1
    result = load_file(
        args.file,
        db=args.db,
        region=args.region,
        dry_run=args.dry_run,
        user=user,
        uploader=getpass.getuser(),  # without --user the load is audited as the OS user
        max_bytes=args.max_mb << 20,
    )
    if args.json:
        print(json.dumps(result.as_json(args.lang), ensure_ascii=False, indent=2))
    else:
        _print_issues(result.issues, args.lang)
        status = {
            "committed": "已导入 committed",
            "dry_run": "试导入（未保存）dry run, nothing saved",
            "rejected": "拒收，未写入任何数据 rejected, nothing written",
            "already_loaded": f"已导入过（批次 {result.already_loaded_batch}），未做改动 "
            "already loaded, nothing changed",
        }[result.status]
        batch = f" batch {result.batch_id}" if result.batch_id else ""
        print(
            f"{result.file_name}:{batch} {status}\n"
            f"  新增 new {result.rows_new} · 修改 changed {result.rows_changed} · "
            f"未变 unchanged {result.rows_unchanged} · 未导入 rejected {result.rows_rejected}"
        )
    return 0 if result.accepted else 1


def _init(args: argparse.Namespace) -> int:
    from etl.build import init_warehouse  # the sample generator and the published figures

    if getattr(args, "published", False):
        return _init_published(args)
    counts = init_warehouse(args.db, sample=args.sample, if_missing=args.if_missing)
    print(f"✓ {args.db}: {init_summary(counts)}")
    return 0


def _init_published(args: argparse.Namespace) -> int:
    """``init --published``: a warehouse of the adopted published figures only (etl.adopt)."""
    from etl.adopt import AdoptError, init_published

    if args.sample:
        print("✗ --published 与 --sample 不能同用 / --published and --sample exclude each other",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        counts, result = init_published(args.db)
    except AdoptError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    batch = f"batch {result.batch_id}" if result.batch_id else "nothing new"
    print(
        f"✓ {args.db}: {init_summary(counts)} · 公开数据 published adopted "
        f"{len(result.adopted)} ({batch}; new {result.new}, unchanged {result.unchanged})"
    )
    return 0


def init_summary(counts: dict[str, int]) -> str:
    """What ``init`` did, in one line that cannot be misread as data loss on a re-run."""
    if not counts:
        return "已存在，未做改动 already initialised, nothing changed"
    tables = " · ".join(
        f"{table} {counts[table]}"
        for table in ("documents", "indicators", "targets", "parameters", "regions")
        if table in counts
    )
    if counts.get("created"):
        head = "已新建 created"
    elif counts.get("migrations"):
        head = f"已升级 upgraded ({counts['migrations']} migrations)"
    else:
        head = (
            "已是最新：目录和地区已重新载入，其余未变 "
            "up to date: catalogue reloaded, nothing else changed"
        )
    published = f"published figures {counts.get('published_figures', 0)}"
    if not counts.get("created"):
        new = counts.get("published_figures_new", 0)
        published += f" ({new} new)" if new else " (kept)"
    if "sample_reports" in counts:
        reports = f"sample reports {counts['sample_reports']} (示例数据)"
    else:
        reports = f"reports {counts.get('reports', 0)}" + (
            "" if counts.get("created") else " (kept)"
        )
    return f"{head} — {tables} · {published} · {reports}"


def _template(args: argparse.Namespace) -> int:
    from etl.template import write_template  # xlsxwriter

    ref = reference()
    try:
        quarter = Quarter.parse(args.period)
        units = register_of(args.db, ref)  # the warehouse's units, or data/units.csv
        rows = write_template(
            ref.catalogue, ref.regions, args.region, quarter, args.out, units=units
        )
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"✓ {args.out}: {rows} 个指标 indicators for {args.region} {quarter.label}")
    return 0


STATUS_COLUMNS = [
    "target_id",
    "region",
    "status",
    "actual",
    "planned",
    "attainment",
    "projected",
    "required_rate",
    "deadline",
    "completeness",
]


def _status(args: argparse.Namespace) -> int:
    from service import api as service  # the judgement

    check_warehouse(args.db)
    ref = reference()
    as_of = args.as_of or service.default_as_of(args.db)
    known_on = args.known_on or service.default_known_on(args.db, as_of) or clock.today()
    known = {r.code for r in ref.regions} | {u.code for u in register_of(args.db, ref)}  # units
    if args.region is not None and args.region not in known:
        print(f"✗ 未知地区代码 unknown region code: {args.region}", file=sys.stderr)
        return 1
    result = service.goal_status(
        args.db,
        catalogue=ref.catalogue,
        regions=ref.regions,
        as_of=as_of,
        known_on=known_on,
        region=args.region,
    )
    frame = result.select(STATUS_COLUMNS)
    if args.json:
        print(json.dumps(_json_records(result), ensure_ascii=False, indent=2))
        return 0
    print(f"as of {as_of.isoformat()}, as known on {known_on.isoformat()} — {frame.height} goals")
    for row in frame.iter_rows(named=True):
        numbers = " ".join(
            f"{key}={_fmt(row[key])}"
            for key in ("actual", "planned", "attainment", "projected", "required_rate")
        )
        print(
            f"{row['target_id']:<48} {row['region']} {row['status']:<17} {numbers} "
            f"deadline={row['deadline']} completeness={_fmt(row['completeness'])}"
        )
    return 0


JSON_COLUMNS = [
    *STATUS_COLUMNS,
    "ratio",
    "basis",
    "provisional",
    "flags",
    "units_short",
    "latest_period",
    "as_of",
    "known_on",
    "notes",
]


def _json_records(frame: pl.DataFrame) -> list[dict[str, object]]:
    """``status --json``: one object per goal; ``notes`` are short machine codes (the flags),
    ``remarks`` the engine's notes in words."""
    out = []
    for row in frame.select(JSON_COLUMNS).iter_rows(named=True):
        record: dict[str, object] = {k: v for k, v in row.items() if k not in ("flags", "notes")}
        for key in ("deadline", "as_of", "known_on"):
            record[key] = row[key].isoformat() if row[key] is not None else None
        record["notes"] = row["flags"]
        record["remarks"] = row["notes"]
        out.append(record)
    return out


def _briefing(args: argparse.Namespace) -> int:
    from target_monitor.briefing import build_briefing

    check_warehouse(args.db)
    try:
        summary = build_briefing(
            args.db, args.out, as_of=args.as_of, known_on=args.known_on, document=args.document
        )
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(
        f"✓ {args.out}: {summary.pages} pages as of {summary.as_of.isoformat()} "
        f"(as known on {summary.known_on.isoformat()}), "
        f"{len(summary.headline)} headline goals, {len(summary.attention)} needing attention"
    )
    return 0


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
