"""Goal kinds: one entry per kind says everything the rest of the code needs to know about it.

A :class:`KindSpec` holds how a goal's actual series is built from the reports
(:class:`Series`), how it is judged (:class:`Judging`), its labels in Chinese and English, the
hint the upload template gives the bureau, and the recipe the bundled sample invents its numbers
with.  The engine, the judgement, the catalogue checks, the briefing, the catalogue page, the
template and the sample look a kind up in :data:`KINDS` instead of testing its name, so adding a
kind is one entry here (its name in :data:`Kind` and its :class:`KindSpec`) plus the docs, as long
as it is built from the building blocks below; a new building block (a new way to measure
progress, say) is a new value of the matching ``Literal`` and its branch where it is used.

Pure Python: no database, no Polars, no Streamlit.  The method is written out for planners in
``docs/methodology.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "cumulative", "rate", "level", "share", "per_unit", "ceiling", "relational", "milestone"
]
Comparator = Literal[">=", ">", "<=", "<", "between"]
Progress = Literal["linear", "compound", "on_time", "none"]
SampleRecipe = Literal["by_shape", "units", "pair"]

COMPARATOR_ZH: dict[Comparator, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "between": "介于"}
LOWER_IS_BETTER: frozenset[Comparator] = frozenset({"<=", "<"})


@dataclass(frozen=True)
class Series:
    """How the engine turns the reports into the goal's actual series."""

    running: bool = False
    """A flow indicator adds up from the window's first quarter (restarting each year for yearly
    goals); a stock is taken as reported."""
    highest: bool = False
    """Per quarter the highest reporter's figure, not the sum (a limit must hold everywhere)."""
    against_reference: bool = False
    """The indicator minus the target's ``reference_indicator``, judged ``>= 0``; the catalogue
    requires a reference for such a kind and refuses one for any other."""
    each_unit: bool = False
    """Judged unit by unit (the share of units meeting the threshold): the catalogue requires
    ``applies_to: each``."""


@dataclass(frozen=True)
class Judging:
    """How the judgement measures progress towards a goal not yet met."""

    progress: Progress
    """``linear``: observed change per quarter ÷ required change per quarter; ``compound``: a
    level above a positive baseline compares growth rates (CAGR), else linear; ``on_time``: done
    or not, on track while quarters are left, at risk in the last one; ``none``: no path to
    measure, short of the target is off track."""
    percent: bool = False
    """The series is a percentage: projections stop at 100."""


@dataclass(frozen=True)
class KindSpec:
    label_zh: str
    label_en: str
    actual: str
    """What the actual is, in one line (the catalogue page's legend)."""
    series: Series
    judging: Judging
    template_hint: str
    """What the bureau fills in for an indicator of such a goal (Chinese, the template's
    language); for a kind with ``template_choices``, the meaning of the choices."""
    sample: SampleRecipe
    """``by_shape``: the sample picks by the indicator (flow or stock, ratio, limit, 0/1);
    ``units``: each unit lands on its own side of the threshold; ``pair``: the indicator and its
    reference indicator are generated together."""
    template_choices: tuple[str, ...] = ()
    """The only values the template's value cell offers (a drop-down list), for indicators that
    count 项 as a stock."""

    def label(self, lang: Literal["zh", "en"]) -> str:
        return self.label_zh if lang == "zh" else self.label_en


KINDS: dict[Kind, KindSpec] = {
    "cumulative": KindSpec(
        label_zh="累计",
        label_en="cumulative by deadline",
        actual="sum of the flow since the start (or the latest stock)",
        series=Series(running=True),
        judging=Judging("linear"),
        template_hint="流量指标填本季度新增数，系统从目标起始季度起自动累计，不要填累计数；存量指标填季末累计总数",
        sample="by_shape",
    ),
    "rate": KindSpec(
        label_zh="年度/期间速率",
        label_en="rate per period",
        actual="the period's flow; year to date against the pro-rata share",
        series=Series(running=True),
        judging=Judging("linear"),
        template_hint="填本季度发生数，系统按年度（或考核期）累计后与目标比较，不要填年初至今累计数",
        sample="by_shape",
    ),
    "level": KindSpec(
        label_zh="存量水平",
        label_en="level at deadline",
        actual="the latest stock",
        series=Series(),
        judging=Judging("compound"),
        template_hint="填季末时点总量（截至季末的存量），不是本季度新增数",
        sample="by_shape",
    ),
    "share": KindSpec(
        label_zh="比例/覆盖率",
        label_en="share / coverage",
        actual="numerator ÷ denominator, both reported, in %",
        series=Series(),
        judging=Judging("linear", percent=True),
        template_hint="分子、分母两个指标各填本地区的数，系统计算比例，不要填算好的百分比",
        sample="by_shape",
    ),
    "per_unit": KindSpec(
        label_zh="逐个单位门槛",
        label_en="per-unit threshold",
        actual="the share of units meeting the threshold, and the units that do not",
        series=Series(each_unit=True),
        judging=Judging("linear", percent=True),
        template_hint="每个单位（镇、平台、县区等）只填本单位自己的数（流量填本季度发生数，存量填季末数），系统逐个判断是否达标",
        sample="units",
    ),
    "ceiling": KindSpec(
        label_zh="上限",
        label_en="ceiling",
        actual="the highest reporter's figure, at or under the value",
        series=Series(highest=True),
        judging=Judging("linear"),
        template_hint="填本季度的实际值（如办结所需工作日），目标是上限，数值越小越好",
        sample="by_shape",
    ),
    "relational": KindSpec(
        label_zh="相对比较",
        label_en="relational",
        actual="the indicator minus its reference indicator, at least 0",
        series=Series(against_reference=True),
        judging=Judging("none"),
        template_hint="本指标和参照指标（如各项贷款增速）各按自己的口径填报，系统计算两者之差",
        sample="pair",
    ),
    "milestone": KindSpec(
        label_zh="里程碑",
        label_en="milestone",
        actual="done (1) by the date or not (0)",
        series=Series(),
        judging=Judging("on_time"),
        template_hint="1 = 已完成，0 = 未完成",
        sample="by_shape",
        template_choices=("1", "0"),
    ),
}
