"""``target-monitor``: the command line.

Each subcommand is a thin layer over a function in ``etl/`` or ``warehouse/``; scripting and tests
depend on the exact forms documented in the README.  What only one command needs (the sample
generator, xlsxwriter, the judgement, the PDF briefing) is imported inside that command, so the
others do not pay for it at start-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from etl.load import check_file, load_file, reference
from etl.read import MAX_BYTES
from model import paths
from model.catalogue import read_catalogue, read_yaml
from model.issues import Issue
from model.jurisdictions import check_against_regions, read_jurisdictions
from model.periods import Quarter
from model.regions import read_regions
from model.reporting import Suggestion, check_reported_by, suggest_reported_by
from target_monitor import __version__
from target_monitor.errors import explain
from warehouse import accounts
from warehouse.audit import set_process_user
from warehouse.connect import Warehouse, WarehouseURLError, check_warehouse, connect

Handler = Callable[[argparse.Namespace], int]


def _check_targets(args: argparse.Namespace) -> int:
    seeds: Path | None = args.seeds
    if seeds is None and paths.SEEDS.is_dir():
        seeds = paths.SEEDS
    if args.suggest_reported_by:
        return _suggest_reported_by(args)
    catalogue, problems = read_catalogue(args.path, seeds_dir=seeds)
    jurisdictions, more = read_jurisdictions(args.jurisdictions)
    if catalogue is not None and args.path == paths.TARGETS:
        regions, region_problems = read_regions([paths.REGIONS, paths.TOWNS])
        more += region_problems
        if jurisdictions is not None and not region_problems:
            more += check_against_regions(jurisdictions, regions)
            more += check_reported_by(catalogue, regions, jurisdictions)
    problems = [*problems, *more]
    if args.json:
        print(json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=2))
    elif problems:
        print(f"✗ {args.path}: {len(problems)} problem(s)\n")
        for p in problems:
            print(p)
    elif catalogue is not None:
        print(
            f"✓ {args.path}: {len(catalogue.documents)} documents, "
            f"{len(catalogue.indicators)} indicators, {len(catalogue.targets)} targets, "
            f"{len(catalogue.parameters)} parameters"
            + (f"; every quote found in {seeds}" if seeds else "")
        )
    return 1 if problems else 0


def _suggest_reported_by(args: argparse.Namespace) -> int:
    """Print the ``reported_by`` derived from each target's scope, marking where the catalogue
    says something else or nothing."""
    jurisdictions, problems = read_jurisdictions(args.jurisdictions)
    data, read_problems = read_yaml(args.path)
    suggestions: list[Suggestion] = []
    if jurisdictions is not None and not read_problems:
        suggestions, problems = suggest_reported_by(data, jurisdictions)
    problems = [*problems, *read_problems]
    if args.json:
        rows = [
            {
                "path": f"targets[{s.index}].reported_by",
                "target": s.target_id,
                "written": None if s.written is None else list(s.written),
                "suggested": list(s.suggested),
            }
            for s in suggestions
        ]
        print(json.dumps(rows or [asdict(p) for p in problems], ensure_ascii=False, indent=2))
        return 1 if problems else 0
    for p in problems:
        print(p)
    differ = [s for s in suggestions if s.written != s.suggested]
    for s in differ:
        now = "missing" if s.written is None else f"[{', '.join(s.written)}]"
        print(
            f"targets[{s.index}] {s.target_id}: reported_by: [{', '.join(s.suggested)}]"
            f"  (written: {now})"
        )
    if suggestions:
        print(
            f"{len(suggestions) - len(differ)} of {len(suggestions)} targets say what the scope "
            "suggests; the suggestion is derived from the scope and data/jurisdictions.yaml, "
            "the catalogue decides"
        )
    return 1 if problems else 0


def _catalogue_doc(args: argparse.Namespace) -> int:
    from target_monitor.catalogue_doc import render_catalogue_doc

    catalogue, problems = read_catalogue(args.path)
    if catalogue is None:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    text = render_catalogue_doc(catalogue)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def _print_issues(issues: Sequence[Issue], lang: str) -> None:
    for issue in issues:
        mark = "✗" if issue.severity == "error" else "!"
        print(f"{mark} {issue.where()}: [{issue.rule}] {issue.message(lang)}")
        print(f"    {'修改' if lang == 'zh' else 'fix'}: {issue.fix(lang)}")


def _validate(args: argparse.Namespace) -> int:
    data = args.file.read_bytes()
    issues, rows, total, _ = check_file(
        data, args.file.name, db=None, region=args.region, max_bytes=args.max_mb << 20
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

    counts = init_warehouse(args.db, sample=args.sample, if_missing=args.if_missing)
    print(f"✓ {args.db}: {init_summary(counts)}")
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
        rows = write_template(ref.catalogue, ref.regions, args.region, quarter, args.out)
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
    frame = service.goal_status(
        args.db, catalogue=ref.catalogue, regions=ref.regions, as_of=as_of, region=args.region
    ).select(STATUS_COLUMNS)
    if args.json:
        records = frame.with_columns(frame["deadline"].cast(str)).to_dicts()
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    print(f"as of {as_of.isoformat()} — {frame.height} goals")
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


def _briefing(args: argparse.Namespace) -> int:
    from target_monitor.briefing import build_briefing

    check_warehouse(args.db)
    try:
        summary = build_briefing(args.db, args.out, as_of=args.as_of, document=args.document)
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(
        f"✓ {args.out}: {summary.pages} pages as of {summary.as_of.isoformat()}, "
        f"{len(summary.headline)} headline goals, {len(summary.attention)} needing attention"
    )
    return 0


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="target-monitor",
        description="目标监测 Target Monitor — 中小微企业服务体系目标监测",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser(
        "check-targets",
        help="validate a targets catalogue and print every problem",
        description="Validate a targets catalogue; exit 1 and list every problem if any.",
    )
    check.add_argument("path", nargs="?", type=Path, default=paths.TARGETS, metavar="PATH")
    check.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help="folder of source documents to check quotes against (default: data/seeds)",
    )
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.add_argument(
        "--jurisdictions",
        type=Path,
        default=paths.JURISDICTIONS,
        help="the jurisdictions file (default: data/jurisdictions.yaml)",
    )
    check.add_argument(
        "--suggest-reported-by",
        action="store_true",
        help="print each target's reported_by as derived from its scope, where the catalogue "
        "differs or says nothing",
    )
    check.set_defaults(handler=_check_targets)

    doc = sub.add_parser("catalogue-doc", help="write docs/catalogue.md from the catalogue")
    doc.add_argument("path", nargs="?", type=Path, default=paths.TARGETS, metavar="PATH")
    doc.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    doc.set_defaults(handler=_catalogue_doc)

    def add_common(p: argparse.ArgumentParser, *, db: bool = True) -> None:
        if db:
            p.add_argument(
                "--db",
                type=_warehouse_path,
                default=paths.DEFAULT_DB,
                help="warehouse file, or a duckdb:/// URL",
            )
        p.add_argument("--lang", choices=["zh", "en"], default="zh", help="message language")

    init = sub.add_parser("init", help="create or migrate the warehouse")
    add_common(init)
    init.add_argument("--sample", action="store_true", help="load the bundled sample (示例数据)")
    init.add_argument("--if-missing", action="store_true", help="do nothing if the file exists")
    init.set_defaults(handler=_init)

    val = sub.add_parser("validate", help="check an upload without loading it")
    val.add_argument("file", type=Path)
    val.add_argument("--region", help="the uploader's region: rows outside it are rejected")
    val.add_argument("--json", action="store_true", help="print the verdict as JSON")
    val.add_argument("--max-mb", type=int, default=MAX_BYTES >> 20, help="size limit in MB")
    add_common(val, db=False)
    val.set_defaults(handler=_validate)

    load = sub.add_parser("load", help="validate and load an upload as one batch")
    load.add_argument("file", type=Path)
    load.add_argument(
        "--user", default=None, help="the account submitting the figures (its scope applies)"
    )
    load.add_argument("--region", help="the uploader's region: rows outside it are rejected")
    load.add_argument("--dry-run", action="store_true", help="compare and record, save nothing")
    load.add_argument("--json", action="store_true", help="print the batch summary as JSON")
    load.add_argument("--max-mb", type=int, default=MAX_BYTES >> 20, help="size limit in MB")
    add_common(load)
    load.set_defaults(handler=_load)

    tpl = sub.add_parser("template", help="write a pre-filled upload template")
    tpl.add_argument("--region", required=True, help="region code, e.g. 440100")
    tpl.add_argument("--period", required=True, help="quarter, e.g. 2018Q3")
    tpl.add_argument("--out", type=Path, required=True, help="FILE.xlsx or FILE.csv")
    tpl.set_defaults(handler=_template)

    status = sub.add_parser("status", help="every goal's status at a date")
    add_common(status)
    status.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="YYYY-MM-DD (default: today, or the sample's date on the sample warehouse)",
    )
    status.add_argument(
        "--region", help="only goals of this jurisdiction (a code of data/jurisdictions.yaml)"
    )
    status.add_argument("--json", action="store_true", help="print a list of objects")
    status.set_defaults(handler=_status)

    users = sub.add_parser("users", help="manage accounts (bureau / planner / admin)")
    users.add_argument("action", choices=["add", "list", "disable", "enable", "passwd"])
    users.add_argument("name", nargs="?", help="username")
    users.add_argument("--role", choices=list(accounts.ROLES), default="bureau")
    users.add_argument("--region", help="a bureau's region code")
    users.add_argument("--display-name", help="name shown in the dashboard")
    users.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    users.add_argument("--by", default="cli", help="who makes the change (for the audit log)")
    add_common(users)
    users.set_defaults(handler=_users)

    for name, text in (("lock", "lock an approved quarter"), ("unlock", "unlock a quarter")):
        lock = sub.add_parser(name, help=text)
        lock.add_argument("--period", required=True, help="quarter, e.g. 2018Q3")
        lock.add_argument("--user", required=True, help="an admin account")
        lock.add_argument("--reason", help="why (kept in the audit log)")
        add_common(lock)
        lock.set_defaults(handler=_lock)

    brief = sub.add_parser("briefing", help="write the leadership briefing pack (PDF)")
    brief.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    brief.add_argument("--document", help="only goals of this document id")
    brief.add_argument("--out", type=Path, required=True, help="FILE.pdf")
    add_common(brief)
    brief.set_defaults(handler=_briefing)

    aud = sub.add_parser("audit", help="print the audit log")
    aud.add_argument("--actor")
    aud.add_argument("--action")
    aud.add_argument("--limit", type=int, default=100)
    aud.add_argument("--json", action="store_true")
    add_common(aud)
    aud.set_defaults(handler=_audit)
    return parser


def _warehouse_path(text: str) -> Path:
    """``--db``: a path, or a URL (``duckdb:///relative``, ``duckdb:////absolute``); any other
    scheme is refused as a usage error that says what is supported."""
    try:
        return Warehouse.from_url(text).path
    except WarehouseURLError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command.  The error boundary: a storage or input error (warehouse missing, not
    initialised, busy, read-only; a file that cannot be read) is one bilingual line on stderr
    and exit status 1, never a traceback; anything else is a bug and keeps its traceback."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    set_process_user(getpass.getuser())  # every audit row this command writes names the OS user
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("✗ 已中断 interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `… | head` closed the pipe: stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        line = explain(exc)
        if line is None:
            raise
        print(f"✗ {line}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
