"""Every user-visible string of the dashboard, Chinese first, with its English form.

Pages call :func:`t` with a key; none writes a visible string inline.  The language is chosen in
the sidebar and kept in the URL (``?lang=en``).
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("目标监测", "Target Monitor"),
    "app.subtitle": (
        "广东省及青岛市中小微企业服务体系目标监测",
        "Monitoring the SME service-system goals of Guangdong and Qingdao",
    ),
    "nav.catalogue": ("目标库", "Catalogue"),
    "banner.sample": (
        "示例数据：当前显示的是系统自带的模拟数据，仅供演示，不代表真实上报情况。",
        "Sample data (示例数据): the figures shown are simulated for demonstration and are not "
        "real reports.",
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
}


def t(key: str, lang: Lang = "zh", **values: object) -> str:
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
