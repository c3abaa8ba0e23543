"""Published figures: real outcomes stated in public sources, kept apart from reported actuals.

``data/published/published_actuals.csv`` is a byte-identical copy of the shared research file;
``data/published/indicator_map.csv`` says, per published key (and per region where a key occurs in
more than one), which catalogue indicator the figure measures, if any, and which region code it
carries.  :func:`read_published` joins the two into the shape of the ``published_figures`` table
(``warehouse/migrations/002_facts.sql``); :func:`load_published` puts them in the warehouse.

Nothing is estimated, converted or filled in:

- ``value_text`` is the value exactly as stated; ``value`` is its leading number when it has one
  and ``qualifier`` the rest (``"3020 (nearly)"`` → ``3020.0`` and ``"nearly"``).
- ``unit`` is the unit as stated (``亿元(签约金额)``, ``万元``…), never converted to the
  catalogue's base unit: a dashboard must show it next to the number.
- ``year`` is the year the figure stands at: the 4-digit year the label starts with
  (``"2013 (10th)"`` → 2013, ``"~2022 (MIIT press Q&A)"`` → 2022), or for a span the year it ends
  (``"2004-2018 (cumulative)"`` → 2018, a total as of that year); null when the label has none.
- Every column is read as text, so region codes never become integers.

The README next to the data (``data/published/README.md``) records the mapping decisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from model import paths
from model.regions import read_region_frame

PUBLISHED_DIR = paths.DATA / "published"
PUBLISHED_CSV = PUBLISHED_DIR / "published_actuals.csv"
# Figures this project's own research found (same columns; not in the shared file)
LOCAL_CSV = PUBLISHED_DIR / "local_actuals.csv"
INDICATOR_MAP_CSV = PUBLISHED_DIR / "indicator_map.csv"

SOURCE_COLUMNS = (
    "indicator_key",
    "region",
    "year",
    "value",
    "unit",
    "source_url_or_title",
    "source_date",
    "quote",
    "confidence",
)
MAP_COLUMNS = ("source_key", "indicator", "region_code", "note")

# The columns of ``published_figures`` in 002_facts.sql, in order, as Polars types.
SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "source_key": pl.String(),
    "region": pl.String(),
    "region_code": pl.String(),
    "year_label": pl.String(),
    "year": pl.Int32(),
    "value_text": pl.String(),
    "value": pl.Float64(),
    "qualifier": pl.String(),
    "unit": pl.String(),
    "source": pl.String(),
    "source_date": pl.String(),
    "quote": pl.String(),
    "confidence": pl.String(),
}
CONFIDENCE = frozenset({"high", "medium"})

_NUMBER = re.compile(r"\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_YEAR = re.compile(r"\s*~?\s*(\d{4})(?:\s*[-–]\s*(\d{4}))?(?!\d)")
_CODE = re.compile(r"\d{6}")


class PublishedDataError(ValueError):
    """The published file and the indicator map do not fit together; carries every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"published figures: {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class ParsedValue:
    value: float | None
    qualifier: str | None


def parse_value(text: str) -> ParsedValue:
    """The leading number of ``text`` and what follows it, outer parentheses removed.

    ``"3020 (nearly)"`` → (3020.0, "nearly"); ``"395.63"`` → (395.63, None);
    ``"703 national / 3800+ provincial"`` → (703.0, "national / 3800+ provincial");
    text that does not start with a number → (None, None): nothing is guessed.
    """
    match = _NUMBER.match(text)
    if match is None:
        return ParsedValue(None, None)
    number = float(match[1].replace(",", "") + (match[2] or ""))
    rest = text[match.end() :].strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1].strip()
    return ParsedValue(number, rest or None)


def parse_year(label: str) -> int | None:
    """The year a figure stands at: the leading year, or the last year of a leading span."""
    match = _YEAR.match(label)
    if match is None:
        return None
    return int(match[2] or match[1])


def _read_strings(path: Path, columns: tuple[str, ...]) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    if frame.columns != list(columns):
        raise PublishedDataError(
            [f"{path.name}: columns are {frame.columns}, expected {list(columns)}"]
        )
    return frame


def _region_codes(regions_path: Path) -> dict[str, str]:
    """Region name → code, for names that mean exactly one code in the region list."""
    regions = read_region_frame(regions_path)
    codes: dict[str, set[str]] = {}
    for name, code in regions.select("name", "code").iter_rows():
        codes.setdefault(name, set()).add(code)
    return {name: next(iter(found)) for name, found in codes.items() if len(found) == 1}


def _blank_to_none(text: str | None) -> str | None:
    return text if text is not None and text.strip() else None


def read_published(
    path: Path = PUBLISHED_CSV,
    map_path: Path = INDICATOR_MAP_CSV,
    local_path: Path | None = LOCAL_CSV,
    regions_path: Path = paths.REGIONS,
) -> pl.DataFrame:
    """The published figures with their catalogue indicator, as rows of ``published_figures``.

    Each published row is matched with one row of the map:

    - when its region name is in the region list, the map row of its key with that region code;
    - otherwise (``中博会(广州)``, ``全国``) the key's only map row, whose region code (possibly
      empty) the map decides.

    The shared research file (``path``) is read first, then this project's own finds
    (``local_path``, the same columns; None: none).

    Raises :class:`PublishedDataError` naming every row that matches no map row or several, every
    map row no published row uses, and every empty required cell.
    """
    files = [path] if local_path is None or not local_path.exists() else [path, local_path]
    lines = [
        (file.name, line, row)
        for file in files
        for line, row in enumerate(_read_strings(file, SOURCE_COLUMNS).iter_rows(named=True), 2)
    ]
    mapping = _read_strings(map_path, MAP_COLUMNS)
    names = _region_codes(regions_path)
    problems: list[str] = []

    by_key: dict[str, list[dict[str, str | None]]] = {}
    for line, entry in enumerate(mapping.iter_rows(named=True), start=2):
        key = _blank_to_none(entry["source_key"])
        code = _blank_to_none(entry["region_code"])
        if key is None:
            problems.append(f"{map_path.name} line {line}: source_key is empty")
            continue
        if code is not None and _CODE.fullmatch(code) is None:
            problems.append(f"{map_path.name} line {line}: region_code {code!r} is not 6 digits")
        entry = {**entry, "region_code": code, "indicator": _blank_to_none(entry["indicator"])}
        if any(other["region_code"] == code for other in by_key.get(key, [])):
            problems.append(f"{map_path.name} line {line}: {key} / {code} is mapped twice")
        by_key.setdefault(key, []).append(entry)

    used: set[tuple[str, str | None]] = set()
    rows: list[dict[str, object]] = []
    for name, line, src in lines:
        where = f"{name} line {line}"
        empty = [c for c in SOURCE_COLUMNS if _blank_to_none(src[c]) is None]
        if empty:
            problems.append(f"{where}: empty {', '.join(empty)}")
            continue
        key, region = str(src["indicator_key"]), str(src["region"])
        candidates = by_key.get(key, [])
        known = names.get(region)
        if known is not None:
            matches = [c for c in candidates if c["region_code"] == known]
        else:
            matches = candidates
        if len(matches) != 1:
            problems.append(
                f"{where}: {key} in {region} ({known or 'not in the region list'}) matches "
                f"{len(matches)} row(s) of {map_path.name}; add exactly one"
            )
            continue
        (entry,) = matches
        used.add((key, entry["region_code"]))
        if src["confidence"] not in CONFIDENCE:
            problems.append(f"{where}: confidence {src['confidence']!r} is not high or medium")
        value_text = str(src["value"])
        parsed = parse_value(value_text)
        rows.append(
            {
                "indicator": entry["indicator"],
                "source_key": key,
                "region": region,
                "region_code": entry["region_code"],
                "year_label": src["year"],
                "year": parse_year(str(src["year"])),
                "value_text": value_text,
                "value": parsed.value,
                "qualifier": parsed.qualifier,
                "unit": src["unit"],
                "source": src["source_url_or_title"],
                "source_date": src["source_date"],
                "quote": src["quote"],
                "confidence": src["confidence"],
            }
        )

    for key, entries in by_key.items():
        for entry in entries:
            if (key, entry["region_code"]) not in used:
                problems.append(
                    f"{map_path.name}: {key} / {entry['region_code'] or '(no code)'} "
                    "is used by no published row"
                )
    if problems:
        raise PublishedDataError(problems)
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def load_published(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame | None = None) -> int:
    """Insert the published figures into an empty ``published_figures``; return rows inserted.

    Runs inside the caller's transaction (it neither begins nor commits one), deletes nothing, and
    inserts only when the table is empty, so calling it again inserts 0 rows.  Values are bound
    through a registered frame, never formatted into SQL.
    """
    ((present,),) = con.execute("SELECT count(*) FROM published_figures").fetchall()
    if present > 0:
        return 0
    rows = read_published() if frame is None else frame
    if list(rows.schema.items()) != list(SCHEMA.items()):
        raise PublishedDataError([f"frame schema {dict(rows.schema)} is not {SCHEMA}"])
    if rows.is_empty():
        return 0
    con.register("published_figures_new", rows)
    try:
        con.execute("INSERT INTO published_figures BY NAME SELECT * FROM published_figures_new")
    finally:
        con.unregister("published_figures_new")
    return rows.height
