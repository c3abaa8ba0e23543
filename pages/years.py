"""年度 Years: every goal's status at each year's end, and one goal's actual against plan."""

from __future__ import annotations

import streamlit as st

from target_monitor import charts, ui
from target_monitor.i18n import t, verdict_label

ui.shell("years")
lang = ui.lang()
r = ui.ref()
st.title(t("years.title", lang))
matrix = ui.year_matrix()
rows = [
    {
        "goal": ui.goal_name(x["target_id"], lang),
        "year": x["year"],
        "status": x["status"],
        "provisional": x["provisional"],
        "target_id": x["target_id"],
    }
    for x in matrix.to_dicts()
]
ui.chart(charts.status_matrix(rows, title=t("years.matrix", lang), lang=lang), "years-matrix")
st.caption(ui.footer(None, lang))

target_id = ui.goal_selector("gd624-executive-training-yearly", "years_goal")
per_year = [x for x in matrix.to_dicts() if x["target_id"] == target_id]
unit = r.catalogue.target(target_id).unit
ui.chart(
    charts.year_bars(
        per_year,
        unit=unit,
        title=f"{t('years.goal', lang)} · {ui.goal_name(target_id, lang)}",
        lang=lang,
    ),
    f"years-{target_id}",
    target_id=target_id,
)
ui.table(
    [
        {
            t("col.year", lang): x["year"],
            t("col.status", lang): verdict_label(x["status"], x["provisional"], lang),
            t("col.actual", lang): x["actual"],
            t("col.planned", lang): x["planned"],
        }
        for x in per_year
    ],
    f"years-{target_id}",
)
