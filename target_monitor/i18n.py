"""Every user-visible string of the dashboard, Chinese first, with its English form.

Pages call :func:`t` with a key; none writes a visible string inline.  The language is chosen in
the sidebar and kept in the URL (``?lang=en``).
"""

from __future__ import annotations

from typing import Literal

from model.labels import LEVEL_LABELS

Lang = Literal["zh", "en"]

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("目标监测", "Target Monitor"),
    "app.subtitle": (
        "广东省及青岛市中小微企业服务体系目标监测",
        "Monitoring the SME service-system goals of Guangdong and Qingdao",
    ),
    "nav.catalogue": ("目标库", "Catalogue"),
    "nav.overview": ("总览", "Overview"),
    "nav.goal": ("目标详情", "Goal detail"),
    "nav.regions": ("地区", "Regions"),
    "nav.years": ("年度", "Years"),
    "nav.reporting": ("上报情况", "Reporting"),
    "nav.upload": ("数据上报", "Upload"),
    "asof.label": ("数据截至日期", "Data as of"),
    "asof.help": (
        "评价日期：判断截至该日已到报送期限的各季度（季度结束后15天）。数据口径默认是现在已知的全部"
        "修订；要复现过去某日的汇报，请在下方“按当时已知”中选择日期。",
        "The evaluation date: the quarters due by that day (15 days after each quarter ends) are "
        "judged. By default every revision known now counts; to reproduce a past briefing, pick "
        'a date under "As known on" below.',
    ),
    "knownon.expander": ("按当时已知（复现过去的汇报）", "As known on (reproduce a past briefing)"),
    "knownon.toggle": ("只计某日已提交的数据", "Count only what had been submitted by a date"),
    "knownon.label": ("按该日当时已知", "As known on"),
    "knownon.help": (
        "只计该日（北京时间）当天结束前提交的修订：补录的历史数据和之后的更正都不计入。",
        "Only revisions submitted by the end of that day (Beijing time) count: later back-filled "
        "figures and corrections are left out.",
    ),
    "knownon.now": ("按现在已知的全部数据", "Everything known now"),
    "param.known_on_invalid": (
        "链接中的“按当时已知”日期 {value} 无法识别，已改为按现在已知的全部数据。",
        "The link's known-on date {value} is not a date: showing everything known now.",
    ),
    "footer.known_on": ("按 {known_on} 当时已知", "as known on {known_on}"),
    "param.as_of_invalid": (
        "链接中的日期 {value} 无法识别，已改为默认日期 {day}。",
        "The link's date {value} is not a date: showing the default date, {day}.",
    ),
    "param.as_of_range": (
        "链接中的日期 {value} 超出可选范围（{low} 至 {high}），已改为 {day}。",
        "The link's date {value} is outside {low} – {high}: showing {day}.",
    ),
    "param.unknown": (
        "链接中的 {name}={value} 无效，已改为默认值。",
        "The link's {name}={value} is not valid here: showing the default.",
    ),
    "param.goal_unknown": (
        "链接中的目标 {value} 不存在，已显示默认目标。",
        "The link's goal {value} does not exist: showing the default goal.",
    ),
    "start.building": (
        "首次启动：正在生成示例数据仓库（约需 1 分钟，只需一次）…",
        "First start: building the sample warehouse (about a minute, once)…",
    ),
    "start.waiting": ("准备中…", "Preparing…"),
    "start.step": ("正在载入 {step}", "Loading {step}"),
    "start.done": ("示例数据仓库已生成", "The sample warehouse is ready"),
    "readonly.notice": (
        "数据仓库文件为只读，已以只读方式打开：可以查看和导出，不能上报或修改。",
        "The warehouse file is read-only, so it was opened read-only: view and export only, "
        "no uploads or changes.",
    ),
    "status.achieved": ("已实现", "Achieved"),
    "status.achieved_late": ("逾期实现", "Achieved late"),
    "status.on_track": ("进度正常", "On track"),
    "status.at_risk": ("存在风险", "At risk"),
    "status.off_track": ("进度滞后", "Off track"),
    "status.missed": ("未实现", "Missed"),
    "status.not_started": ("尚未开始", "Not started"),
    "status.insufficient_data": ("数据不足", "Insufficient data"),
    "chart.actual": ("实际", "Actual"),
    "chart.planned": ("计划进度", "Planned"),
    "chart.projected": ("趋势预测", "Projected"),
    "chart.target": ("目标值", "Target"),
    "chart.goals": ("目标数", "Goals"),
    "overview.title": ("目标总览", "Goals at a glance"),
    "overview.caption": (
        "截至 {as_of}，{n} 项目标的进展（点击一行查看详情）。",
        "Progress of {n} goals as of {as_of} (select a row to open its detail).",
    ),
    "overview.filter.document": ("文件", "Document"),
    "overview.filter.window": ("规划期", "Plan window"),
    "overview.filter.lead": ("牵头单位", "Lead department"),
    "overview.filter.status": ("状态", "Status"),
    "overview.counts": ("各状态目标数", "Goals by status"),
    "overview.open": ("查看详情", "Open detail"),
    "window.2012": ("2012年行动计划", "2012 action plan"),
    "window.12th": ("十二五（2011-2015）", "12th Five-Year (2011-2015)"),
    "window.13th": ("十三五（2016-2020）", "13th Five-Year (2016-2020)"),
    "col.goal_name": ("目标", "Goal"),
    "col.status": ("状态", "Status"),
    "col.actual": ("实际", "Actual"),
    "col.target": ("目标值", "Target"),
    "col.attainment": ("完成度", "Attainment"),
    "col.deadline": ("期限", "Deadline"),
    "col.trend": ("较上季度", "vs last quarter"),
    "col.completeness": ("上报完整率", "Completeness"),
    "col.timeliness": ("按时率", "Timeliness"),
    "col.region": ("地区", "Region"),
    "col.period": ("报告期", "Period"),
    "col.planned": ("计划进度", "Planned"),
    "col.projected": ("预测", "Projected"),
    "col.share": ("占全省比重", "Share of total"),
    "col.meets": ("是否达标", "Meets the goal"),
    "col.year": ("年度", "Year"),
    "col.total": ("全辖区合计", "Jurisdiction total"),
    "col.rollup": ("下级汇总", "Roll-up of the level below"),
    "col.reporters": ("汇总地区数", "Regions in the roll-up"),
    "col.gap": ("汇总与合计之差", "Roll-up vs total"),
    "col.basis": ("依据", "Basis"),
    "basis.total": ("全辖区合计", "jurisdiction total"),
    "basis.rollup": ("下级汇总", "roll-up"),
    "basis.mixed": ("合计与汇总兼有", "totals and roll-ups"),
    "goal.totals": ("全辖区合计与下级汇总", "Jurisdiction totals and roll-ups"),
    "goal.totals.caption": (
        "某季度有本辖区上报的全辖区合计时，研判以合计为准（该季度视为报齐）；否则用下级地区汇总。"
        "本目标的依据：{basis}。",
        "Where the jurisdiction reported its own total for a quarter, the verdict uses the total "
        "(the quarter counts as complete); otherwise the roll-up of the level below. This goal's "
        "basis: {basis}.",
    ),
    "goal.totals.warning": (
        "有 {n} 个季度的下级汇总与全辖区合计相差超过 5%，请核对。",
        "In {n} quarter(s) the roll-up differs from the jurisdiction's total by more than 5 %: "
        "please check.",
    ),
    "reporting.totals": ("全辖区合计与下级汇总的差异", "Jurisdiction totals against roll-ups"),
    "reporting.totals.none": (
        "目前没有同一季度既有全辖区合计、又有下级汇总的指标。",
        "No indicator has both a jurisdiction total and a roll-up for the same quarter yet.",
    ),
    "reporting.totals.warning": (
        "{n} 处差异超过 5%（按差异大小排列）。",
        "{n} gap(s) over 5 % (largest first).",
    ),
    "goal.select": ("选择目标", "Goal"),
    "goal.source": ("出处", "Source"),
    "goal.quote": ("原文", "Clause"),
    "goal.metric.actual": ("当前实际", "Actual now"),
    "goal.metric.planned": ("按计划应达", "Planned by now"),
    "goal.metric.final": ("目标值", "Target"),
    "goal.metric.projected": ("期末预测", "Projected at deadline"),
    "goal.metric.rate": ("每季度还需", "Needed per quarter"),
    "goal.metric.completeness": ("上报完整率", "Reporting completeness"),
    "goal.regions": ("分地区情况", "By region"),
    "goal.short": ("未达标单位", "Units short of the goal"),
    "goal.data": ("图表数据", "Data behind the chart"),
    "goal.chart": ("实际与计划进度", "Actual against plan"),
    "goal.lead": ("牵头单位", "Lead"),
    "goal.nodata": ("该目标在所选日期尚无数据。", "No data for this goal at the chosen date."),
    "regions.title": ("地区对比", "Regions"),
    "regions.metric.share": ("占全省合计比重（%）", "Share of the provincial total (%)"),
    "regions.metric.value": ("数值", "Value"),
    "regions.metric.attainment": ("达标程度（%）", "Attainment (%)"),
    "regions.league": ("地区排名", "League table"),
    "regions.drill": ("下钻到地市", "Drill down into a city"),
    "regions.drill.none": ("（全省）", "(whole province)"),
    "regions.counties": ("所辖县（区）及专业镇", "Counties and towns within"),
    "regions.nomap": (
        "该目标没有可在地图上比较的地区数据。",
        "This goal has no regional figures to map.",
    ),
    "years.title": ("年度进展", "Year by year"),
    "years.matrix": ("各目标逐年状态（年末口径）", "Status of every goal at each year's end"),
    "years.goal": ("逐年实际与计划", "Actual against plan, year by year"),
    "reporting.title": ("上报情况", "Reporting"),
    "reporting.grid": ("各地区分季度上报完整率", "Completeness by region and quarter"),
    "reporting.late": ("缺报、迟报地区", "Missing or late"),
    "reporting.uploads": ("最近上传批次", "Latest uploads"),
    "reporting.worst": (
        "共 {total} 个地区，图中为近 12 个季度上报完整率最低的 {shown} 个。",
        "{total} regions: the chart shows the {shown} with the lowest completeness over the "
        "last 12 quarters.",
    ),
    "reporting.level": ("地区层级", "Region level"),
    "upload.title": ("数据上报", "Upload figures"),
    "upload.region": ("上报地区", "Region"),
    "upload.quarter": ("报告季度", "Quarter"),
    "upload.template": ("下载填报模板（Excel）", "Download the template (Excel)"),
    "upload.template_csv": ("下载 CSV 模板", "Download the CSV template"),
    "upload.file": (
        "上传填好的文件（xlsx 或 csv，不超过 20 MB）",
        "Upload the filled file (xlsx or csv, up to 20 MB)",
    ),
    "upload.checking": ("正在检查…", "Checking…"),
    "upload.issues": ("检查结果", "Validation results"),
    "upload.ok": ("检查通过，没有发现问题。", "No problems found."),
    "upload.rejected": (
        "文件有 {n} 处错误，未保存任何数据。请按“修改建议”修正后重新上传。",
        "The file has {n} error(s); nothing was saved. Fix them as suggested and upload again.",
    ),
    "upload.warnings": (
        "有 {n} 条提示，请确认后再提交。",
        "{n} warning(s): confirm before committing.",
    ),
    "upload.confirm": ("我已核对以上提示，确认提交", "I have checked the warnings; commit anyway"),
    "upload.dry": ("试导入结果（尚未保存）", "Dry run (nothing saved yet)"),
    "upload.counts": (
        "新增 {new} 条 · 修改 {changed} 条（将生成新版本） · 未变 {unchanged} 条 · "
        "不导入 {rejected} 条",
        "{new} new · {changed} changed (new revisions) · {unchanged} unchanged · "
        "{rejected} not loaded",
    ),
    "upload.commit": ("确认提交", "Commit"),
    "upload.committed": ("已保存：批次 {batch}。", "Saved as batch {batch}."),
    "upload.already": (
        "该文件已于批次 {batch} 导入，无需重复提交。",
        "This file was already loaded as batch {batch}.",
    ),
    "upload.history": ("本地区上报历史", "This region's uploads"),
    "upload.revisions": ("修订记录", "Revisions"),
    "col.row": ("行", "Row"),
    "col.column": ("列", "Column"),
    "col.rule": ("规则", "Rule"),
    "col.severity": ("级别", "Severity"),
    "col.message": ("问题", "Problem"),
    "col.fix": ("修改建议", "How to fix"),
    "col.batch": ("批次", "Batch"),
    "col.file": ("文件", "File"),
    "col.uploader": ("上报人", "Uploaded by"),
    "col.when": ("时间（北京时间）", "When (Beijing time)"),
    "col.actor": ("账号", "Account"),
    "col.os_user": ("操作系统用户", "OS user"),
    "col.action": ("操作", "Action"),
    "col.object": ("对象", "Object"),
    "col.detail": ("详情", "Detail"),
    **{f"level.{level}": (zh, en.capitalize()) for level, (zh, en) in LEVEL_LABELS.items()},
    "batch.committed": ("已提交", "Committed"),
    "batch.dry_run": ("试导入", "Dry run"),
    "col.new": ("新增", "New"),
    "col.changed": ("修改", "Changed"),
    "col.unchanged": ("未变", "Unchanged"),
    "col.revision": ("版本", "Revision"),
    "severity.error": ("错误", "Error"),
    "severity.warning": ("提示", "Warning"),
    "footer.source": ("数据截至 {as_of} · 来源：{source}", "Data as of {as_of} · Source: {source}"),
    "footer.sample": ("示例数据", "Sample data"),
    "export.menu": ("导出", "Export"),
    "export.briefing": ("生成领导汇报材料（PDF）", "Briefing pack (PDF)"),
    "export.png": ("下载 PNG（2 倍分辨率，适合幻灯片）", "Download PNG (2×, for slides)"),
    "export.svg": ("下载 SVG", "Download SVG"),
    "export.svg_help": (
        "SVG 保留文字为可编辑文本，打开的电脑需安装思源黑体（Noto Sans CJK SC）等中文字体。",
        "SVG keeps text as text: the reader's computer needs a CJK font such as Noto Sans CJK SC.",
    ),
    "export.pdf": ("下载 PDF", "Download PDF"),
    "export.xlsx": ("下载 Excel", "Download Excel"),
    "export.csv": ("下载 CSV", "Download CSV"),
    "export.nofont": (
        "未找到中文字体，无法导出图表。请安装 fonts-noto-cjk（Debian/Ubuntu）或设置 "
        "TARGET_MONITOR_FONT_DIR 指向含中文字体的目录。",
        "No CJK font found, so charts cannot be exported. Install fonts-noto-cjk "
        "(Debian/Ubuntu) or set TARGET_MONITOR_FONT_DIR to a directory holding a CJK font.",
    ),
    "role.bureau": ("地方主管部门", "local bureau"),
    "role.planner": ("规划处", "planner"),
    "role.admin": ("管理员", "admin"),
    "login.title": ("登录", "Log in"),
    "login.user": ("账号", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": (
        "账号或密码不正确，或账号已停用。",
        "Wrong username or password, or the account is disabled.",
    ),
    "login.left": (
        "再连续失败 {n} 次，将暂停登录 {duration}。",
        " {n} more failures and logging in is paused for {duration}.",
    ),
    "login.locked": (
        "登录失败次数过多，已暂停登录，请于 {until}（北京时间）后再试。",
        "Too many failed logins: logging in is paused until {until} (Beijing time).",
    ),
    "login.invalid": (
        "账号名只能由 1-64 位小写字母、数字和 . _ - 组成，请检查后重新输入。",
        "A username is 1-64 characters: lower-case letters, digits, '.', '_' and '-'. Check it "
        "and try again.",
    ),
    "login.disabled": (
        "您的账号已被管理员停用，已自动退出登录；如有疑问请联系管理员。",
        "Your account has been disabled by an admin, so you have been logged out; contact an "
        "admin if this is unexpected.",
    ),
    "login.checking": ("正在验证…", "Checking…"),
    "duration.minutes": ("{n} 分钟", "{n} min"),
    "duration.seconds": ("{n} 秒", "{n} s"),
    "login.as": ("已登录：{name}（{role}）", "Logged in: {name} ({role})"),
    "login.out": ("退出登录", "Log out"),
    "login.demo": (
        "示例模式演示账号：demo-bureau / demo-bureau-pass（揭阳市），demo-planner / "
        "demo-planner-pass，demo-admin / demo-admin-pass。",
        "Demo accounts in sample mode: demo-bureau / demo-bureau-pass (揭阳市), demo-planner / "
        "demo-planner-pass, demo-admin / demo-admin-pass.",
    ),
    "upload.login": (
        "请先在左侧登录地方主管部门或管理员账号后上报数据。",
        "Log in with a bureau or admin account (sidebar) to upload.",
    ),
    "upload.planner": (
        "规划处账号只能查看和导出，不能上报数据。",
        "Planner accounts read and export; they cannot upload.",
    ),
    "upload.locked": (
        "{period} 已由 {by} 于 {at} 锁定，不能再上报或修改。",
        "{period} was locked by {by} on {at}; it takes no more uploads.",
    ),
    "nav.admin": ("系统管理", "Admin"),
    "admin.title": ("系统管理", "Administration"),
    "admin.only": (
        "仅管理员可用，请先以管理员账号登录。",
        "Admins only: log in with an admin account.",
    ),
    "admin.users": ("账号", "Accounts"),
    "admin.add": ("新增账号", "Add an account"),
    "admin.role": ("角色", "Role"),
    "admin.region": ("地区代码（地方账号必填）", "Region code (bureau accounts)"),
    "admin.name": ("显示名称", "Display name"),
    "admin.create": ("创建", "Create"),
    "admin.created": ("已创建账号 {name}。", "Account {name} created."),
    "admin.disable": ("停用账号", "Disable an account"),
    "admin.locks": ("季度锁定", "Quarter locks"),
    "admin.lock": ("锁定", "Lock"),
    "admin.unlock": ("解锁", "Unlock"),
    "admin.locked_list": ("已锁定：{items}", "Locked: {items}"),
    "admin.audit": ("审计日志", "Audit log"),
    "admin.audit.actor": ("操作人", "Actor"),
    "admin.audit.action": ("操作", "Action"),
    "banner.sample": (
        "示例数据：当前显示的是系统自带的模拟数据，仅供演示，不代表真实上报情况。"
        "演示账号（每种角色一个）见左侧登录框。",
        "Sample data (示例数据): the figures shown are simulated for demonstration and are not "
        "real reports. Demo accounts, one per role, are listed under the login form.",
    ),
    "lang.label": ("语言 Language", "语言 Language"),
    "catalogue.title": ("目标库", "Catalogue of goals"),
    "catalogue.caption": (
        "来自 {documents} 份政策文件的 {targets} 项目标和 {parameters} 项政策参数，"
        "每项均附原文条款。",
        "{targets} goals and {parameters} policy parameters from {documents} policy documents, "
        "each with its source clause.",
    ),
    "catalogue.search": (
        "搜索（编号、指标、原文、牵头单位）",
        "Search (id, indicator, quote, lead)",
    ),
    "catalogue.document": ("文件", "Document"),
    "catalogue.all_documents": ("全部文件", "All documents"),
    "catalogue.goals": ("目标", "Goals"),
    "catalogue.parameters": ("政策参数", "Policy parameters"),
    "catalogue.shown": ("显示 {shown} / {total} 项", "Showing {shown} of {total}"),
    "col.id": ("编号", "ID"),
    "col.document": ("文件", "Document"),
    "col.article": ("条款", "Article"),
    "col.indicator": ("指标", "Indicator"),
    "col.kind": ("类型", "Kind"),
    "col.scope": ("范围", "Scope"),
    "col.goal": ("目标值", "Goal"),
    "col.window": ("期限", "Window"),
    "col.recurrence": ("频次", "Recurrence"),
    "col.lead": ("牵头单位", "Lead"),
    "col.quote": ("原文", "Quote"),
    "col.note": ("说明", "Note"),
    "col.name": ("参数", "Parameter"),
    "col.value": ("数值", "Value"),
    # --- sources on figures (issue 11, item 4) ---------------------------------------------
    "chart.published": ("公开数据", "published"),
    "col.source": ("来源", "Source"),
    "col.link": ("链接", "Link"),
    "col.published": ("公开数据", "Published"),
    "col.submitted_by": ("提交人", "Submitted by"),
    "col.unit_word": ("单位", "Unit"),
    "col.adoptable": ("可采用", "Adoptable"),
    "col.why_not": ("不能采用的原因", "Why not"),
    "goal.figures": ("上报数据及来源", "Reported figures and their sources"),
    "goal.figures.caption": (
        "每个数值的修订版本、所在批次和来源（有网址的可点击）。标为“公开数据”的来自公开发布的"
        "数字，由管理员采用；其余为各地上报。",
        "Each figure's revision, batch and source (a link where it is a URL). Figures marked "
        "published come from published sources, adopted by an admin; the others were reported "
        "by the bureaus.",
    ),
    "goal.figures.none": (
        "所选日期之前没有上报数据。",
        "No figures were reported by the chosen date.",
    ),
    "goal.history": ("修订历史", "Revision history"),
    "goal.history.pick": ("选择一个数值查看其修订历史", "Pick a figure to see its revisions"),
    "admin.published": ("公开数据", "Published figures"),
    "admin.published.caption": (
        "公开发布的数字（data/published/）中对应目录指标的，可采用为该地区（如 440000 全省合计）"
        "的上报数据：每个数值保留网址和原文作为来源，作为一个“公开数据”批次写入，并记入审计日志；"
        "数值和来源未变时重复采用不做改动，已有各地上报的季度不被覆盖。",
        "Published figures (data/published/) that map to a catalogue indicator can be adopted "
        "as reports at their region's code (e.g. 440000, the province's total): each keeps its "
        "URL and quote as its source, in one batch of source 'published', audited; adopting "
        "again changes nothing while value and source are unchanged, and a quarter a bureau "
        "reported is never overwritten.",
    ),
    "admin.published.adopt": ("采用全部可采用的公开数据", "Adopt every adoptable figure"),
    "admin.published.done": (
        "已采用：批次 {batch}，新增 {new}，修改 {changed}，未变 {unchanged}。",
        "Adopted: batch {batch}, {new} new, {changed} changed, {unchanged} unchanged.",
    ),
    "admin.published.unchanged": (
        "已采用过，数值和来源都未变，未做改动。",
        "Already adopted: values and sources unchanged, nothing written.",
    ),
    "admin.published.nothing": ("没有可采用的公开数据。", "There is nothing to adopt."),
    "admin.units": ("单位名录", "Register of units"),
    "admin.units.caption": (
        "服务中心、专业镇平台、创业基地等单位：按单位考核的目标逐个单位评价。上传 CSV（UTF-8），"
        "表头 code,name,kind,level,parent_code,valid_from,valid_to,source,note；"
        "代码形如 440100-FW01（上级地区代码-类型字母+编号）。"
        "整个文件无误才登记，否则一个也不登记。",
        "Service centres, specialised-town platforms, startup bases: per-unit goals are judged on "
        "each unit. Upload a CSV (UTF-8) with the header code,name,kind,level,parent_code,"
        "valid_from,valid_to,source,note; codes look like 440100-FW01 (parent code, '-', the "
        "kind's letters and a number). A file is registered whole, or not at all.",
    ),
    "admin.units.file": ("单位名录文件（CSV）", "File of units (CSV)"),
    "admin.units.add": ("登记单位", "Register the units"),
    "admin.units.done": (
        "已登记：新增 {new}，更正 {changed}，未变 {unchanged}。",
        "Registered: {new} new, {changed} corrected, {unchanged} unchanged.",
    ),
    "admin.units.rejected": (
        "文件有 {n} 个问题，未登记任何单位：",
        "The file has {n} problem(s); nothing was registered:",
    ),
    # verdicts a planner can sign (issue 12): provisional, flags, unverified figures, stages
    "verdict.provisional": ("{label}（暂定）", "{label} (provisional)"),
    "verdict.provisional.help": (
        "暂定：期限所在季度尚未到报送期限（季度结束后15天），结论仍可能改变。",
        "Provisional: the deadline quarter is not due yet (15 days after it ends); the verdict "
        "may still change.",
    ),
    "flag.early_reports_ignored": (
        "早报地区的数据暂不计入：本季度尚未到报送期限",
        "Early reports not counted yet: this quarter is not due",
    ),
    "flag.judged_on_total": ("依据全辖区合计", "Judged on the jurisdiction's own total"),
    "flag.total_and_rollup_differ": (
        "全辖区合计与下级汇总相差超过5%",
        "The jurisdiction's total and the roll-up differ by more than 5 %",
    ),
    "flag.carried_forward": (
        "部分地区未报，沿用其最近一次上报的数值（不超过4个季度）",
        "Some regions did not report: their last figure (at most 4 quarters old) is carried "
        "forward",
    ),
    "flag.baseline_from_first_report": (
        "基期值取自期内第一次上报的数值",
        "Baseline taken from the first report in the window",
    ),
    "flag.missed_cycle": (
        "有周期未达标：该周期的结论为定论，之后的数字不能补回",
        "A cycle was missed: that cycle's verdict is final; later figures cannot make it up",
    ),
    "flag.unreported_cycle": (
        "有周期到截止时仍没有数据",
        "A cycle had no report by the deadline",
    ),
    "flag.held_level_broken": (
        "有季度未保持规定水平（须在期内每个季度保持）",
        "The level was not held in some quarter (it must hold in every quarter)",
    ),
    "col.flags": ("说明", "Notes"),
    "col.verified": ("核实", "Checked"),
    "verified.no": ("未核实", "Unverified"),
    "goal.unverified": (
        "未核实：本目标的数值尚未与公开发布的文本核对，核对前请勿引用。{reason}",
        "Unverified until checked against the published text; do not quote it before. {reason}",
    ),
    "catalogue.unverified": (
        "未核实：{goal}（{id}）的数值尚未与公开发布的文本核对。{reason}",
        "Unverified: {goal} ({id}) is not yet checked against the published text. {reason}",
    ),
    "goal.follows": ("本目标为第{stage}阶段，接续：", "This goal is stage {stage}, following: "),
    "goal.baseline": (
        "基期值：{value}（{date}；来源：{source}）",
        "Baseline: {value} ({date}; source: {source})",
    ),
    "goal.hold": ("须在期内每个季度保持", "Must hold in every quarter of the window"),
    "overview.pin": ("置顶重点目标", "Pin the headline goals"),
    "overview.pin.help": (
        "把重点目标（客户首先点名的目标在前）放在表格最上方。",
        "Put the headline goals (those the client named first at the top) above the others.",
    ),
    "col.pinned": ("重点", "Headline"),
}

_ZH_NUMERALS = "零一二三四五六七八九十"


def status_label(status: str, lang: Lang = "zh") -> str:
    return t(f"status.{status}", lang)


NO_VERDICT = frozenset({"not_started", "insufficient_data"})  # nothing judged: nothing to mark


def verdict_label(status: str, provisional: bool | None, lang: Lang = "zh") -> str:
    """A status as a planner reads it: ``进度正常（暂定）`` while the deadline quarter is not
    due yet (the engine's ``provisional``), the plain label otherwise.  "Not started" and
    "insufficient data" are no verdict, so they are never marked."""
    label = status_label(status, lang)
    if not provisional or status in NO_VERDICT:
        return label
    return t("verdict.provisional", lang, label=label)


def flag_text(code: str, lang: Lang = "zh") -> str:
    """The engine's machine code (``early_reports_ignored``, …) in words; a code not yet
    described here shows as itself rather than vanishing."""
    key = f"flag.{code}"
    return t(key, lang) if key in STRINGS else code


def flags_text(codes: list[str] | None, lang: Lang = "zh") -> str:
    """Several flags in words, joined the language's way."""
    return ("；" if lang == "zh" else "; ").join(flag_text(c, lang) for c in codes or [])


def stage_number(stage: int, lang: Lang = "zh") -> str:
    """二 for stage 2 in Chinese (up to 十), 2 in English."""
    return _ZH_NUMERALS[stage] if lang == "zh" and 0 < stage <= 10 else str(stage)


def t(key: str, lang: Lang = "zh", **values: object) -> str:
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
