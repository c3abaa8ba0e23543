"""上报情况 Reporting: completeness and timeliness by region and quarter; who is late or missing;
the latest uploads."""

from __future__ import annotations

import streamlit as st

from target_monitor import charts, ui
from target_monitor.i18n import t

ui.shell("reporting")
lang = ui.lang()
st.title(t("reporting.title", lang))
levels = ui.levels_reporting(str(ui.db()), ui.version(), ui.as_of(), ui.known_on())
level = st.segmented_control(
    t("reporting.level", lang),
    levels,
    format_func=lambda x: t(f"level.{x}", lang),
    default=ui.choice_param("level", levels, "city", lang) if levels else None,
    key="reporting_level",
)
ui.set_param("level", level or "")
periods, shown, late, regions = ui.reporting_view(level or "city")
if shown:
    grid_chart = charts.completeness_grid(shown, title=t("reporting.grid", lang), lang=lang)
    ui.chart(grid_chart, "completeness")
    if regions > ui.GRID_REGIONS:
        st.caption(t("reporting.worst", lang, shown=ui.GRID_REGIONS, total=regions))
    st.caption(ui.footer(None, lang))

st.subheader(t("reporting.late", lang))
ui.table(
    [
        {
            t("col.region", lang): x["name"],
            t("col.period", lang): x["period"],
            t("col.completeness", lang): x["completeness"],
            t("col.timeliness", lang): x["timeliness"],
        }
        for x in late
    ],
    "late",
    column_config={
        t("col.completeness", lang): st.column_config.ProgressColumn(
            format="percent", min_value=0.0, max_value=1.0
        ),
        t("col.timeliness", lang): st.column_config.ProgressColumn(
            format="percent", min_value=0.0, max_value=1.0
        ),
    },
)

st.subheader(t("reporting.totals", lang))
gaps = ui.total_gaps().to_dicts()
if not gaps:
    st.caption(t("reporting.totals.none", lang))
else:
    large = sum(1 for g in gaps if g["large"])
    if large:
        st.warning(t("reporting.totals.warning", lang, n=large), icon=":material/difference:")
    names, catalogue = ui.region_names(), ui.ref().catalogue
    ui.table(
        [
            {
                t("col.region", lang): names.get(g["jurisdiction"], g["jurisdiction"]),
                t("col.indicator", lang): catalogue.indicator(g["indicator"]).name_zh
                if lang == "zh"
                else catalogue.indicator(g["indicator"]).name_en,
                t("col.period", lang): g["period"],
                t("col.total", lang): g["total"],
                t("col.rollup", lang): g["rollup"],
                t("col.reporters", lang): g["reporters"],
                t("col.gap", lang): g["gap"],
            }
            for g in gaps
        ],
        "totals",
        column_config={t("col.gap", lang): st.column_config.NumberColumn(format="percent")},
    )

st.subheader(t("reporting.uploads", lang))
ui.table(
    ui.batch_rows(ui.batches(known=ui.known_on()).head(20), lang),
    "uploads",
)
