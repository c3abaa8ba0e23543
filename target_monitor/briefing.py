"""The briefing pack: an A4 PDF for a leadership meeting, Chinese throughout.

Cover; a summary table of every headline goal with its status colour; one page per goal that is
off track or at risk (chart, region ranking, required run-rate, source clause); source notes; page
numbers on every page.  Every figure comes from the engine's as-of evaluation, so the same as-of
date reproduces the same pack.  Font: Noto Sans CJK SC, the charts' font (fpdf2 embeds its CFF
outlines), else any CJK font :func:`target_monitor.export.cjk_font_files` finds.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]
from fpdf import FPDF, FontFace

from etl.load import reference
from judge.attainment import AT_RISK_R, MIN_COMPLETENESS, ON_TRACK_R
from judge.engine import GoalDetail
from model.catalogue import Catalogue, Target
from model.kinds import COMPARATOR_ZH, KINDS
from model.labels import level_label
from model.periods import Quarter
from service import api as service
from target_monitor import charts, export
from target_monitor.i18n import status_label, t

OFFICE = "广东省工业和信息化厅 中小企业处"
TITLE = ("中小微企业服务体系目标监测", "领导汇报材料")
ATTENTION = ("off_track", "at_risk")  # the goal pages, worst first


def status_bands(
    on_track: float = ON_TRACK_R, at_risk: float = AT_RISK_R, complete: float = MIN_COMPLETENESS
) -> dict[str, str]:
    """What each status means, with the engine's thresholds (R and completeness) filled in."""
    return {
        "st.achieved": "最新数据已达到目标值。",
        "st.achieved_late": "期限届满时未达到，此后已达到目标值。",
        "st.on_track": f"实际进展不低于应有进展的 {on_track:.0%}"
        "（年度目标：本年度已达标或进度正常）。",
        "st.at_risk": f"实际进展为应有进展的 {at_risk:.0%}～{on_track:.0%}。",
        "st.off_track": f"实际进展不足应有进展的 {at_risk:.0%}"
        "，或年度已结束仍未达标、常设标准未达到。",
        "st.missed": "期限已过，期末数值未达到目标值。",
        "st.not_started": "截至该日，目标期限尚未开始。",
        "st.insufficient_data": f"上报完整率低于 {complete:.0%} 或尚无数据，不作判断。",
    }


STRINGS: dict[str, str] = {
    "running": "中小微企业服务体系目标监测 · 领导汇报材料",
    "asof": "数据截至 {date}",
    "office": "报送单位：{office}",
    "scope.all": "范围：{docs} 份政策文件中的 {n} 项重点目标；需关注目标 {k} 项",
    "scope.doc": "范围：{doc}",
    "sample": "示例数据：本材料由系统自带的模拟数据生成，仅供演示，不代表真实上报情况。",
    "page": "第 {n} 页 / 共 {{nb}} 页",
    "s1": "一、重点目标总体情况",
    "s1.lead": "截至{date}，纳入监测的重点目标共 {n} 项：{counts}。",
    "s2": "二、需关注目标（{i}/{n}）",
    "cols": "序号|目标|条款|目标值|当前实际|完成度|状态",
    "rank": "分地区排名（按数值由高到低，前 10 位）",
    "rank.cols": "名次|地区|数值",
    "rank.none": "暂无分地区数据。",
    "source": "政策出处",
    "lead": "牵头单位：{lead}",
    "short": "未达标单位（{n}/{m}）：{names}",
    "rate": "如期完成{scope}目标（{goal}），自{quarter}起每季度还需增加 {rate}。",
    "rate.none": "当前实际 {actual}，目标要求 {goal}，尚未达到。",
    "notes": "附：资料来源与说明",
    "n.method": "数据口径：按{date}当天结束（北京时间）时已提交的上报数据，由目标监测系统的评估引擎"
    "计算；选定同一截至日期可复现本材料中的全部数字。完成度为当前实际与目标值之比。",
    "n.data": "数据来源：各地区按季度上报目标监测系统的数据。",
    "n.status": "状态含义",
    "n.docs": "政策文件及引用条款",
    "n.doc": "{i}. {number}《{title}》，{issuer}，{date}。引用条款：{articles}",
    **status_bands(),
}
NO_START, NO_END = "，。、；：？！）》」』”’〕】…%", "（《「『“‘〔【"
M, TOP, BOTTOM, W = 16.0, 22.0, 16.0, 178.0  # mm: margins, content width
GREY, DARK, BLUE, SHADE = (100, 100, 100), (30, 30, 30), (0, 114, 178), (244, 244, 244)
HEAD = FontFace("cjk", "B", 8.5, (255, 255, 255), (60, 60, 60))
Row = dict[str, Any]


@dataclass(frozen=True)
class GoalLine:
    target_id: str
    name: str
    status: str
    label: str  # the Chinese status label printed


@dataclass(frozen=True)
class BriefingSummary:
    path: Path
    as_of: dt.date
    sample: bool
    pages: int
    summary_pages: int
    notes_pages: int
    headline: tuple[GoalLine, ...]  # the summary table, in order
    attention: tuple[GoalLine, ...]  # one page each, in order


def _face(path: Path) -> tuple[str, int]:
    """The file and, in a font collection, the index of its Simplified Chinese face."""
    if path.suffix.lower() != ".ttc":
        return str(path), 0
    fonts = TTCollection(str(path), lazy=True)
    names = [str(f["name"].getDebugName(1) or "") for f in fonts.fonts]
    fonts.close()
    return str(path), next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def _on(hex_colour: str) -> tuple[int, int, int]:
    """Dark or white text, whichever reads better on ``hex_colour``."""
    r, g, b = _rgb(hex_colour)
    return DARK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else (255, 255, 255)


def _zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _glued(before: str, after: str) -> bool:
    """No line break between these: closing punctuation, an opening bracket, or a number or
    word and what touches it (``5个``, ``2015``)."""
    word = (before.isascii() or after.isascii()) and not (before.isspace() or after.isspace())
    return after in NO_START or before in NO_END or word


class _Pdf(FPDF):
    def __init__(self, as_of: dt.date, footer: str, sample: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        files = export.cjk_font_files()
        if not files:
            raise export.NoCJKFont()
        sans = [f for f in files if "serif" not in f.name.lower()] or files
        regular = next((f for f in sans if "regular" in f.name.lower()), sans[0])
        bold = regular.with_name(regular.name.replace("Regular", "Bold"))
        for style, path in (("", regular), ("B", bold if bold.is_file() else regular)):
            name, index = _face(path)
            self.add_font("cjk", style, name, collection_font_number=index)
        self.set_margins(M, TOP, M)
        self.set_auto_page_break(True, margin=BOTTOM + 4)
        self.as_of, self.footer_text, self.sample = as_of, footer, sample

    def style(self, size: float, bold: bool = False, colour: tuple[int, int, int] = DARK) -> None:
        self.set_font("cjk", "B" if bold else "", size)
        self.set_text_color(*colour)

    def put(self, text: str, size: float, *, w: float = W, h: float = 5, **kw: Any) -> None:
        """One line of text, then the next line, or on along this one if ``inline`` (``x``/``y``
        place it; ``bold``, ``colour``; the rest goes to ``cell``)."""
        self.set_xy(kw.pop("x", self.get_x()), kw.pop("y", self.get_y()))
        self.style(size, kw.pop("bold", False), kw.pop("colour", DARK))
        after = ("RIGHT", "TOP") if kw.pop("inline", False) else ("LMARGIN", "NEXT")
        self.cell(w, h, text, new_x=after[0], new_y=after[1], **kw)

    def para(self, text: str, size: float = 10, *, w: float = W, h: float = 6, **kw: Any) -> int:
        """Wrapped text at the left margin; returns the number of lines."""
        self.set_xy(kw.pop("x", self.get_x()), kw.pop("y", self.get_y()))
        self.style(size, kw.get("bold", False), kw.get("colour", DARK))
        lines = self.wrap(w, text)
        for line in lines:
            self.put(line, size, w=w, h=h, **kw)
        return len(lines)

    def box(self, x: float, y: float, w: float, h: float, colour: tuple[int, int, int]) -> None:
        self.set_fill_color(*colour)
        self.rect(x, y, w, h, style="F")

    def header(self) -> None:
        if self.page_no() > 1:
            self.put(STRINGS["running"], 8, w=W / 2, x=M, y=10, colour=GREY, inline=True)
            date = STRINGS["asof"].format(date=_zh_date(self.as_of))
            self.put(date, 8, w=W / 2, y=10, colour=GREY, align="R")
            self.set_draw_color(200, 200, 200)
            self.line(M, 16, M + W, 16)
            self.set_y(TOP)

    def footer(self) -> None:
        self.put(self.footer_text, 8, w=W * 0.7, x=M, y=-BOTTOM, colour=GREY, inline=True)
        self.put(STRINGS["page"].format(n=self.page_no()), 8, w=W * 0.3, colour=GREY, align="R")

    def wrap(self, width: float, text: str) -> list[str]:
        """Lines of ``text`` in ``width`` with the current font, breaking Chinese-style (no
        closing punctuation first on a line, no one-character last line)."""
        lines, start, room = [], 0, width - 2 * self.c_margin
        while start < len(text):
            end = start + 1
            while end < len(text) and self.get_string_width(text[start : end + 1]) <= room:
                end += 1
            while end < len(text) and end - start > 1 and _glued(text[end - 1], text[end]):
                end -= 1
            lines.append(text[start:end])
            start = end
        last = lines[-2:] if len(lines) > 1 else ["", ""]
        if len(last[1]) == 1 and len(last[0]) > 2 and not _glued(last[0][-2], last[0][-1]):
            lines[-2:] = [last[0][:-1], last[0][-1] + last[1]]
        return lines

    def grid(self, widths: tuple[float, ...], align: tuple[str, ...], size: float) -> Any:
        """A table with white cells, light rules and the dark heading row."""
        self.style(size)
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(190, 190, 190)
        return self.table(
            col_widths=widths, width=sum(widths), align="LEFT", line_height=size / 2,
            padding=(0.8, 1.2), headings_style=HEAD, text_align=align, v_align="MIDDLE",
            borders_layout="HORIZONTAL_LINES",
        )  # fmt: skip


def goal_name(catalogue: Catalogue, target_id: str) -> str:
    target = catalogue.target(target_id)
    return f"{catalogue.indicator(target.indicator).name_zh}（{target.deadline.year}）"


def _document(catalogue: Catalogue, target: Target, article: str = "") -> str:
    d = catalogue.document(target.document)
    return f"{d.number or ''}《{d.title}》{article}"


def source_of(catalogue: Catalogue, target: Target) -> str:
    document = catalogue.document(target.document)
    return f"{document.number or '《' + document.title + '》'} {target.article}"


def _goal_text(catalogue: Catalogue, target: Target) -> str:
    if KINDS[target.kind].series.against_reference and target.reference_indicator:
        return f"≥ {catalogue.indicator(target.reference_indicator).name_zh}"
    if target.comparator == "between":
        text = f"{target.min:g}～{target.max:g}{target.unit}"
    else:
        symbol = COMPARATOR_ZH[target.comparator]
        text = f"{symbol} {charts.format_number(target.value, target.unit)}"
    each = target.scope.unit_kind or level_label(target.scope.level)
    return f"每个{each} {text}" if target.scope.applies_to == "each" else text


def _value(row: Row, key: str) -> str:
    """A figure of an evaluate row as printed (per-unit goals: the share of units that meet)."""
    value, unit = row[key], row["unit"]
    if value is None:
        return "—"
    if row["units_total"]:
        return f"{value:.1f}个百分点" if key == "required_rate" else f"{value:.0f}% 达标"
    if KINDS[row["kind"]].series.against_reference and key == "actual":  # a difference
        return f"{value:+.1f}个百分点" if unit == "%" else "+" + charts.format_number(value, unit)
    return charts.format_number(value, unit)


def _cover(pdf: _Pdf, scope: str, office: str) -> None:
    pdf.add_page()
    pdf.box(0, 0, 210, 8, BLUE)
    pdf.set_y(78)
    for line in TITLE:
        pdf.put(line, 26, h=14, bold=True)
    pdf.box(M + pdf.c_margin, pdf.get_y() + 6, 58, 0.8, BLUE)
    pdf.put(STRINGS["asof"].format(date=_zh_date(pdf.as_of)), 14, h=9, y=pdf.get_y() + 16)
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
    widths = (9.0, 70.0, 18.0, 28.0, 24.0, 12.0, 17.0)
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
            cells.cell(status_label(row["status"]), style=face)


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


def _rate_sentence(catalogue: Catalogue, target: Target, row: Row) -> str:
    goal, rate, latest = _goal_text(catalogue, target), row["required_rate"], row["latest_period"]
    if rate is None or rate <= 0 or not latest:
        return STRINGS["rate.none"].format(actual=_value(row, "actual"), goal=goal)
    scope = "本年度" if target.recurrence == "yearly" else ""
    quarter = Quarter.parse(latest).next().label_zh()
    return STRINGS["rate"].format(
        scope=scope, goal=goal, quarter=quarter, rate=_value(row, "required_rate")
    )


def _goal_page(pdf: _Pdf, detail: GoalDetail, names: dict[str, str], i: int, n: int) -> None:
    catalogue, row = reference().catalogue, detail.status.row(0, named=True)
    target = catalogue.target(row["target_id"])
    pdf.add_page()
    pdf.set_auto_page_break(False)  # one page per goal: the chart takes the room that is left
    pdf.put(STRINGS["s2"].format(i=i, n=n), 10, h=6, bold=True, colour=BLUE)
    pdf.para(goal_name(catalogue, target.id), 16, h=9, bold=True)
    colour, label = charts.STATUS_COLOURS[row["status"]], status_label(row["status"])
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


def _notes(pdf: _Pdf, catalogue: Catalogue, rows: list[Row]) -> None:
    pdf.add_page()
    pdf.put(STRINGS["notes"], 15, h=9, bold=True)
    pdf.para(STRINGS["n.method"].format(date=_zh_date(pdf.as_of)), 9.5, h=5.5)
    pdf.para(STRINGS["n.data"] + (STRINGS["sample"] if pdf.sample else ""), 9.5, h=5.5)
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
    document: str | None = None,
    office: str = OFFICE,
) -> BriefingSummary:
    """Write the briefing for warehouse ``db`` at ``as_of`` (default: the warehouse's default
    as-of date) to ``out``; only one policy document's goals when ``document`` is given."""
    ref = reference()
    catalogue = ref.catalogue
    if document is not None and document not in {d.id for d in catalogue.documents}:
        raise ValueError(f"未知文件 unknown document: {document}")
    day, sample = as_of or service.default_as_of(db), service.is_sample(db)
    status = service.goal_status(db, catalogue=catalogue, regions=ref.regions, as_of=day)
    rows = [r for r in status.to_dicts() if document in (None, r["document"])]
    headline = [r for r in rows if r["headline"]]
    attention = [r for s in ATTENTION for r in rows if r["status"] == s]
    footer = (
        "示例数据 · " if sample else ""
    ) + f"数据截至 {day.isoformat()} · 目标监测 Target Monitor"
    pdf = _Pdf(day, footer, sample)
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
    names = {r.code: r.name for r in ref.regions}
    for i, row in enumerate(attention, start=1):
        detail = service.goal_detail(
            db, catalogue=catalogue, regions=ref.regions, as_of=day, target_id=row["target_id"]
        )
        _goal_page(pdf, detail, names, i, len(attention))
    before = pdf.page_no()
    _notes(pdf, catalogue, headline + [r for r in attention if not r["headline"]])
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))

    def lines(chosen: list[Row]) -> tuple[GoalLine, ...]:
        return tuple(
            GoalLine(r["target_id"], goal_name(catalogue, r["target_id"]), r["status"],
                     status_label(r["status"]))
            for r in chosen
        )  # fmt: skip

    notes_pages = pdf.page_no() - before
    return BriefingSummary(
        out, day, sample, pdf.pages_count, summary_pages, notes_pages, lines(headline),
        lines(attention),
    )  # fmt: skip
