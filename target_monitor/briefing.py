"""The briefing pack: an A4 PDF for a leadership meeting, Chinese throughout.

Cover; a summary table of every headline goal with its status colour; one page per goal that is
off track or at risk (chart, region ranking, required run-rate, source clause); source notes; page
numbers on every page.  Every figure comes from the engine's as-of evaluation, so the same as-of
date reproduces the same pack.  Font: Noto Sans CJK SC, the charts' font (fpdf2 embeds its CFF
outlines), else any CJK font :func:`target_monitor.export.cjk_font_files` finds.

This module assembles the pack (which goals, which pages, in what order) and draws its pages;
the words are in :mod:`target_monitor.briefing_text`, the A4 page and its font in
:mod:`target_monitor.briefing_pdf`.  Their names stay importable from here.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from dataclasses import dataclass
from pathlib import Path

from fpdf import FontFace

from etl.load import reference
from judge.engine import GoalDetail
from model import clock
from model.catalogue import Catalogue
from service import api as service
from service.units import unit_names
from target_monitor import charts, export
from target_monitor.briefing_pdf import (
    BLUE,
    BOTTOM,
    DARK,
    GREY,
    HEAD,
    NO_END,
    NO_START,
    SHADE,
    TOP,
    M,
    W,
    _on,
    _Pdf,
    _rgb,
)
from target_monitor.briefing_text import (
    ATTENTION,
    OFFICE,
    STRINGS,
    TITLE,
    Row,
    _document,
    _goal_text,
    _rate_sentence,
    _value,
    _zh_date,
    goal_name,
    source_of,
    status_bands,
)
from target_monitor.i18n import status_label, t, verdict_label

__all__ = [  # the public names, wherever they are defined
    "ATTENTION",
    "BLUE",
    "BOTTOM",
    "DARK",
    "GREY",
    "HEAD",
    "NO_END",
    "NO_START",
    "OFFICE",
    "SHADE",
    "STRINGS",
    "TITLE",
    "TOP",
    "BriefingSummary",
    "GoalLine",
    "M",
    "Row",
    "W",
    "build_briefing",
    "goal_name",
    "source_of",
    "status_bands",
]


@dataclass(frozen=True)
class GoalLine:
    target_id: str
    name: str
    status: str
    label: str  # the Chinese status label printed (with （暂定） while provisional)


@dataclass(frozen=True)
class BriefingSummary:
    path: Path
    as_of: dt.date  # the evaluation date: the quarters due by then are judged
    known_on: dt.date  # the knowledge date: revisions submitted by the end of that day count
    sample: bool
    pages: int
    summary_pages: int
    notes_pages: int
    headline: tuple[GoalLine, ...]  # the summary table, in order
    attention: tuple[GoalLine, ...]  # one page each, in order


def _cover(pdf: _Pdf, scope: str, office: str) -> None:
    pdf.add_page()
    pdf.box(0, 0, 210, 8, BLUE)
    pdf.set_y(78)
    for line in TITLE:
        pdf.put(line, 26, h=14, bold=True)
    pdf.box(M + pdf.c_margin, pdf.get_y() + 6, 58, 0.8, BLUE)
    pdf.put(STRINGS["asof"].format(date=_zh_date(pdf.as_of)), 14, h=9, y=pdf.get_y() + 16)
    pdf.put(STRINGS["knownon"].format(date=_zh_date(pdf.known_on)), 11, h=7)
    pdf.put(STRINGS["office"].format(office=office), 12, h=8)
    pdf.put(scope, 11, h=8)
    if pdf.sample:
        pdf.set_xy(M, 228)
        pdf.set_fill_color(255, 243, 205)
        pdf.set_draw_color(230, 159, 0)
        pdf.style(11, bold=True, colour=(120, 70, 0))
        pdf.multi_cell(W, 8, STRINGS["sample"], border=1, fill=True, padding=4)


def _summary(pdf: _Pdf, catalogue: Catalogue, rows: list[Row]) -> None:
    pdf.add_page()
    pdf.put(STRINGS["s1"], 15, h=9, bold=True)
    counts = {s: sum(r["status"] == s for r in rows) for s in charts.STATUS_ORDER}
    text = "，".join(f"{status_label(s)} {n} 项" for s, n in counts.items() if n)
    pdf.para(STRINGS["s1.lead"].format(date=_zh_date(pdf.as_of), n=len(rows), counts=text))
    pdf.ln(2)
    widths = (9.0, 62.0, 18.0, 28.0, 24.0, 12.0, 25.0)  # room for 进度正常（暂定）
    group = FontFace("cjk", "B", 8, DARK, (232, 238, 244))
    with pdf.grid(widths, ("C", "L", "L", "R", "R", "R", "C"), 8) as table:
        table.row(STRINGS["cols"].split("|"))
        document = None
        for i, row in enumerate(rows, start=1):
            target = catalogue.target(row["target_id"])
            if target.document != document:
                document = target.document
                table.row().cell(_document(catalogue, target), colspan=7, style=group)
            final, colour = row["attainment_final"], charts.STATUS_COLOURS[row["status"]]
            texts = [str(i), goal_name(catalogue, target.id), target.article]
            texts += [_goal_text(catalogue, target), _value(row, "actual")]
            texts.append("—" if final is None else f"{final:.0%}")
            cells = table.row()
            for text, width in zip(texts, widths, strict=False):  # wrapped the Chinese way
                cells.cell("\n".join(pdf.wrap(width - 2.7 + 2 * pdf.c_margin, text)))
            face = FontFace("cjk", "B", 8, _on(colour), colour)
            cells.cell(verdict_label(row["status"], row["provisional"]), style=face)


def _metrics(pdf: _Pdf, row: Row) -> None:
    done, y, box = row["completeness"], pdf.get_y(), W / 6
    keys = ("actual", "planned", "final", "projected", "required_rate")
    items = [(f"goal.metric.{k.split('_')[-1]}", _value(row, k)) for k in keys]
    items.append(("goal.metric.completeness", "—" if done is None else f"{done:.0%}"))
    for i, (key, value) in enumerate(items):
        x = M + i * box
        pdf.box(x + 0.6, y, box - 1.2, 16, SHADE)
        if key == "goal.metric.rate":
            pdf.box(x + 0.6, y, 1.2, 16, _rgb(charts.STATUS_COLOURS[row["status"]]))
        pdf.put(t(key), 8, w=box - 4, h=4, x=x + 2.5, y=y + 1.8, colour=GREY)
        pdf.put(
            value, 12 if len(value) < 8 else 10, w=box - 4, h=6, x=x + 2.5, y=y + 7.5, bold=True
        )
    pdf.set_xy(M, y + 19)


def _goal_page(pdf: _Pdf, detail: GoalDetail, names: dict[str, str], i: int, n: int) -> None:
    catalogue, row = reference().catalogue, detail.status.row(0, named=True)
    target = catalogue.target(row["target_id"])
    pdf.add_page()
    pdf.set_auto_page_break(False)  # one page per goal: the chart takes the room that is left
    pdf.put(STRINGS["s2"].format(i=i, n=n), 10, h=6, bold=True, colour=BLUE)
    pdf.para(goal_name(catalogue, target.id), 16, h=9, bold=True)
    colour = charts.STATUS_COLOURS[row["status"]]
    label = verdict_label(row["status"], row["provisional"])
    pdf.set_fill_color(*_rgb(colour))
    pdf.style(9.5, bold=True)  # the badge's width is measured in its own font
    badge = dict(bold=True, colour=_on(colour), fill=True, align="C", inline=True)
    pdf.put(label, 9.5, w=pdf.get_string_width(label) + 6, h=6.5, **badge)
    goal = _goal_text(catalogue, target)
    pdf.put(f"   {source_of(catalogue, target)} · 目标：{goal}", 9.5, w=0, h=6.5, colour=GREY)
    pdf.ln(2.5)
    _metrics(pdf, row)
    pdf.para(_rate_sentence(catalogue, target, row), 10.5)
    left, right = 84.0, W - 90.0
    known = [r for r in detail.regions.to_dicts() if r["value"] is not None][:10]
    short = [names.get(c, c) for c in row["units_short"] or []]
    notes = [_document(catalogue, target, target.article)]
    notes.append(STRINGS["lead"].format(lead="、".join(target.lead) or "—"))
    if short:
        more = "、".join(short[:20]) + ("等" if len(short) > 20 else "")
        notes.append(STRINGS["short"].format(n=len(short), m=row["units_total"], names=more))
    pdf.style(9)
    quote = pdf.wrap(right - 6, f"“{target.quote}”")
    right_h = 16 + 5 * (sum(len(pdf.wrap(right, x)) for x in notes) + len(quote))
    bottom_h = max(8 + 5.2 * (len(known) + 1), right_h)
    chart = charts.goal_trajectory(
        detail.series.to_dicts(), final=row["final"], deadline=target.deadline,
        unit=row["unit"], title=t("goal.chart"), lang="zh",
    )  # fmt: skip
    footer = export.footer_line(pdf.as_of, source_of(catalogue, target), sample=pdf.sample)
    png = export.chart_png(export.with_footer(chart, footer), scale=2, width=760)
    px_w, px_h = struct.unpack(">II", png[16:24])
    y = pdf.get_y() + 2
    h = min(W * px_h / px_w, 297 - BOTTOM - 12 - y - bottom_h)
    pdf.image(io.BytesIO(png), x=M + (W - h * px_w / px_h) / 2, y=y, h=h, w=h * px_w / px_h)
    y += h + 4
    pdf.put(STRINGS["rank"], 10, h=7, x=M, y=y, bold=True)
    _ranking(pdf, known, bool(row["units_total"]), target.unit)
    pdf.set_left_margin(M + left + 6)
    pdf.put(STRINGS["source"], 10, w=right, h=7, x=M + left + 6, y=y, bold=True)
    for note in notes[:2]:
        pdf.para(note, 9, w=right, h=5)
    pdf.box(pdf.get_x(), pdf.get_y() + 1.5, right, 5 * len(quote) + 4, SHADE)
    pdf.set_y(pdf.get_y() + 3.5)
    for line in quote:
        pdf.put(line, 9, w=right - 6, x=M + left + 9)
    if short:
        pdf.para(notes[2], 9, w=right, h=5, y=pdf.get_y() + 4, colour=GREY)
    pdf.set_left_margin(M)
    pdf.set_auto_page_break(True, margin=BOTTOM + 4)


def _ranking(pdf: _Pdf, known: list[Row], units: bool, unit: str) -> None:
    if not known:
        pdf.put(STRINGS["rank.none"], 9)
        return
    extra = any(r["meets"] is not None or r["share"] is not None for r in known)
    cols = [*STRINGS["rank.cols"].split("|"), t("col.meets" if units else "col.share")]
    widths = (12.0, 30.0, 22.0, 20.0) if extra else (14.0, 40.0, 30.0)
    with pdf.grid(widths, ("C", "L", "R", "R")[: len(widths)], 8.5) as table:
        table.row(cols[: len(widths)])
        for rank, r in enumerate(known, start=1):
            share = "—" if r["share"] is None else f"{r['share']:.1%}"
            meets = share if r["meets"] is None else ("是" if r["meets"] else "否")
            cells = [str(rank), r["name"], charts.format_number(r["value"], unit), meets]
            table.row(cells[: len(widths)])


def _notes(pdf: _Pdf, catalogue: Catalogue, rows: list[Row], document: str | None) -> None:
    pdf.add_page()
    pdf.put(STRINGS["notes"], 15, h=9, bold=True)
    pdf.para(STRINGS["n.method"].format(date=_zh_date(pdf.as_of)), 9.5, h=5.5)
    pdf.para(STRINGS["n.data"] + (STRINGS["sample"] if pdf.sample else ""), 9.5, h=5.5)
    pdf.para(t("verdict.provisional.help"), 9.5, h=5.5)
    unverified = [
        tg for tg in catalogue.targets if not tg.verified and document in (None, tg.document)
    ]
    if unverified:  # catalogue audit Q4: figures not yet checked against the published text
        pdf.put(STRINGS["n.unverified"], 11, h=7, y=pdf.get_y() + 3, bold=True)
        for tg in unverified:
            line = t("catalogue.unverified", goal=goal_name(catalogue, tg.id), id=tg.id,
                     reason=tg.unverified_reason or "")  # fmt: skip
            pdf.para(line, 9, h=5.5)
    pdf.put(STRINGS["n.status"], 11, h=7, y=pdf.get_y() + 3, bold=True)
    for status in charts.STATUS_ORDER:
        pdf.box(M, pdf.get_y() + 1.3, 3, 3, _rgb(charts.STATUS_COLOURS[status]))
        pdf.put(status_label(status), 9, w=20, h=5.5, x=M + 5, bold=True, inline=True)
        pdf.put(STRINGS[f"st.{status}"], 9, w=W - 25, h=5.5)
    pdf.put(STRINGS["n.docs"], 11, h=7, y=pdf.get_y() + 3, bold=True)
    articles: dict[str, dict[str, None]] = {}
    for r in rows:
        target = catalogue.target(r["target_id"])
        articles.setdefault(target.document, {})[target.article] = None
    for i, (doc_id, cited) in enumerate(articles.items(), start=1):
        d = catalogue.document(doc_id)
        text = STRINGS["n.doc"].format(
            i=i, number=d.number or "", title=d.title, issuer=d.issuer, date=_zh_date(d.date),
            articles="；".join(cited),
        )  # fmt: skip
        pdf.para(text, 9, h=5.5)
        pdf.ln(1.5)


def build_briefing(
    db: Path,
    out: Path,
    *,
    as_of: dt.date | None = None,
    known_on: dt.date | None = None,
    document: str | None = None,
    office: str = OFFICE,
) -> BriefingSummary:
    """Write the briefing for warehouse ``db`` at the evaluation date ``as_of`` (default: the
    warehouse's default as-of date), on the revisions known at the end of ``known_on`` (default:
    today in Beijing, or the sample's own date on the sample), to ``out``; only one policy
    document's goals when ``document`` is given.  Both dates are printed, so the same two
    reproduce the same briefing later."""
    ref = reference()
    catalogue = ref.catalogue
    if document is not None and document not in {d.id for d in catalogue.documents}:
        raise ValueError(f"未知文件 unknown document: {document}")
    day, sample = as_of or service.default_as_of(db), service.is_sample(db)
    known = known_on or service.default_known_on(db, day) or clock.today()
    status = service.goal_status(
        db, catalogue=catalogue, regions=ref.regions, as_of=day, known_on=known
    )
    rows = [r for r in status.to_dicts() if document in (None, r["document"])]
    headline = [r for r in rows if r["headline"]]
    attention = [r for s in ATTENTION for r in rows if r["status"] == s]
    footer = (
        "示例数据 · " if sample else ""
    ) + f"数据截至 {day.isoformat()} · 按 {known.isoformat()} 当时已知 · 目标监测 Target Monitor"
    pdf = _Pdf(day, footer, sample, known)
    pdf.set_title(" ".join(TITLE))
    pdf.set_author(office)
    pdf.set_creator("目标监测 Target Monitor")
    pdf.set_lang("zh-CN")
    if document is None:
        docs = len({r["document"] for r in headline})
        scope = STRINGS["scope.all"].format(docs=docs, n=len(headline), k=len(attention))
    else:
        d = catalogue.document(document)
        scope = STRINGS["scope.doc"].format(doc=f"{d.number or ''}《{d.title}》")
    _cover(pdf, scope, office)
    _summary(pdf, catalogue, headline)
    summary_pages = pdf.page_no() - 1
    names = {**{r.code: r.name for r in ref.regions}, **unit_names(db)}  # units short, by name
    for i, row in enumerate(attention, start=1):
        detail = service.goal_detail(
            db,
            catalogue=catalogue,
            regions=ref.regions,
            as_of=day,
            known_on=known,
            target_id=row["target_id"],
        )
        _goal_page(pdf, detail, names, i, len(attention))
    before = pdf.page_no()
    _notes(pdf, catalogue, headline + [r for r in attention if not r["headline"]], document)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))

    def lines(chosen: list[Row]) -> tuple[GoalLine, ...]:
        return tuple(
            GoalLine(r["target_id"], goal_name(catalogue, r["target_id"]), r["status"],
                     verdict_label(r["status"], r["provisional"]))
            for r in chosen
        )  # fmt: skip

    notes_pages = pdf.page_no() - before
    return BriefingSummary(
        out, day, known, sample, pdf.pages_count, summary_pages, notes_pages, lines(headline),
        lines(attention),
    )  # fmt: skip
