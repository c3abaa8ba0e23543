"""Template: the pre-filled file a bureau downloads, fills in and uploads for one quarter.

One row per indicator the region reports in that quarter (``model.reporting`` decides which), with
region, indicator, unit and period filled in and 数值 / 备注 left for the bureau.  The XLSX has a
``填报说明`` sheet first and the ``数据上报`` sheet (:data:`etl.read.DATA_SHEET`) second and active,
key columns locked, the value column validated; the CSV has the same columns in UTF-8 with a BOM.
Both read back through :func:`etl.read.read_upload` without a single issue.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from etl.read import DATA_SHEET
from etl.validate.units import unit_indicators
from model import clock
from model.catalogue import Catalogue, Indicator
from model.jurisdictions import Jurisdictions
from model.kinds import KINDS, KindSpec
from model.periods import Quarter
from model.regions import Region
from model.reporting import applicable_indicators, jurisdiction_of, reporting_rules, total_rules
from model.unit_file import load_units
from model.units import UNITS, Unit

INSTRUCTIONS_SHEET = "填报说明"
HEADERS = ("地区代码", "地区名称", "指标代码", "指标名称", "单位", "报告期", "数值", "备注", "来源")
VALUE_COL, NOTE_COL = HEADERS.index("数值"), HEADERS.index("备注")
SOURCE_COL = HEADERS.index("来源")  # optional: where the figure came from (etl.validate.sources)
SOURCE_HINT = (
    "选填：数据出处，写网址，或文件标题和日期（如《2018年第三季度中小企业运行情况》2018-10-15）；"
    "不超过 2000 字，不以 = + - @ 开头。"
)
DEADLINE_DAYS = 15
# Microsoft YaHei ships with every Windows since Vista (and with WPS), so Chinese renders alike
# everywhere; 等线, Office 2016's default, is missing on the Office 2010/2013 many bureaus run.
FONT = "Microsoft YaHei"


@dataclass(frozen=True)
class TemplateRow:
    region_code: str
    region_name: str
    indicator: str
    indicator_name: str
    unit: str
    period: str
    value: float | None = None
    note: str = ""
    source: str = ""

    def cells(self) -> tuple[str, ...]:
        """The row as the nine text cells of :data:`HEADERS` (CSV form)."""
        keys = (self.region_code, self.region_name, self.indicator, self.indicator_name)
        value = _number_text(self.value)
        return (*keys, self.unit, self.period, value, self.note, self.source)


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def resolve_region(regions: Sequence[Region], code: str, quarter: Quarter) -> Region:
    """The version of ``code`` valid at the end of ``quarter``; ValueError (zh / en) otherwise."""
    versions = [r for r in regions if r.code == code]
    if not versions:
        raise ValueError(
            f"地区代码“{code}”不存在，请核对 GB/T 2260 行政区划代码 / "
            f"region code '{code}' does not exist; check the GB/T 2260 code"
        )
    valid = [r for r in versions if r.valid_on(quarter.end)]
    if not valid:
        spans = "; ".join(f"{r.valid_from or '…'} – {r.valid_to or '…'}" for r in versions)
        name = versions[-1].name
        raise ValueError(
            f"地区代码“{code}”（{name}）在 {quarter.label} 季末（{quarter.end}）不是有效区划"
            f"（有效期 {spans}），请改用当时的区划代码 / region code '{code}' ({name}) was not "
            f"in use at the end of {quarter.label} ({quarter.end}; valid {spans}); use the code "
            "in force then"
        )
    return valid[0]


def template_rows(
    catalogue: Catalogue,
    regions: Sequence[Region],
    region_code: str,
    quarter: Quarter,
    *,
    jurisdictions: Jurisdictions | None = None,
    units: Sequence[Unit] | None = None,
) -> list[TemplateRow]:
    """One row per indicator ``region_code`` reports for ``quarter``, in catalogue order (for a
    jurisdiction, also the totals it may report for its goals on the whole jurisdiction), then
    one per indicator each of its registered units (``units``: the warehouse's register;
    ``data/units.csv`` unless given) reports (``jurisdictions``: ``data/jurisdictions.yaml``
    unless given)."""
    region = resolve_region(regions, region_code, quarter)
    keys = applicable_indicators(
        region,
        [*reporting_rules(catalogue), *total_rules(catalogue, jurisdictions)],
        jurisdiction_of(regions, jurisdictions),
        within=(quarter.start, quarter.end),
    )
    out: list[TemplateRow] = []
    for key in keys:
        ind = catalogue.indicator(key)
        out.append(TemplateRow(region.code, region.name, key, ind.name_zh, ind.unit, quarter.label))
    return out + _unit_rows(catalogue, regions, region, quarter, units, jurisdictions)


def _unit_rows(
    catalogue: Catalogue,
    regions: Sequence[Region],
    region: Region,
    quarter: Quarter,
    units: Sequence[Unit] | None,
    jurisdictions: Jurisdictions | None,
) -> list[TemplateRow]:
    """The region's own units valid in the quarter, each with the per-unit indicators it
    reports, by unit code."""
    register = load_units(UNITS, regions) if units is None else units
    mine = sorted(
        (u for u in register if u.parent_code == region.code and u.valid_on(quarter.end)),
        key=lambda u: u.code,
    )
    reports = unit_indicators(catalogue, mine, jurisdiction_of(regions, jurisdictions),
                              within=(quarter.start, quarter.end))  # fmt: skip
    out = []
    for unit in mine:
        for key in reports.get(unit.code, []):
            ind = catalogue.indicator(key)
            out.append(TemplateRow(unit.code, unit.name, key, ind.name_zh, ind.unit, quarter.label))
    return out


def write_template(
    catalogue: Catalogue,
    regions: Sequence[Region],
    region_code: str,
    quarter: Quarter,
    out: Path,
    *,
    values: Mapping[str, float] | None = None,
    generated: dt.date | None = None,
    jurisdictions: Jurisdictions | None = None,
    units: Sequence[Unit] | None = None,
) -> int:
    """Write the template to ``out`` (``.xlsx`` or ``.csv``); return the number of data rows.

    ``values`` (indicator key → number) pre-fills 数值: a filled-in copy, for tests and demos.
    """
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValueError(
            f"不支持的文件类型“{out.suffix or out.name}”，请用 .xlsx 或 .csv / "
            f"unsupported file type '{out.suffix or out.name}': use .xlsx or .csv"
        )
    rows = template_rows(
        catalogue, regions, region_code, quarter, jurisdictions=jurisdictions, units=units
    )
    given = dict(values or {})
    unknown = sorted(set(given) - {r.indicator for r in rows})
    if unknown:
        raise ValueError(
            f"指标 {', '.join(unknown)} 不在 {region_code} {quarter.label} 的模板中 / "
            f"indicators {', '.join(unknown)} are not in the template of {region_code} "
            f"{quarter.label}"
        )
    rows = [dataclasses.replace(r, value=given.get(r.indicator)) for r in rows]
    if suffix == ".csv":
        # utf-8-sig writes the BOM, which makes Excel on Chinese Windows read UTF-8, not GBK.
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(r.cells() for r in rows)
        return len(rows)
    # indicators of goals whose kind takes a fixed set of values (milestones: 1 or 0)
    choices = {
        t.indicator: KINDS[t.kind] for t in catalogue.targets if KINDS[t.kind].template_choices
    }
    with xlsxwriter.Workbook(
        str(out), {"constant_memory": False, "default_format_properties": {"font_name": FONT}}
    ) as book:
        region = resolve_region(regions, region_code, quarter)
        _instructions(book, region, quarter, len(rows), generated or clock.today())
        sheet = book.add_worksheet(DATA_SHEET)
        _data_sheet(book, sheet, rows, catalogue, choices)
        sheet.activate()
    return len(rows)


def _instructions(book: Any, region: Region, quarter: Quarter, n: int, today: dt.date) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    deadline = quarter.end + dt.timedelta(days=DEADLINE_DAYS)
    lines = [
        f"地区：{region.name}（{region.code}）",
        f"报告期：{quarter.label}（{quarter.label_zh()}，{quarter.start} 至 {quarter.end}）",
        f"上报截止日期：{deadline}（季度结束后 {DEADLINE_DAYS} 日内）",
        f"需填报指标：{n} 项" + ("（本季度无需上报的指标）" if n == 0 else ""),
        f"模板生成日期：{today}",
        "",
        "填写方法",
        f"1. 只在“{DATA_SHEET}”工作表的“数值”列填写数字，必要时在“备注”列说明；地区代码、地区名称、"
        "指标代码、指标名称、单位、报告期已预填并锁定，请勿修改，也不要增删行列或改工作表名称。",
        "2. 数值按“单位”列的基本单位填写纯数字：不用“万”“亿”等倍数（1.2万 写作 12000），"
        "不带单位文字。",
        "3. 单位为 % 的指标填写 0–100 之间的数，不带 %（85% 写作 85）；增速类指标可为负数。",
        "4. 各类目标的指标按下列口径填写（累计、比例、差值等由系统计算）：",
        *(_kind_line(spec) for spec in KINDS.values()),
        "5. 没有数据的指标请留空：留空按“未上报”处理。不知道的数请勿填 0，0 表示确实为零。",
        "6. 更正数据：修改后重新上传整个文件。每次上传形成一个新的修订版本，以最新版本为准；"
        "以前上报的数据不会被覆盖或删除，可以追溯。",
        "7. 上传后系统先逐行检查，列出每个问题所在的行、列及修改方法；全部无误并确认后才会保存。",
        "8. 也可在 Excel 中另存为“CSV UTF-8（逗号分隔）”上传，列名和列顺序保持不变。",
        f"9. “来源”列{SOURCE_HINT}来源随数值保存，显示在目标详情页；数值不变而来源不同，"
        "也形成新的修订版本。",
    ]
    sheet.set_column(0, 0, 100, wrap)
    sheet.write_string(0, 0, "填报说明 · 目标监测季度数据上报模板", title)
    for i, line in enumerate(lines, start=2):
        if line:
            sheet.write_string(i, 0, line, wrap)


def _kind_line(spec: KindSpec) -> str:
    where = "（单位“项”的单元格有下拉列表）" if spec.template_choices else ""
    return f"   · {spec.label_zh}{where}：{spec.template_hint}。"


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _data_sheet(
    book: Any, sheet: Any, rows: list[TemplateRow], cat: Catalogue, choices: dict[str, KindSpec]
) -> None:
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "locked": True})
    locked = book.add_format({"locked": True, "bg_color": "#F2F2F2"})
    unlocked = book.add_format({"locked": False})
    for col, name in enumerate(HEADERS):
        widest = max([_display_width(name)] + [_display_width(r.cells()[col]) for r in rows])
        width = 16 if col == VALUE_COL else min(max(widest + 2, 10), 60)  # CJK counts double
        width = 40 if col == SOURCE_COL else width
        editable = col in (VALUE_COL, NOTE_COL, SOURCE_COL)
        sheet.set_column(col, col, width, unlocked if editable else None)
        sheet.write_string(0, col, name, header)
    for i, row in enumerate(rows, start=1):
        for col, text in enumerate(row.cells()[:VALUE_COL]):
            sheet.write_string(i, col, text, locked)  # codes stay text, never numbers
        if row.value is None:
            sheet.write_blank(i, VALUE_COL, None, unlocked)
        else:
            sheet.write_number(i, VALUE_COL, row.value, unlocked)
        sheet.write(i, NOTE_COL, row.note or None, unlocked)  # None: a blank, not ""
        sheet.write(i, SOURCE_COL, row.source or None, unlocked)
        rule = _validation(cat.indicator(row.indicator), choices.get(row.indicator))
        sheet.data_validation(i, VALUE_COL, i, VALUE_COL, rule)
    if rows:  # the hint shows on every source cell; any text is allowed here, checked on upload
        sheet.data_validation(
            1,
            SOURCE_COL,
            len(rows),
            SOURCE_COL,
            {"validate": "any", "input_title": "来源（选填）", "input_message": SOURCE_HINT[3:]},
        )
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(HEADERS) - 1)
    sheet.protect("", {"format_columns": True, "format_rows": True, "autofilter": True})


def _validation(ind: Indicator, kind: KindSpec | None = None) -> dict[str, Any]:
    """Excel data validation of one 数值 cell; the input message names the unit.  ``kind``: the
    kind of a goal on the indicator that takes a fixed set of values (a drop-down list where the
    indicator counts 项; 项 is also the unit of plain counts, which take any number)."""
    unit = f"单位：{ind.unit}。"
    blank = "无数据请留空，勿填 0。"
    common: dict[str, Any] = {"input_title": "填写数值", "error_title": "数值不符合要求"}
    if ind.unit == "项" and kind is not None and kind.template_choices:
        msg = f"{unit}{kind.template_hint}。{blank}"
        return {
            **common,
            "validate": "list",
            "source": list(kind.template_choices),
            "input_message": msg,
            "error_message": f"请从下拉列表选择：{kind.template_hint}",
        }
    if ind.unit == "%" and ind.rollup == "ratio":
        msg = f"{unit}填写 0–100 之间的数，不带 %（85% 写作 85）。{blank}"
        return {
            **common,
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "input_message": msg,
            "error_message": msg,
        }
    if ind.unit == "%":  # a rate of change (loan growth): may fall, never below -100 %
        msg = f"{unit}填写百分数，不带 %（增长 8.5% 写作 8.5，下降写负数）。{blank}"
        return {
            **common,
            "validate": "decimal",
            "criteria": ">=",
            "value": -100,
            "input_message": msg,
            "error_message": msg,
        }
    msg = f"{unit}填写 ≥ 0 的数字，用基本单位，不用“万”“亿”（1.2万 写作 12000）。{blank}"
    return {
        **common,
        "validate": "decimal",
        "criteria": ">=",
        "value": 0,
        "input_message": msg,
        "error_message": msg,
    }
