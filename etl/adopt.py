"""Adopt published figures as reports: ``target-monitor published adopt`` and the admin page.

A published figure (``data/published/``, table ``published_figures``) that maps to a catalogue
indicator becomes a report of that indicator **at the published region's code** (440000 for a
Guangdong total, 370200 for Qingdao's, 441700 for a Yangjiang figure), for one quarter, with its
URL or title, date and quote kept as the report's ``source``.  The adopted figures go in as one
batch whose ``upload_batches.source`` is ``published``, written straight through
:func:`warehouse.facts.commit_batch` (not through upload validation: a published figure is not a
bureau's file), audited as ``published_adopt``.  docs/methodology.md ("Sources") has the rules:

* **Id.**  A figure's id is ``pub-`` and the first 10 hex digits of the SHA-256 of its published
  key, region (as published) and year label: derived from what the file states, so it is the
  same in every warehouse and survives a reload of ``published_figures``.
* **Quarter.**  The figure stands at its *as-at date*: the source's date (``2016-11-24``,
  ``2014-10``) when it falls within the figure's year, else the end of that year (a figure for
  "2015 (end)" published in 2016 stands at 2015-12-31).  Its quarter is the quarter of that date:
  "2015 (end)" → 2015Q4, "2017 (Sept)" stated on 2017-09-26 → 2017Q3.
* **Which figures.**  Mapped to a catalogue indicator, with a number, a region in the region
  list valid at the quarter's end, a unit that is the indicator's unit (the published unit starts
  with it: ``平方米(…)`` for 平方米), a quarter from 2011Q1 and ended, and a source date not before
  its year (a pre-event plan is no outcome).  Two figures for one key: the later as-at date wins,
  then the higher confidence; the other is listed as superseded.
* **Never over a report.**  A key whose current figure came from a bureau's upload (or the
  sample) is left alone: the published figure is listed as skipped, nothing is written over it.
* **Idempotent.**  Adopting again writes nothing when every value and source is unchanged
  (:func:`warehouse.facts.unchanged`); a corrected figure becomes a new revision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from etl.build import init_warehouse
from etl.load import Reference, reference
from model import clock
from model.catalogue import Catalogue
from model.periods import Quarter
from model.regions import Region
from warehouse import sources
from warehouse.accounts import AccountError, User, require_admin
from warehouse.audit import audit
from warehouse.connect import connect
from warehouse.facts import BatchRecord, commit_batch, unchanged

SYSTEM_ACTOR = "system"
ACTION = "published_adopt"
FILE_NAME = "data/published/"  # the batch's "file": the published figures the table holds
FIRST_QUARTER = Quarter(2011, 1)  # the plans start in 2011 (etl.validate.PLAN_START)
_CONFIDENCE_RANK = {"high": 2, "medium": 1, "low": 0}
_DATE = re.compile(r"\s*(\d{4})-(\d{2})(?:-(\d{2}))?")
_URL = re.compile(r"https?://[^\s)\]）>\"'，；]+")

Status = Literal["committed", "unchanged", "nothing"]


class AdoptError(ValueError):
    """Nothing was adopted: unknown ids, no admin, or a warehouse that is not for published
    figures only (``init --published``).  The text is bilingual."""


def figure_id(source_key: str, region: str, year_label: str) -> str:
    """The stable id of a published figure (see the module's docstring)."""
    text = "\x1f".join((source_key, region, year_label))
    return "pub-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def first_url(text: str | None) -> str | None:
    """The first http(s) URL in a source text, for a link; None when it names a document."""
    match = _URL.search(text or "")
    return match[0] if match else None


@dataclass(frozen=True)
class Figure:
    """One published figure and, when it cannot be adopted, why (``skip``)."""

    id: str
    source_key: str
    region: str
    region_code: str | None
    indicator: str | None
    year_label: str
    value: float | None
    value_text: str
    unit: str
    source: str
    source_date: str
    quote: str
    confidence: str
    period: str | None
    as_at: dt.date | None
    skip: str | None = None  # a short reason, zh / en

    @property
    def adoptable(self) -> bool:
        return self.skip is None

    def source_text(self) -> str:
        """What the adopted report keeps as its source: URL or title, date and quote."""
        return f"{self.source}；{self.source_date}；“{self.quote}”"

    def note(self) -> str:
        return f"公开数据 published {self.id}：{self.value_text}（{self.unit}）"


def as_at_date(year: int, source_date: str) -> dt.date | None:
    """The date a figure of ``year`` stands at; None when its source predates the year."""
    year_end = dt.date(year, 12, 31)
    match = _DATE.match(source_date)
    if match is None:
        return year_end
    stated = dt.date(int(match[1]), int(match[2]), int(match[3] or 1))
    if stated.year < year:
        return None
    return min(stated, year_end)


def _unit_word(unit: str) -> str:
    return re.split(r"[(（]", unit, maxsplit=1)[0].strip()


def figures(
    frame: pl.DataFrame, catalogue: Catalogue, regions: Sequence[Region], today: dt.date
) -> list[Figure]:
    """Every published figure (rows of ``published_figures``), each adoptable or with the reason
    it is not; conflicts for one key are settled (the later as-at date, then the confidence)."""
    indicators = {i.key: i for i in catalogue.indicators}
    versions: dict[str, list[Region]] = {}
    for region in regions:
        versions.setdefault(region.code, []).append(region)
    last_ended = Quarter.of(today).previous()
    out: list[Figure] = []
    for row in frame.iter_rows(named=True):
        as_at = None if row["year"] is None else as_at_date(int(row["year"]), row["source_date"])
        quarter = None if as_at is None else Quarter.of(as_at)
        ind = indicators.get(row["indicator"]) if row["indicator"] else None
        code = row["region_code"]
        skip = None
        if row["indicator"] is None:
            skip = "未对应目录指标 not mapped to a catalogue indicator"
        elif ind is None:
            skip = f"目录中没有指标 {row['indicator']} / not in the catalogue"
        elif row["value"] is None:
            skip = "没有可读的数值 no number"
        elif code is None or code not in versions:
            skip = "没有地区代码 no region code in the region list"
        elif row["year"] is None:
            skip = "没有年份 no year"
        elif as_at is None or quarter is None:
            skip = "来源日期早于数据年份（计划或预告） stated before its year (a plan)"
        elif not _unit_word(row["unit"]).startswith(ind.unit):
            skip = f"单位 {row['unit']} 不是 {ind.unit} / unit is not the indicator's"
        elif quarter < FIRST_QUARTER or quarter > last_ended:
            skip = f"{quarter.label} 不在 2011Q1 至 {last_ended.label} 之间 / outside the plans"
        elif not any(r.valid_on(quarter.end) for r in versions[code]):
            skip = f"{code} 在 {quarter.label} 不是有效区划 / not a valid region then"
        out.append(
            Figure(
                id=figure_id(row["source_key"], row["region"], row["year_label"]),
                source_key=row["source_key"],
                region=row["region"],
                region_code=code,
                indicator=row["indicator"],
                year_label=row["year_label"],
                value=row["value"],
                value_text=row["value_text"],
                unit=row["unit"],
                source=row["source"],
                source_date=row["source_date"],
                quote=row["quote"],
                confidence=row["confidence"],
                period=None if quarter is None else quarter.label,
                as_at=as_at,
                skip=skip,
            )
        )
    return _settle(out)


def _settle(found: list[Figure]) -> list[Figure]:
    """One figure per key: the later as-at date, then the higher confidence, then the id."""
    best: dict[tuple[str | None, str | None, str | None], Figure] = {}
    for f in found:
        if not f.adoptable:
            continue
        key = (f.region_code, f.indicator, f.period)
        other = best.get(key)
        if other is None or _rank(f) > _rank(other):
            best[key] = f
    out = []
    for f in found:
        winner = best.get((f.region_code, f.indicator, f.period)) if f.adoptable else None
        if winner is not None and winner.id != f.id:
            f = _skipped(f, f"被同季度的 {winner.id} 取代 / superseded by {winner.id}")
        out.append(f)
    return out


def _rank(f: Figure) -> tuple[dt.date, int, str]:
    assert f.as_at is not None
    return (f.as_at, _CONFIDENCE_RANK.get(f.confidence, 0), f.id)


def _skipped(f: Figure, reason: str) -> Figure:
    return dataclasses.replace(f, skip=reason)


@dataclass
class AdoptResult:
    status: Status
    batch_id: int | None = None
    adopted: list[Figure] = field(default_factory=list)
    skipped: list[Figure] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    unchanged: int = 0


def list_figures(db: Path, *, ref: Reference | None = None) -> list[Figure]:
    """Every published figure in the warehouse, with its id, quarter and whether it can be
    adopted (and why not)."""
    ref = ref or reference()
    with connect(db) as con:
        frame = sources.published_figures(con)
    return figures(frame, ref.catalogue, ref.regions, clock.today())


def adopt(
    db: Path,
    *,
    ids: Sequence[str] | None = None,
    user: User | None = None,
    ref: Reference | None = None,
) -> AdoptResult:
    """Adopt the published figures ``ids`` (None: every adoptable one) as one batch.

    ``user`` must be an active admin, re-read inside the write; None is the system itself
    (``init --published``).  Raises :class:`AdoptError` for an unknown id or an id that cannot
    be adopted (nothing is written), and :class:`warehouse.accounts.AccountError` for a user who
    is not an admin."""
    ref = ref or reference()
    started = clock.utc_now()
    with connect(db, write=True) as con:
        every = figures(sources.published_figures(con), ref.catalogue, ref.regions, clock.today())
        chosen = _choose(every, ids)
        result = AdoptResult("nothing", skipped=[f for f in every if not f.adoptable])
        rows = _rows(chosen)
        if rows.height:
            current = sources.current_batch_sources(con, keys=rows)
            reported = {
                (c, i, p): b
                for c, i, p, b in current.filter(pl.col("batch_source") != sources.PUBLISHED)
                .select("region_code", "indicator", "period", "batch_id")
                .iter_rows()
            }
            kept = []
            for f in chosen:
                batch = reported.get((f.region_code, f.indicator, f.period))
                if batch is None:
                    kept.append(f)
                else:
                    result.skipped.append(
                        _skipped(
                            f, f"已有上报数据（批次 {batch}），不覆盖 / reported in batch {batch}"
                        )
                    )
            chosen, rows = kept, _rows(kept)
        result.adopted = chosen
        detail = {"ids": [f.id for f in chosen], "skipped": len(result.skipped)}
        nothing_new = rows.height == 0 or unchanged(con, rows)
        # the account re-read under the write lock, after the reads (its lookup leaves a result
        # open that DuckDB's relational reads refuse to run beside)
        actor = SYSTEM_ACTOR
        if user is not None:
            actor = require_admin(
                con, user, "只有管理员可以采用公开数据 / only an admin can adopt published figures"
            ).username
        if nothing_new:
            result.status = "nothing" if rows.height == 0 else "unchanged"
            result.unchanged = rows.height
            audit(con, at=clock.utc_now(), actor=actor, action=ACTION, target=FILE_NAME,
                  detail={**detail, "unchanged": rows.height})  # fmt: skip
            return result
        record = BatchRecord(
            file_name=FILE_NAME,
            sha256=hashlib.sha256(rows.write_csv().encode("utf-8")).hexdigest(),
            uploader=actor,
            region_code=None,
            source=sources.PUBLISHED,
            rows_total=rows.height,
            rows_rejected=0,
            issues=[],
            started_at=started,
        )
        result.batch_id = commit_batch(
            con,
            rows,
            record,
            dry_run=False,
            audit_actor=actor,
            audit_action=ACTION,
            audit_detail=detail,
        )
    result.status = "committed"
    result.new, result.changed = record.counts.new, record.counts.changed
    result.unchanged = record.counts.unchanged
    return result


def _choose(every: list[Figure], ids: Sequence[str] | None) -> list[Figure]:
    if ids is None:
        return [f for f in every if f.adoptable]
    by_id = {f.id: f for f in every}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise AdoptError(
            f"没有这些公开数据编号 {', '.join(unknown)}（target-monitor published list 列出全部）/ "
            f"no published figure {', '.join(unknown)} (target-monitor published list shows them)"
        )
    refused = [by_id[i] for i in dict.fromkeys(ids) if not by_id[i].adoptable]
    if refused:
        reasons = "; ".join(f"{f.id}: {f.skip}" for f in refused)
        raise AdoptError(f"不能采用 cannot adopt — {reasons}")
    return [by_id[i] for i in dict.fromkeys(ids)]


def _rows(chosen: list[Figure]) -> pl.DataFrame:
    """The figures as the rows :func:`warehouse.facts.commit_batch` writes."""
    return pl.DataFrame(
        {
            "region_code": [f.region_code for f in chosen],
            "indicator": [f.indicator for f in chosen],
            "period": [f.period for f in chosen],
            "value": [f.value for f in chosen],
            "note": [f.note() for f in chosen],
            "source": [f.source_text() for f in chosen],
            "_row": [None] * len(chosen),
        },
        schema={
            "region_code": pl.String,
            "indicator": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "note": pl.String,
            "source": pl.String,
            "_row": pl.Int64,
        },
    ).sort("region_code", "indicator", "period")


def init_published(db: Path, *, ref: Reference | None = None) -> tuple[dict[str, int], AdoptResult]:
    """``target-monitor init --published``: a warehouse holding only the adopted published
    figures (no sample): create or migrate it, then adopt every adoptable figure as the system.
    A warehouse that holds other reports (the sample, uploads) is refused, unchanged."""
    ref = ref or reference()
    counts = init_warehouse(db, sample=False, ref=ref)  # creates, or migrates: harmless twice
    with connect(db) as con:
        others = sources.non_published_reports(con)
    if others:
        raise AdoptError(
            f"{db} 已有 {others} 条非公开数据的上报（示例或上传），不能作为只含公开数据的仓库；"
            f"请换一个新文件 / {db} holds {others} reports that are not published figures "
            "(the sample or uploads); give a new file"
        )
    return counts, adopt(db, ids=None, user=None, ref=ref)


__all__ = [
    "ACTION",
    "SYSTEM_ACTOR",
    "AccountError",
    "AdoptError",
    "AdoptResult",
    "Figure",
    "adopt",
    "as_at_date",
    "figure_id",
    "figures",
    "first_url",
    "init_published",
    "list_figures",
]
