"""Hand-computed scenarios, run through the command line (issue 12, "Proof").

Every file in ``tests/scenarios/`` is one scenario: figures uploaded at given submission times
(Beijing time), then ``status --json`` at evaluation dates (``--as-of``) and knowledge dates
(``--known-on``), compared with values worked out by hand in the file's comments.  Each scenario
runs on its own empty warehouse (``fresh_db``: no sample) and goes the whole way a bureau's
figures go: a CSV written to disk, ``target-monitor load FILE --json`` with the clock pinned to
the submission time (``model.clock.pinned``), then ``target-monitor status``.  How to write one:
``tests/scenarios/README.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from etl.load import reference
from judge.engine import Reporters
from model import clock
from model.periods import Quarter
from tests.cli_runner import Cli, Ran

SCENARIOS = Path(__file__).parent / "scenarios"
HEADER = ["region_code", "indicator", "period", "value"]
PASSWORD = "scenario-pass-1"

# Reporting groups a row's region may name as ``*group``: "every member of the group due in that
# quarter that this upload does not name for the same indicator and quarter".  Written out by
# hand (docs/methodology.md §8); test_groups_are_the_engines_reporters checks them.
GD_CITIES = (
    "440100", "440200", "440300", "440400", "440500", "440600", "440606", "440700", "440800",
    "440900", "441200", "441300", "441400", "441500", "441600", "441700", "441800", "441900",
    "442000", "445100", "445200", "445300",
)  # fmt: skip  # 21 prefecture-level cities and 顺德区 (440606), which reports beside them
QD_ALWAYS = ("370202", "370203", "370211", "370212", "370213", "370214", "370281", "370283",
             "370285")  # fmt: skip  # 青岛's districts and county-level cities from 2012-12-01 …
JIMO_CITY, JIMO_DISTRICT = "370282", "370215"  # … with 即墨市, 即墨区 from 2017-09-20 (2017Q3)
# 广东's specialised towns (data/towns.csv) valid since before 2012; 潮安区's three from
# 2013-06-28 (2013Q2); 增城's 440118101 from 2014-02-12 (2014Q1); written out up to 2021Q2
GD_TOWNS = (
    "440114109", "440513106", "440514105", "440604100", "440605122", "440605123", "440605125",
    "440606101", "440606102", "440606103", "440606104", "440606106", "440783117", "441900101",
    "441900102", "441900113", "441900118", "441900119", "441900121", "441900122", "442000100",
    "442000101", "442000103", "442000105", "442000106", "442000111", "442000116",
)  # fmt: skip
GD_TOWNS_2013Q2 = ("445103100", "445103108", "445103110")
GD_TOWNS_2014Q1 = ("440118101",)


def group(name: str, q: Quarter) -> tuple[str, ...]:
    """The members of a reporting group due in quarter ``q`` (valid at the quarter's end)."""
    if name == "gd-cities":
        return GD_CITIES
    if name == "qd-districts":
        if q < Quarter(2012, 4):
            raise ValueError("qd-districts is written out from 2012Q4 (after the 2012 merger)")
        jimo = JIMO_DISTRICT if q >= Quarter(2017, 3) else JIMO_CITY
        return tuple(sorted((*QD_ALWAYS, jimo)))
    if name == "gd-towns":
        if q > Quarter(2021, 2):
            raise ValueError("gd-towns is written out up to 2021Q2 (442000100 ends 2021-07-19)")
        towns = GD_TOWNS + (GD_TOWNS_2013Q2 if q >= Quarter(2013, 2) else ())
        return towns + (GD_TOWNS_2014Q1 if q >= Quarter(2014, 1) else ())
    raise ValueError(f"unknown reporting group {name!r} (gd-cities, qd-districts, gd-towns)")


GROUP_OF = {
    "gd-cities": ("440000", "city"),
    "qd-districts": ("370200", "county"),
    "gd-towns": ("440000", "town"),
}


# --------------------------------------------------------------------------------------------
# reading a scenario
# --------------------------------------------------------------------------------------------

SCENARIO_KEYS = {"title", "shows", "accounts", "units", "uploads", "checks"}
UPLOAD_KEYS = {"at", "user", "rows", "refused", "issues", "name"}
CHECK_KEYS = {"as_of", "known_on", "target", "expect"}
ACCOUNT_KEYS = {"name", "role", "region"}
UNITS_KEYS = {"user", "rows"}
EXACT = {"status", "basis", "provisional", "notes", "remarks", "latest_period", "region", "as_of",
         "known_on"}  # fmt: skip
NUMBERS = {"actual", "planned", "ratio", "attainment", "projected", "required_rate", "completeness"}
EXPECT_KEYS = EXACT | NUMBERS | {"units_short"}


def _known(where: str, mapping: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = set(mapping) - allowed
    missing = required - set(mapping)
    assert not unknown, f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})"
    assert not missing, f"{where}: missing keys {sorted(missing)}"


def read_scenario(path: Path) -> dict[str, Any]:
    """A scenario file, its keys checked (a misspelt key fails instead of being ignored)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: a mapping of title, shows, uploads, checks"
    _known(path.name, data, SCENARIO_KEYS, {"title", "shows", "uploads", "checks"})
    for i, account in enumerate(data.get("accounts", [])):
        _known(f"{path.name} accounts[{i}]", account, ACCOUNT_KEYS, {"name", "role"})
    if "units" in data:
        _known(f"{path.name} units", data["units"], UNITS_KEYS, {"user", "rows"})
    for i, upload in enumerate(data["uploads"]):
        _known(f"{path.name} uploads[{i}]", upload, UPLOAD_KEYS, {"at", "rows"})
    for i, check in enumerate(data["checks"]):
        _known(f"{path.name} checks[{i}]", check, CHECK_KEYS, {"as_of", "target", "expect"})
        _known(f"{path.name} checks[{i}].expect", check["expect"], EXPECT_KEYS, set())
    return data


def _quarters(text: str) -> list[Quarter]:
    """``2014Q1`` or a range ``2011Q1..2013Q2`` (both ends included)."""
    first, _, last = text.partition("..")
    q, end = Quarter.parse(first), Quarter.parse(last or first)
    out = []
    while q <= end:
        out.append(q)
        q = q.next()
    assert out, f"empty quarter range {text!r}"
    return out


def expand_rows(lines: Sequence[str]) -> list[list[str]]:
    """A scenario's rows, ``code,indicator,period[..period],value[,source]`` each, as CSV rows.

    A period range gives one row per quarter.  ``*group`` as the code gives a row for every member
    of the group due in that quarter that the upload does not name itself for the same indicator
    and quarter, after the named rows; ``*group!440100`` leaves 440100 out as well."""
    named: list[list[str]] = []
    fills: list[tuple[str, str, Quarter, list[str]]] = []
    for line in lines:
        fields = next(csv.reader([str(line)]))
        assert len(fields) in (4, 5), f"row {line!r}: code,indicator,period,value[,source]"
        code, indicator, period, *rest = (f.strip() for f in fields)
        for q in _quarters(period):
            if code.startswith("*"):
                fills.append((code[1:], indicator, q, rest))
            else:
                named.append([code, indicator, q.label, *rest])
    seen = {(r[0], r[1], r[2]) for r in named}
    rows = list(named)
    for spec, indicator, q, rest in fills:
        name, *left_out = spec.split("!")
        for code in group(name, q):
            if code not in left_out and (code, indicator, q.label) not in seen:
                rows.append([code, indicator, q.label, *rest])
                seen.add((code, indicator, q.label))
    return rows


def beijing(value: object) -> dt.datetime:
    """``2014-04-10 10:00`` (Beijing wall-clock time) as an aware datetime."""
    moment = dt.datetime.fromisoformat(str(value))
    assert moment.tzinfo is None, f"{value}: give Beijing wall-clock time, without a zone"
    return moment.replace(tzinfo=clock.BEIJING)


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# --------------------------------------------------------------------------------------------
# running it
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    cli: Cli
    db: Path
    folder: Path

    def command(self, *args: str, stdin: str | None = None) -> Ran:
        return self.cli(*args, "--db", str(self.db), stdin=stdin)

    def add_account(self, account: dict[str, Any]) -> None:
        region = ["--region", str(account["region"])] if "region" in account else []
        ran = self.command("users", "add", str(account["name"]), "--role", str(account["role"]),
                           *region, "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        assert ran.returncode == 0, ran.stdout + ran.stderr

    def add_units(self, units: dict[str, Any]) -> None:
        path = self.folder / "units.csv"
        header = "code,name,kind,level,parent_code,valid_from,valid_to,source,note"
        path.write_text(header + "\n" + "\n".join(units["rows"]) + "\n", encoding="utf-8")
        ran = self.command("units", "add", str(path), "--user", str(units["user"]), "--json")
        assert ran.returncode == 0, ran.stdout + ran.stderr

    def upload(self, index: int, upload: dict[str, Any]) -> None:
        rows = expand_rows(upload["rows"])
        with_source = any(len(r) == 5 for r in rows)
        path = self.folder / str(upload.get("name", f"upload-{index + 1}.csv"))
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(HEADER + (["source"] if with_source else []))
            writer.writerows(r + [""] * (len(HEADER) + with_source - len(r)) for r in rows)
        user = ["--user", str(upload["user"])] if "user" in upload else []
        with clock.pinned(beijing(upload["at"])):
            ran = self.command("load", str(path), "--json", *user)
        result = json.loads(ran.stdout)
        where = f"upload {index + 1} ({path.name})"
        issues = [[i["rule"], i["row"], i["column"]] for i in result["issues"]]
        expected = [[str(rule), row, column] for rule, row, column in upload.get("issues", [])]
        assert issues == expected, f"{where}: {result['issues']}"
        if upload.get("refused", False):
            assert (ran.returncode, result["status"]) == (1, "rejected"), where
        else:
            assert (ran.returncode, result["status"]) == (0, "committed"), where
            stored = result["new"] + result["changed"] + result["unchanged"]
            assert stored == len(rows), f"{where}: {stored} of {len(rows)} rows stored"

    def status(self, as_of: str, known_on: str | None) -> dict[str, dict[str, Any]]:
        known = ["--known-on", known_on] if known_on is not None else []
        ran = self.command("status", "--as-of", as_of, *known, "--json")
        assert ran.returncode == 0, ran.stderr
        return {r["target_id"]: r for r in json.loads(ran.stdout)}


def compare(where: str, got: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """What differs between the target's ``status --json`` object and the scenario's values."""
    wrong = []
    for key, want in expect.items():
        have = got[key]
        if key in NUMBERS and want is not None:
            same = have is not None and math.isclose(have, float(want), rel_tol=1e-4, abs_tol=1e-9)
        elif key == "units_short":
            same = sorted(have) == sorted(str(c) for c in want)
        elif key in ("as_of", "known_on"):
            same = have == _day(want)
        else:
            same = have == want
        if not same:
            wrong.append(f"{where} {key}: expected {want!r}, got {have!r}")
    return wrong


def run_scenario(path: Path, cli: Cli, db: Path, folder: Path) -> None:
    scenario = read_scenario(path)
    run = Run(cli, db, folder)
    for account in scenario.get("accounts", []):
        run.add_account(account)
    if "units" in scenario:
        run.add_units(scenario["units"])
    for index, upload in enumerate(scenario["uploads"]):
        run.upload(index, upload)
    cache: dict[tuple[str, str | None], dict[str, dict[str, Any]]] = {}
    wrong: list[str] = []
    for check in scenario["checks"]:
        as_of = _day(check["as_of"])
        known_on = _day(check["known_on"]) if "known_on" in check else None
        if (as_of, known_on) not in cache:
            cache[(as_of, known_on)] = run.status(as_of, known_on)
        rows = cache[(as_of, known_on)]
        target = str(check["target"])
        assert target in rows, f"{path.name}: no target {target} in targets.yaml"
        where = f"{target} as of {as_of}" + (f" known on {known_on}" if known_on else "")
        wrong += compare(where, rows[target], check["expect"])
    assert not wrong, f"{path.name}: {scenario['title']}\n" + "\n".join(wrong)


def scenario_files() -> Iterator[Path]:
    yield from sorted(SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("path", list(scenario_files()), ids=lambda p: p.stem)
def test_scenario(path: Path, cli: Cli, fresh_db: Path, tmp_path: Path) -> None:
    run_scenario(path, cli, fresh_db, tmp_path)


def test_there_are_scenarios_and_each_is_well_formed() -> None:
    files = list(scenario_files())
    assert len(files) >= 12
    for path in files:
        scenario = read_scenario(path)
        assert scenario["checks"], f"{path.name}: no checks"


@pytest.mark.parametrize(
    ("name", "quarter"),
    [("gd-cities", "2014Q2"), ("qd-districts", "2012Q4"), ("qd-districts", "2017Q2"),
     ("qd-districts", "2017Q3"), ("gd-towns", "2013Q1"), ("gd-towns", "2013Q2"),
     ("gd-towns", "2014Q1"), ("gd-towns", "2021Q2")],
)  # fmt: skip
def test_groups_are_the_engines_reporters(name: str, quarter: str) -> None:
    q = Quarter.parse(quarter)
    jurisdiction, level = GROUP_OF[name]
    reporters = Reporters.build(reference().regions).expected(jurisdiction, level, q.ordinal)
    assert sorted(r.code for r in reporters) == sorted(group(name, q))


def test_rows_expand_ranges_and_groups() -> None:
    rows = expand_rows(["440100,x,2014Q1..2014Q2,5", "*gd-cities,x,2014Q1,0"])
    assert rows[:2] == [["440100", "x", "2014Q1", "5"], ["440100", "x", "2014Q2", "5"]]
    assert len(rows) == 2 + 21  # 广州 2014Q1 is named, so the group adds the other 21
    assert ["440100", "x", "2014Q1", "0"] not in rows
    without = expand_rows(["*gd-cities!440100!440606,x,2014Q1,0"])
    assert sorted(r[0] for r in without) == sorted(set(GD_CITIES) - {"440100", "440606"})
