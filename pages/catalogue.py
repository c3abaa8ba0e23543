"""目标库 Catalogue: every goal and policy parameter with its source clause, searchable."""

from __future__ import annotations

import streamlit as st

from target_monitor import ui
from target_monitor.catalogue_doc import KIND_ZH, LEVEL_ZH, RECURRENCE_ZH, format_goal
from target_monitor.i18n import t

ui.shell("catalogue")
lang = ui.lang()
cat = ui.ref().catalogue
st.title(t("catalogue.title", lang))
st.caption(
    t(
        "catalogue.caption",
        lang,
        documents=len(cat.documents),
        targets=len(cat.targets),
        parameters=len(cat.parameters),
    )
)

docs = {d.id: d for d in cat.documents}
indicators = {i.key: i for i in cat.indicators}
left, right = st.columns([2, 1])
query = left.text_input(t("catalogue.search", lang), value=st.query_params.get("q", ""), key="q")
doc_choice = right.selectbox(
    t("catalogue.document", lang),
    options=["", *docs],
    format_func=lambda d: t("catalogue.all_documents", lang) if not d else docs[d].title,
    key="doc",
)
if query:
    st.query_params["q"] = query
elif "q" in st.query_params:
    del st.query_params["q"]


def matches(*fields: str) -> bool:
    return not query or any(query.lower() in f.lower() for f in fields)


goal_rows = [
    {
        t("col.id", lang): tg.id,
        t("col.document", lang): docs[tg.document].number or docs[tg.document].title,
        t("col.article", lang): tg.article,
        t("col.indicator", lang): (
            indicators[tg.indicator].name_zh if lang == "zh" else indicators[tg.indicator].name_en
        ),
        t("col.kind", lang): KIND_ZH[tg.kind] if lang == "zh" else tg.kind,
        t("col.scope", lang): LEVEL_ZH[tg.scope.level]
        + ("（每个）" if tg.scope.applies_to == "each" else ""),
        t("col.goal", lang): format_goal(tg),
        t("col.window", lang): f"{tg.start:%Y-%m-%d} – {tg.deadline:%Y-%m-%d}",
        t("col.recurrence", lang): RECURRENCE_ZH[tg.recurrence] if lang == "zh" else tg.recurrence,
        t("col.lead", lang): "、".join(tg.lead),
        t("col.quote", lang): tg.quote,
        t("col.verified", lang): "" if tg.verified else t("verified.no", lang),
        t("col.note", lang): tg.note or "",
    }
    for tg in cat.targets
    if (not doc_choice or tg.document == doc_choice)
    and matches(tg.id, tg.quote, indicators[tg.indicator].name_zh, " ".join(tg.lead), tg.article)
]
param_rows = [
    {
        t("col.id", lang): p.id,
        t("col.document", lang): docs[p.document].number or docs[p.document].title,
        t("col.article", lang): p.article,
        t("col.name", lang): p.name_zh,
        t("col.value", lang): format_goal(p),
        t("col.quote", lang): p.quote,
        t("col.note", lang): p.note or "",
    }
    for p in cat.parameters
    if (not doc_choice or p.document == doc_choice) and matches(p.id, p.quote, p.name_zh)
]

goals_tab, params_tab = st.tabs(
    [
        f"{t('catalogue.goals', lang)} ({len(goal_rows)})",
        f"{t('catalogue.parameters', lang)} ({len(param_rows)})",
    ]
)
with goals_tab:
    for tg in cat.targets:  # catalogue audit Q4: a figure not yet checked, said before the table
        if not tg.verified and (not doc_choice or tg.document == doc_choice):
            st.warning(
                t(
                    "catalogue.unverified",
                    lang,
                    goal=ui.goal_name(tg.id, lang),
                    id=tg.id,
                    reason=tg.unverified_reason or "",
                ),
                icon=":material/report:",
            )
    st.caption(t("catalogue.shown", lang, shown=len(goal_rows), total=len(cat.targets)))
    ui.table(goal_rows, "catalogue-goals", width="stretch")
with params_tab:
    st.caption(t("catalogue.shown", lang, shown=len(param_rows), total=len(cat.parameters)))
    ui.table(param_rows, "catalogue-parameters", width="stretch")
