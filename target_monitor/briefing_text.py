"""The briefing's words: the fixed Chinese strings (with the engine's status thresholds written
in), dates, goal names and sources, and how a goal and its figures read in the pack.

Nothing here draws: :mod:`target_monitor.briefing_pdf` lays the page out and
:mod:`target_monitor.briefing` assembles the pack from both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from judge.attainment import AT_RISK_R, MIN_COMPLETENESS, ON_TRACK_R
from model.catalogue import Catalogue, Target
from model.kinds import COMPARATOR_ZH, KINDS
from model.labels import level_label
from model.periods import Quarter
from target_monitor import charts

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
    "knownon": "按 {date} 当时已知的数据",
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
    "n.unverified": "未核实的目标数值",
    "n.docs": "政策文件及引用条款",
    "n.doc": "{i}. {number}《{title}》，{issuer}，{date}。引用条款：{articles}",
    **status_bands(),
}


Row = dict[str, Any]


def _zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


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


def _rate_sentence(catalogue: Catalogue, target: Target, row: Row) -> str:
    goal, rate, latest = _goal_text(catalogue, target), row["required_rate"], row["latest_period"]
    if rate is None or rate <= 0 or not latest:
        return STRINGS["rate.none"].format(actual=_value(row, "actual"), goal=goal)
    scope = "本年度" if target.recurrence == "yearly" else ""
    quarter = Quarter.parse(latest).next().label_zh()
    return STRINGS["rate"].format(
        scope=scope, goal=goal, quarter=quarter, rate=_value(row, "required_rate")
    )
