"""Benchmark: the full validate-and-load path against DuckDB's raw ``read_csv``, in one run.

Generates a national-scale file (3,000 counties × 40 indicators × 40 quarters = 4.8 M rows by
default), then times, each in a fresh subprocess so peak memory is its own:

* ``raw``: ``CREATE TABLE … AS SELECT * FROM read_csv(file)`` into a new DuckDB file;
* ``full``: :func:`etl.load.load_file` into a new warehouse (read → validate → compare → append).

Prints rows/s for both, the ratio, peak memory, and the time the full path spends in each step
(read, validation context, validate, compare and append).  Usage::

    .venv/bin/python bench/load.py [--regions 3000] [--indicators 40] [--quarters 40]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.load import Reference, reference  # noqa: E402
from model.catalogue import Catalogue  # noqa: E402
from model.regions import Region  # noqa: E402
from model.reporting import reporting_rules  # noqa: E402


def national_reference(n_regions: int) -> tuple[Reference, list[str]]:
    """The real catalogue with ``n_regions`` synthetic county-sized reporters under 440000."""
    base = reference()
    extra = tuple(
        Region(
            f"{440000001 + i}", f"测试县{i:04d}", "city", "440000", None, None, False, "bench", ""
        )
        for i in range(n_regions)
    )
    province = tuple(r for r in base.regions if r.code == "440000")
    return Reference(base.catalogue, province + extra), [r.code for r in extra]


def city_indicators(catalogue: Catalogue, count: int) -> list[str]:
    keys: dict[str, None] = {}
    for rule in reporting_rules(catalogue):
        if rule.jurisdiction == "440000" and rule.level == "city":
            keys.setdefault(rule.indicator, None)
    chosen = list(keys)[:count]
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} city-level indicators in the catalogue")
    return chosen


def generate(path: Path, codes: list[str], indicators: list[str], quarters: int) -> int:
    labels = [f"{2011 + q // 4}Q{q % 4 + 1}" for q in range(quarters)]
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("region_code,indicator,period,value,note\n")
        for i, code in enumerate(codes):
            for j, indicator in enumerate(indicators):
                base = (i * 7 + j * 13) % 97 + 1
                lines = [
                    f"{code},{indicator},{label},{base + q},\n" for q, label in enumerate(labels)
                ]
                out.writelines(lines)
                rows += len(lines)
    return rows


RAW = """
import sys, time, duckdb, resource
start = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")  # a slow run must not print a bar to stdout
con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?)", [sys.argv[1]])
n = con.execute("SELECT count(*) FROM raw").fetchone()[0]
con.close()
print(n, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

FULL = """
import sys, time, resource, json
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from bench.load import national_reference
from etl.build import init_warehouse
import etl.load
ref, _ = national_reference(int(sys.argv[3]))
db = Path(sys.argv[2])
init_warehouse(db, ref=ref)
phases = {}
def timed(name):  # the time spent in each step of load_file
    step = getattr(etl.load, name)
    def run(*a, **k):
        t = time.perf_counter()
        try:
            return step(*a, **k)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
    setattr(etl.load, name, run)
for name in PHASES:
    timed(name)
from etl import sandbox
from etl.load import load_file
sandbox.warm()  # the reading fork server starts once per process, as in the dashboard
start = time.perf_counter()
r = load_file(Path(sys.argv[1]), db=db, ref=ref, max_bytes=1 << 34, uploader="bench")
elapsed = time.perf_counter() - start
assert r.status == "committed", [(i.rule, i.row, i.value) for i in r.issues[:10]]
print(json.dumps(phases))
# the parse runs in the fork server's child: its peak adds to this process's (a bound: the two
# overlap only while the child hands its table over)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + sandbox.last_child_peak_kb()
print(r.rows_new, elapsed, peak)
""".replace("PHASES", repr(("read_upload", "validation_context", "validate", "commit_batch")))


def run(script: str, *args: str) -> tuple[int, float, float, dict[str, float]]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    lines = out.stdout.strip().splitlines()
    rows, seconds, maxrss_kb = lines[-1].split()
    phases = json.loads(lines[-2]) if len(lines) > 1 else {}
    return int(rows), float(seconds), int(maxrss_kb) / 1024, phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    ref, codes = national_reference(args.regions)
    indicators = city_indicators(ref.catalogue, args.indicators)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "national.csv"
        start = time.perf_counter()
        rows = generate(csv, codes, indicators, args.quarters)
        generated = time.perf_counter() - start
        size_mb = csv.stat().st_size / 1024 / 1024
        raw_rows, raw_s, raw_mb, _ = run(RAW, str(csv), str(Path(tmp) / "raw.duckdb"))
        full_rows, full_s, full_mb, phases = run(
            FULL, str(csv), str(Path(tmp) / "full.duckdb"), str(args.regions), str(ROOT)
        )
    assert raw_rows == rows == full_rows, (raw_rows, rows, full_rows)
    result = {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "generate_s": round(generated, 2),
        "raw_read_csv_s": round(raw_s, 2),
        "raw_rows_per_s": round(rows / raw_s),
        "raw_peak_mb": round(raw_mb),
        "full_load_s": round(full_s, 2),
        "full_rows_per_s": round(rows / full_s),
        "full_peak_mb": round(full_mb),
        "ratio_full_to_raw": round(raw_s / full_s, 3),
        "full_phases_s": {k: round(v, 2) for k, v in phases.items()},
        "machine": f"{platform.machine()} {platform.processor() or ''} "
        f"{resource.getpagesize()}B pages, python {platform.python_version()}".strip(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"rows                {rows:>12,}   ({size_mb:.0f} MB CSV, generated in {generated:.1f}s)"
    )
    for label, seconds, peak in (
        ("raw read_csv", raw_s, raw_mb),
        ("validate+load", full_s, full_mb),
    ):
        print(f"{label:<18}{seconds:>10.2f} s {rows / seconds:>12,.0f} rows/s  peak {peak:,.0f} MB")
    steps = ", ".join(f"{k} {v:.2f}" for k, v in phases.items())
    print(f"  of which (s): {steps}; the rest is hashing, connecting and bookkeeping")
    print(f"full / raw throughput  {raw_s / full_s:.1%}   (goal ≥ 50 %)")


if __name__ == "__main__":
    main()
