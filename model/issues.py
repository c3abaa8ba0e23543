"""The issue type every pipeline stage shares, and the catalogue of validation rules.

A rule has an id, a severity and a message and fix in Chinese and English.  Stages never print and
never stop at the first problem: they return lists of :class:`Issue`, which the upload page shows
as a table, the CLI prints, and the tests assert by rule and row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message_zh: str
    message_en: str
    fix_zh: str
    fix_en: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


E: Severity = "error"
W: Severity = "warning"

RULES: dict[str, Rule] = _rules(
    # --- the file as a whole -------------------------------------------------------------
    Rule(
        "file-too-large",
        E,
        "文件 {value} 超过上限 {limit}",
        "the file is {value}, over the {limit} limit",
        "请只上报一个季度的数据，或拆分文件",
        "upload one quarter per file, or split it",
    ),
    Rule(
        "file-type",
        E,
        "文件内容不是 CSV 或 XLSX（{value}）",
        "the file is not CSV or XLSX by its content ({value})",
        "请在 Excel 中“另存为” .xlsx 或 CSV（UTF-8）",
        "save it from Excel as .xlsx or CSV UTF-8",
    ),
    Rule(
        "zip-bomb",
        E,
        "XLSX 文件解压后异常（{value}），为安全起见拒收",
        "the XLSX file decompresses suspiciously ({value}) and was refused",
        "请用模板重新填写，或另存为 CSV",
        "fill in a fresh template, or save as CSV",
    ),
    Rule(
        "sheet-too-large",
        E,
        "工作表范围超出模板（{value}；上限 {limit}）",
        "a sheet's extent is beyond the template's shape ({value}; the limit is {limit})",
        "请删除数据区域以外的行和列（或把数据复制到新下载的模板中）后重新上传",
        "delete the rows and columns beyond the data (or copy the data into a fresh template)",
    ),
    Rule(
        "too-many-columns",
        E,
        "表头有 {value} 列，超过上限 {limit} 列",
        "the header row has {value} cells, over the limit of {limit}",
        "请只保留模板中的列：地区代码、指标、报告期、数值、备注",
        "keep only the template's columns: region_code, indicator, period, value, note",
    ),
    Rule(
        "header-too-long",
        E,
        "表头所在行（或其上方的一行）超过 {limit}，无法识别表头",
        "the header row (or a row above it) is longer than {limit}, so no header can be read",
        "请只保留模板中的列：地区代码、指标、报告期、数值、备注",
        "keep only the template's columns: region_code, indicator, period, value, note",
    ),
    Rule(
        "file-unreadable",
        E,
        "文件无法安全读取（{why_zh}），已拒收，数据仓库未作任何改动",
        "the file could not be read safely ({why_en}); it was refused and nothing was written",
        "请在 Excel 中打开后“另存为”新的 .xlsx 或 CSV UTF-8，只保留模板中的行和列",
        "open it in Excel and save it as a new .xlsx or CSV UTF-8 holding only the template's rows and columns",
    ),
    Rule(
        "xlsx-macros",
        E,
        "文件含有宏（{value}）",
        "the file contains macros ({value})",
        "请另存为不含宏的 .xlsx 工作簿",
        "save it as a macro-free .xlsx workbook",
    ),
    Rule(
        "encoding",
        E,
        "无法识别文件编码：{value}",
        "the file's text encoding was not recognised: {value}",
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
        "save it from Excel as 'CSV UTF-8 (comma delimited)'",
    ),
    Rule(
        "empty-file",
        E,
        "文件中没有数据行",
        "the file has no data rows",
        "请在表头下方填写数据",
        "fill in rows below the header",
    ),
    Rule(
        "wrong-sheet",
        E,
        "没有找到含表头（地区代码、指标、报告期、数值）的工作表；现有工作表：{value}",
        "no sheet has the header (region_code, indicator, period, value); sheets found: {value}",
        "请把数据放在模板的“数据上报”工作表中",
        "put the data on the template's 数据上报 sheet",
    ),
    Rule(
        "title-rows",
        W,
        "表头在第 {value} 行，上方的标题行已忽略",
        "the header is on row {value}; title rows above it were ignored",
        "无需处理；如上方有数据请移到表头下方",
        "nothing to do, unless data sits above the header",
    ),
    Rule(
        "missing-column",
        E,
        "缺少必填列“{value}”",
        "required column '{value}' is missing",
        "请添加该列（可用中文表头：地区代码、指标、报告期、数值）",
        "add the column (Chinese headers 地区代码, 指标, 报告期, 数值 are accepted)",
    ),
    Rule(
        "unknown-column",
        W,
        "无法识别的列“{value}”，已忽略",
        "column '{value}' is not recognised and was ignored",
        "如是必填列请改用标准表头",
        "rename it to a standard header if it is needed",
    ),
    Rule(
        "duplicate-column",
        E,
        "列“{value}”出现了两次",
        "column '{value}' appears twice",
        "删除或重命名其中一列",
        "delete or rename one of them",
    ),
    Rule(
        "too-many-issues",
        W,
        "规则 {value} 还有 {count} 处同类问题未逐一列出",
        "rule {value} fired on {count} more rows not listed one by one",
        "先修正上面列出的行，再重新上传",
        "fix the rows listed, then upload again",
    ),
    # --- rows -----------------------------------------------------------------------------
    Rule("blank-row", W, "空行，已跳过", "blank row, skipped", "无需处理", "nothing to do"),
    Rule(
        "totals-row",
        W,
        "合计行“{value}”不作为数据导入",
        "totals row '{value}' is not loaded as data",
        "合计由系统自动汇总，可删除该行",
        "totals are computed by the system; you may delete the row",
    ),
    Rule(
        "full-width",
        W,
        "“{value}”含全角字符，已按半角读取",
        "'{value}' has full-width characters, read as half-width",
        "无需处理；建议使用半角数字",
        "nothing to do; prefer half-width digits",
    ),
    Rule(
        "region-missing",
        E,
        "地区代码为空",
        "the region code is empty",
        "填写 6 位行政区划代码，如 440100",
        "write the 6-digit division code, e.g. 440100",
    ),
    Rule(
        "region-as-number",
        W,
        "地区代码“{value}”被当作数字保存，已读作 {normalised}",
        "region code '{value}' was stored as a number and read as {normalised}",
        "请把地区代码列设为“文本”格式",
        "format the region-code column as Text",
    ),
    Rule(
        "region-unknown",
        E,
        "地区代码“{value}”不存在",
        "region code '{value}' does not exist",
        "请核对 GB/T 2260 行政区划代码（可下载模板查看）",
        "check the GB/T 2260 code (the template lists it)",
    ),
    Rule(
        "region-expired",
        E,
        "地区代码“{value}”在 {period} 已不再使用（{detail}）",
        "region code '{value}' was no longer in use in {period} ({detail})",
        "请改用调整后的地区代码",
        "use the code of the division that replaced it",
    ),
    Rule(
        "region-out-of-scope",
        E,
        "地区“{value}”不在您的上报范围（{scope}）内",
        "region '{value}' is outside your reporting scope ({scope})",
        "只能上报本地区及下辖地区的数据",
        "report only your own region and the regions below it",
    ),
    Rule(
        "total-rollup-gap",
        W,
        "{period}“{value}”：{jurisdiction}全辖区合计 {total}，下级汇总 {rollup}（{reporters} 个地区），"
        "相差 {gap}",
        "{period} '{value}': {jurisdiction}'s own total is {total}, the roll-up of the level "
        "below {rollup} ({reporters} regions), {gap} apart",
        "核对合计与各地区的数据；若下级尚未报齐，差异会在报齐后缩小。研判时以合计为准",
        "check the total and the regions' figures; if not every region has reported yet, the gap "
        "closes as they do. The verdict uses the total",
    ),
    Rule(
        "total-out-of-scope",
        E,
        "“{value}”是全辖区合计，您的账号（{scope}）不能上报",
        "'{value}' is a whole-jurisdiction total, which your account ({scope}) may not report",
        "合计由该辖区本级（如省、市主管部门）或管理员上报；请只上报本地区的数据",
        "totals are reported by the jurisdiction's own bureau or an admin; report your own region",
    ),
    Rule(
        "indicator-missing",
        E,
        "指标为空",
        "the indicator is empty",
        "填写指标代码或中文名称",
        "write the indicator key or its Chinese name",
    ),
    Rule(
        "indicator-unknown",
        E,
        "指标“{value}”不存在",
        "indicator '{value}' does not exist",
        "请使用模板中的指标代码或中文名称",
        "use an indicator key or Chinese name from the template",
    ),
    Rule(
        "indicator-not-applicable",
        E,
        "指标“{value}”不由{level}“{region}”上报",
        "indicator '{value}' is not reported by {level_en} '{region}'",
        "请删除该行，或核对地区代码",
        "delete the row or check the region code",
    ),
    Rule(
        "period-locked",
        E,
        "报告期 {value} 已由 {by} 于 {at}（北京时间）锁定，不能再上报或修改",
        "period {value} was locked by {by} on {at} (Beijing time) and takes no more reports",
        "如需更正，请联系管理员解锁该季度",
        "ask an admin to unlock the quarter if a correction is needed",
    ),
    Rule(
        "role-cannot-upload",
        E,
        "账号 {value}（{role}）没有上报权限",
        "account {value} ({role}) may not upload",
        "请使用本地区主管部门的账号上报",
        "upload with your bureau's account",
    ),
    Rule(
        "account-disabled",
        E,
        "账号 {value} 已被停用（或已不存在），不能上报数据，本次上传未保存",
        "account {value} has been disabled (or no longer exists) and may not upload; nothing was saved",
        "如需继续上报，请联系管理员重新启用该账号",
        "ask an admin to enable the account again",
    ),
    Rule(
        "account-changed",
        E,
        "账号 {value} 的权限已被管理员修改（原为 {was}，现为 {now}），本次上传未保存",
        "account {value}'s rights were changed by an admin (was {was}, now {now}); nothing was saved",
        "请刷新页面，按新的权限重新上传",
        "reload the page and upload again under the new rights",
    ),
    Rule(
        "period-missing",
        E,
        "报告期为空",
        "the period is empty",
        "请写成“2018Q3”或“2018年第三季度”",
        "write the quarter as 2018Q3 or 2018年第三季度",
    ),
    Rule(
        "period-invalid",
        E,
        "无法识别报告期“{value}”",
        "'{value}' is not a recognised period",
        "请写成“2018Q3”或“2018年第三季度”（或季度末日期 2018-09-30）",
        "write 2018Q3 or 2018年第三季度 (or the quarter's last day, 2018-09-30)",
    ),
    Rule(
        "period-ambiguous",
        E,
        "报告期“{value}”不能确定是哪个季度",
        "period '{value}' does not name one quarter",
        "请写成“2018Q3”或“2018年第三季度”",
        "write the quarter, e.g. 2018Q3",
    ),
    Rule(
        "period-future",
        E,
        "报告期 {value} 尚未结束",
        "period {value} has not ended yet",
        "季度结束后再上报",
        "report a quarter after it ends",
    ),
    Rule(
        "period-before-plan",
        E,
        "报告期 {value} 早于规划起始（{start}）",
        "period {value} is before the plans start ({start})",
        "请核对年份",
        "check the year",
    ),
    Rule(
        "value-missing",
        W,
        "数值为空（“{value}”），按缺报处理，不计为 0",
        "no value ('{value}'): treated as not reported, never as 0",
        "如有数据请填写；确实无数据可保留",
        "fill it in if known; leave it if there is no figure",
    ),
    Rule(
        "value-not-number",
        E,
        "数值“{value}”不是数字",
        "value '{value}' is not a number",
        "只填写数字，如 1234.5",
        "write a plain number, e.g. 1234.5",
    ),
    Rule(
        "value-unit",
        E,
        "数值“{value}”带有单位或倍数，系统不猜测换算",
        "value '{value}' carries a unit or multiplier; it is not guessed",
        "请换算为基本单位的纯数字（如 1.2万 → 12000，85% → 85）",
        "convert to a plain number in base units (1.2万 → 12000, 85% → 85)",
    ),
    Rule(
        "value-thousands",
        W,
        "数值“{value}”含千位分隔符，已读作 {normalised}",
        "value '{value}' has thousands separators, read as {normalised}",
        "无需处理",
        "nothing to do",
    ),
    Rule(
        "negative-count",
        E,
        "计数指标的数值不能为负：{value}",
        "a count cannot be negative: {value}",
        "请核对数值",
        "check the figure",
    ),
    Rule(
        "percent-over-100",
        E,
        "百分比超过 100：{value}",
        "a percentage above 100: {value}",
        "百分比填写 0–100 之间的数",
        "write a percentage between 0 and 100",
    ),
    Rule(
        "duplicate-key",
        E,
        "与第 {other} 行的地区、指标、报告期相同但数值不同（{value}）",
        "same region, indicator and period as row {other} with a different value ({value})",
        "删除其中一行，或改正数值",
        "delete one of the rows or correct the value",
    ),
    Rule(
        "duplicate-key-note",
        E,
        "与第 {other} 行的地区、指标、报告期和数值都相同，但备注不同（{value}）",
        "same region, indicator, period and value as row {other}, with a different note ({value})",
        "把两条备注合并到一行，删除另一行",
        "merge the two notes into one row and delete the other",
    ),
    Rule(
        "no-figures",
        E,
        "文件中没有任何可导入的数值（{value} 行的数值均为空）",
        "the file holds no figure to load (the value is empty on all {value} rows)",
        "请在“数值”列填写本季度的数据后再上传；确无数据则无需上传",
        "fill in the value column before uploading; if there are no figures, there is nothing to upload",
    ),
    Rule(
        "duplicate-row",
        W,
        "与第 {other} 行完全相同，只导入一次",
        "identical to row {other}; loaded once",
        "可删除重复行",
        "you may delete the duplicate",
    ),
    Rule(
        "formula-no-value",
        E,
        "单元格是公式但没有计算结果",
        "the cell holds a formula without a calculated value",
        "在 Excel 中打开并保存一次（或粘贴为数值）",
        "open and save the file in Excel once (or paste as values)",
    ),
    Rule(
        "excel-error",
        E,
        "单元格是 Excel 错误值 {value}",
        "the cell holds the Excel error {value}",
        "修正公式或填写数值",
        "fix the formula or type the value",
    ),
    Rule(
        "stock-fell",
        W,
        "存量指标比上季度下降（{previous} → {value}）",
        "a stock fell since the previous quarter ({previous} → {value})",
        "如属实请确认上报",
        "confirm if the figure is right",
    ),
    Rule(
        "flow-jump",
        W,
        "比上季度增长十倍以上（{previous} → {value}）",
        "more than tenfold the previous quarter ({previous} → {value})",
        "请核对是否多填了位数或单位",
        "check for an extra digit or a unit mix-up",
    ),
    # --- sources (issue 11, item 4) ----------------------------------------------------------
    Rule(
        "source-too-long",
        E,
        "“来源”有 {value} 个字符，超过上限 {limit} 个字符",
        "the source is {value} characters long, over the limit of {limit}",
        "来源只写网址，或文件标题和日期（如《广东省中小企业发展报告》2016-06-16），不要粘贴全文",
        "write a URL, or a document's title and date, not the whole text",
    ),
    Rule(
        "source-formula",
        E,
        "“来源”单元格是公式或以 = + - @ 开头（“{value}”），可能被电子表格当作公式执行",
        "the source cell is a formula or starts with = + - @ ('{value}'), which a spreadsheet may run as a formula",
        "请把来源改为纯文本：删除开头的 = + - @ 符号，公式单元格请“粘贴为数值”",
        "make the source plain text: remove the leading = + - @, and paste formula cells as values",
    ),
    Rule(
        "duplicate-key-source",
        E,
        "与第 {other} 行的地区、指标、报告期和数值都相同，但来源不同（{value}）",
        "same region, indicator, period and value as row {other}, with a different source ({value})",
        "把两个来源写在同一行的“来源”里（如用分号隔开），删除另一行",
        "write both sources in one row's source cell (e.g. separated by a semicolon) and delete the other row",
    ),
    # --- units: upload rows carrying a unit code (model/units.py) --------------------------
    Rule(
        "unit-unknown",
        E,
        "单位代码“{value}”不在单位名录中",
        "unit code '{value}' is not in the register of units",
        "请核对单位代码（模板列出本地区的单位）；新单位须先由管理员登记（target-monitor units add）",
        "check the code (the template lists your region's units); an admin registers a new unit first (target-monitor units add)",
    ),
    Rule(
        "unit-expired",
        E,
        "单位“{value}”在 {period} 不在有效期内（{detail}）",
        "unit '{value}' was not registered as valid in {period} ({detail})",
        "只上报单位有效期内的季度；有效期有误请管理员更正单位名录",
        "report only the quarters in the unit's validity; if its dates are wrong, an admin corrects the register",
    ),
    Rule(
        "unit-out-of-scope",
        E,
        "单位“{value}”隶属 {parent}，不在您的上报范围（{scope}）内",
        "unit '{value}' belongs to {parent}, outside your reporting scope ({scope})",
        "只能上报隶属本地区及下辖地区的单位；由该单位所属地区上报",
        "report only units whose parent region is yours or below it; the unit's own region reports it",
    ),
    # --- units: a file of units to register (model/unit_file.py) ---------------------------
    Rule(
        "unit-file",
        E,
        "单位名录文件无法读取（{value}）",
        "the file of units could not be read ({value})",
        "请保存为 CSV UTF-8，表头为：code,name,kind,level,parent_code,valid_from,valid_to,source,note",
        "save it as CSV UTF-8 with the header: code,name,kind,level,parent_code,valid_from,valid_to,source,note",
    ),
    Rule(
        "unit-field-missing",
        E,
        "单位“{value}”的 {field} 为空",
        "unit '{value}' has an empty {field}",
        "填写单位名称和来源（文件名、网址或文件标题和日期）",
        "give the unit's name and its source (a document, a URL, or a title and date)",
    ),
    Rule(
        "unit-kind-unknown",
        E,
        "单位类型“{value}”不存在",
        "unit kind '{value}' does not exist",
        "请使用 data/unit_kinds.yaml 中的类型：{kinds}",
        "use a kind of data/unit_kinds.yaml: {kinds}",
    ),
    Rule(
        "unit-code-shape",
        E,
        "单位代码“{value}”格式不对：应为上级地区代码-类型字母+编号（如 {example}），不能像地区代码",
        "unit code '{value}' is not shaped like a unit's: parent code, '-', the kind's letters and a number (e.g. {example}), never like a region code",
        "改为形如 {example} 的代码",
        "use a code such as {example}",
    ),
    Rule(
        "unit-parent-unknown",
        E,
        "上级地区“{value}”不在地区名录中",
        "parent region '{value}' is not in the region list",
        "填写单位所属地区的 GB/T 2260 代码（专业镇平台填专业镇代码）",
        "give the GB/T 2260 code of the unit's region (a platform's specialised town)",
    ),
    Rule(
        "unit-level",
        E,
        "单位层级“{value}”不符：上级地区为 {parent} 级，该类型单位可为 {levels} 级",
        "unit level '{value}' does not fit: its parent is at level {parent}, and units of this kind are at {levels}",
        "层级应与上级地区相同，且为该类型允许的层级",
        "the level is the parent region's, and one this kind allows",
    ),
    Rule(
        "unit-bad-date",
        E,
        "日期“{value}”无法识别",
        "date '{value}' could not be read",
        "写作 YYYY-MM-DD（如 2017-03-01），或留空",
        "write YYYY-MM-DD (e.g. 2017-03-01) or leave it empty",
    ),
    Rule(
        "unit-dates-order",
        E,
        "有效期止（{value}）不晚于有效期起（{since}）",
        "valid_to ({value}) is not after valid_from ({since})",
        "交换或更正两个日期：有效期止是单位撤销之日（不含）",
        "swap or fix the dates: valid_to is the day the unit ceased (exclusive)",
    ),
    Rule(
        "unit-duplicate-code",
        E,
        "单位代码“{value}”在文件中重复（第 {first} 行已有）",
        "unit code '{value}' is listed twice in the file (first on row {first})",
        "每个单位只写一行；同一代码的新版本请另行登记",
        "keep one row per unit; register a later version of a code on its own",
    ),
    Rule(
        "unit-overlap",
        E,
        "单位“{value}”已登记的版本（{since} 至 {until}）与本行有效期重叠",
        "unit '{value}' is already registered for {since} to {until}, which overlaps this row",
        "更正已登记版本请用相同的有效期起；新版本须从旧版本的有效期止开始",
        "to correct the registered version give the same valid_from; a new version starts on the old one's valid_to",
    ),
)


@dataclass(frozen=True)
class Issue:
    """One problem found in an upload: where it is, which rule fired, and how to fix it."""

    rule: str
    severity: Severity
    file: str
    sheet: str | None
    row: int | None  # as Excel shows it, header counted
    column: str | None
    value: str | None
    message_zh: str
    message_en: str
    fix_zh: str
    fix_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def fix(self, lang: str = "zh") -> str:
        return self.fix_zh if lang == "zh" else self.fix_en

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message(lang),
            "fix": self.fix(lang),
            "file": self.file,
            "sheet": self.sheet,
            "value": self.value,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_issue(
    rule: str,
    *,
    file: str,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    **context: object,
) -> Issue:
    """Build an issue of ``rule``, filling its message templates with ``value`` and ``context``."""
    spec = RULES[rule]
    text = "" if value is None else str(value)
    fields: Mapping[str, object] = {"value": text, **context}
    return Issue(
        rule=rule,
        severity=spec.severity,
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        value=None if value is None else text,
        message_zh=spec.message_zh.format_map(fields),
        message_en=spec.message_en.format_map(fields),
        fix_zh=spec.fix_zh.format_map(fields),
        fix_en=spec.fix_en.format_map(fields),
    )


def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)
