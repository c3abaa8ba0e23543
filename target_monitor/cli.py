"""``target-monitor``: the command line.

Each subcommand is a thin layer over a function in ``etl/`` or ``warehouse/``; scripting and tests
depend on the exact forms documented in the README.  What only one command needs (the sample
generator, xlsxwriter, the judgement, the PDF briefing) is imported inside that command, so the
others do not pay for it at start-up.

The handlers live in :mod:`target_monitor.commands`; this module builds the parser and runs a
handler behind the error boundary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from etl.read import MAX_BYTES
from model import paths
from target_monitor import __version__
from target_monitor.commands.accounts import _audit, _lock, _users
from target_monitor.commands.catalogue import _catalogue_doc, _check_targets
from target_monitor.commands.data import (
    STATUS_COLUMNS,
    _briefing,
    _init,
    _load,
    _status,
    _template,
    _validate,
    init_summary,
)
from target_monitor.commands.published import _published
from target_monitor.commands.units import _units
from target_monitor.errors import explain
from warehouse import accounts
from warehouse.audit import set_process_user
from warehouse.connect import Warehouse, WarehouseURLError

__all__ = ["STATUS_COLUMNS", "Handler", "build_parser", "init_summary", "main"]


Handler = Callable[[argparse.Namespace], int]


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
    init.add_argument(
        "--published",
        action="store_true",
        help="no sample: adopt every published figure that maps to an indicator (公开数据)",
    )
    init.set_defaults(handler=_init)

    val = sub.add_parser("validate", help="check an upload without loading it")
    val.add_argument("file", type=Path)
    val.add_argument("--region", help="the uploader's region: rows outside it are rejected")
    val.add_argument("--json", action="store_true", help="print the verdict as JSON")
    val.add_argument("--max-mb", type=int, default=MAX_BYTES >> 20, help="size limit in MB")
    val.add_argument(
        "--db",
        type=_warehouse_path,
        default=None,
        help="a warehouse to check against: its register of units and its previous quarter "
        "(default: none; units of data/units.csv only)",
    )
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
    add_common(tpl)  # --db: the register of units the template lists
    tpl.set_defaults(handler=_template)

    status = sub.add_parser("status", help="every goal's status at a date")
    add_common(status)
    status.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="the evaluation date, YYYY-MM-DD: the quarters due by then are judged (default: "
        "today, or the sample's date on the sample warehouse)",
    )
    status.add_argument(
        "--known-on",
        type=dt.date.fromisoformat,
        default=None,
        help="the knowledge date, YYYY-MM-DD: only revisions submitted by the end of that day "
        "(Beijing time) count (default: now); reproduces what was known then",
    )
    status.add_argument(
        "--region",
        help="only the goals that apply to this region or unit code (a jurisdiction: all of its "
        "goals)",
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

    units = sub.add_parser("units", help="register units (service centres, platforms, bases)")
    units.add_argument("action", choices=["add"])
    units.add_argument("file", type=Path, help="a CSV of units (docs/methodology.md, Units)")
    units.add_argument("--user", required=True, help="an admin account")
    units.add_argument("--json", action="store_true", help="print the outcome as JSON")
    add_common(units)
    units.set_defaults(handler=_units)

    brief = sub.add_parser("briefing", help="write the leadership briefing pack (PDF)")
    brief.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=None, help="evaluation date, YYYY-MM-DD"
    )
    brief.add_argument(
        "--known-on",
        type=dt.date.fromisoformat,
        default=None,
        help="knowledge date, YYYY-MM-DD (default: today); both dates are printed",
    )
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

    pub = sub.add_parser(
        "published",
        help="list the published figures (公开数据), or adopt them as reports",
        description="list: the published figures and their ids (--all: unmapped ones too); "
        "adopt: the figures given (or --all) become reports at the published region's code, "
        "one batch, each keeping its URL and quote as its source.",
    )
    pub.add_argument("action", choices=["list", "adopt"])
    pub.add_argument("ids", nargs="*", metavar="ID", help="figure ids, as `published list` shows")
    pub.add_argument("--all", action="store_true", help="every figure (adopt: every adoptable)")
    pub.add_argument("--user", help="an admin account (adopt)")
    pub.add_argument("--json", action="store_true", help="print JSON")
    add_common(pub)
    pub.set_defaults(handler=_published)
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
