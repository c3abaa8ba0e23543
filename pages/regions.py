"""地区 Regions: a map of the chosen goal by city (or Qingdao district), a league table, and a
drill-down: province, then a city's counties and towns."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st

from target_monitor import charts, ui
from target_monitor.i18n import t

ui.shell("regions")
lang = ui.lang()
r = ui.ref()
target_id = ui.goal_selector("gd624-demo-platforms-provincial-2015", "regions_goal")
target = r.catalogue.target(target_id)
detail = ui.goal_detail(target_id)
row = detail.status.row(0, named=True)
unit_goal = bool(row["units_total"])
st.title(t("regions.title", lang))

by_code = {region.code: region for region in reversed(r.regions)}


def map_unit(code: str) -> str | None:
    """The city (Guangdong) or district (Qingdao) a region belongs to on the map."""
    node = by_code.get(code)
    while node is not None:
        parent = by_code.get(node.parent_code or "")
        if target.scope.jurisdiction == "440000" and node.level == "city":
            return str(node.code)
        if target.scope.jurisdiction == "370200" and parent and parent.code == "370200":
            return str(node.code)
        node = parent
    return None


values = detail.regions.to_dicts()
grouped: dict[str, list[dict[str, object]]] = defaultdict(list)
for item in values:
    unit = map_unit(str(item["region_code"]))
    if unit is not None:
        grouped[unit].append(item)

metric: dict[str, float | None] = {}
for code, items in grouped.items():
    known = [i for i in items if i["value"] is not None]
    if unit_goal:
        metric[code] = 100.0 * sum(1 for i in items if i["meets"]) / len(items) if items else None
    elif known and all(i["share"] is not None for i in known):
        metric[code] = 100.0 * sum(float(str(i["share"])) for i in known)
    elif known:
        metric[code] = sum(float(str(i["value"])) for i in known)
legend = (
    t("regions.metric.attainment", lang)
    if unit_goal
    else t("regions.metric.share", lang)
    if any(i["share"] is not None for i in values)
    else t("regions.metric.value", lang)
)
geo = ui.geojson(
    "guangdong_cities.geojson"
    if target.scope.jurisdiction == "440000"
    else "qingdao_districts.geojson"
)
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
league = sorted(
    ((c, by_code[c].name, v) for c, v in metric.items() if v is not None), key=lambda x: -x[2]
)
ui.table(
    [
        {"#": i + 1, t("col.region", lang): name, legend: round(value, 2)}
        for i, (_, name, value) in enumerate(league)
    ],
    f"league-{target_id}",
)

cities = [code for code, _, _ in league]
drill = st.selectbox(
    t("regions.drill", lang),
    ["", *cities],
    format_func=lambda c: t("regions.drill.none", lang) if not c else by_code[c].name,
    key="drill_city",
)
if drill:
    st.markdown(f"**{by_code[drill].name} · {t('regions.counties', lang)}**")
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
