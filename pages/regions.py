"""地区 Regions: a map of the chosen goal at its jurisdiction's map level (Guangdong's cities,
Qingdao's districts: data/jurisdictions.yaml), a league table, and a drill-down to the regions
under each map unit."""

from __future__ import annotations

import streamlit as st

from target_monitor import charts, ui
from target_monitor.i18n import flags_text, t, verdict_label

ui.shell("regions")
lang = ui.lang()
r = ui.ref()
target_id = ui.goal_selector("gd624-demo-platforms-provincial-2015", "regions_goal")
target = r.catalogue.target(target_id)
detail = ui.goal_detail(target_id)
row = detail.status.row(0, named=True)
unit_goal = bool(row["units_total"])
st.title(t("regions.title", lang))
verdict = verdict_label(row["status"], row["provisional"], lang)
st.markdown(f"**{ui.goal_name(target_id, lang)}** · {t('col.status', lang)}：{verdict}")
if row["flags"]:
    st.caption(flags_text(row["flags"], lang))

metric, grouped, legend_key = ui.region_view(target_id)
legend = t(f"regions.metric.{legend_key}", lang)
by_code = ui.region_names()
geo = ui.geojson(target.scope.jurisdiction)
if geo and any(v is not None for v in metric.values()):
    ui.chart(
        charts.choropleth(
            geo,
            metric,
            title=f"{ui.goal_name(target_id, lang)} · {legend}",
            legend=legend,
            lang=lang,
        ),
        f"map-{target_id}",
        target_id=target_id,
    )
    st.caption(ui.footer(target_id, lang))
else:
    st.info(t("regions.nomap", lang))

st.subheader(t("regions.league", lang))
ranking = ui.league(target_id)
ui.table(ranking.drop("code"), f"league-{target_id}")

cities = ranking["code"].to_list()
drill = st.selectbox(
    t("regions.drill", lang),
    ["", *cities],
    format_func=lambda c: t("regions.drill.none", lang) if not c else by_code[c],
    key="drill_city",
)
if drill:
    st.markdown(f"**{by_code[drill]} · {t('regions.counties', lang)}**")
    st.dataframe(
        [
            {
                t("col.region", lang): i["name"],
                t("col.actual", lang): i["value"],
                t("col.meets", lang): i["meets"],
            }
            for i in grouped.get(drill, [])
        ],
        hide_index=True,
    )
