"""目标详情 Goal detail: actual against the trajectory, projection, regions, and the source."""

from __future__ import annotations

import streamlit as st

from target_monitor import charts, ui
from target_monitor.i18n import status_label, t

ui.shell("goal")
lang = ui.lang()
r = ui.ref()
target_id = ui.goal_selector(r.catalogue.targets[0].id, "goal_select")
target = r.catalogue.target(target_id)
document = r.catalogue.document(target.document)
detail = ui.goal_detail(target_id)
row = detail.status.row(0, named=True)
unit = row["unit"]

st.title(ui.goal_name(target_id, lang))
colour = charts.STATUS_COLOURS[row["status"]]
st.markdown(
    f"<span style='background:{colour};color:white;padding:0.2em 0.7em;border-radius:0.4em'>"
    f"{status_label(row['status'], lang)}</span> &nbsp; {ui.source_of(target_id)}",
    unsafe_allow_html=True,
)

m = st.columns(6)
m[0].metric(t("goal.metric.actual", lang), charts.format_number(row["actual"], unit))
m[1].metric(t("goal.metric.planned", lang), charts.format_number(row["planned"], unit))
m[2].metric(t("goal.metric.final", lang), charts.format_number(row["final"], unit))
m[3].metric(t("goal.metric.projected", lang), charts.format_number(row["projected"], unit))
m[4].metric(t("goal.metric.rate", lang), charts.format_number(row["required_rate"], unit))
m[5].metric(
    t("goal.metric.completeness", lang),
    "—" if row["completeness"] is None else f"{row['completeness']:.0%}",
)

series = detail.series.to_dicts()
if any(s["actual"] is not None for s in series):
    ui.chart(
        charts.goal_trajectory(
            series,
            final=row["final"],
            deadline=target.deadline,
            unit=unit,
            title=t("goal.chart", lang),
            lang=lang,
            footer=ui.footer(target_id, lang),
        ),
        f"goal-{target_id}",
        target_id=target_id,
    )
else:
    st.info(t("goal.nodata", lang))

with st.container(border=True):
    st.markdown(
        f"**{t('goal.source', lang)}**：《{document.title}》{document.number or ''} "
        f"{target.article} · {t('goal.lead', lang)}：{'、'.join(target.lead) or '—'}"
    )
    st.markdown(f"> {target.quote}")
    if target.note:
        st.caption(target.note)

st.subheader(t("goal.regions", lang))
regions = detail.regions.to_dicts()
known = [x for x in regions if x["value"] is not None]
if known:
    left, right = st.columns([2, 1])
    with left:
        bars = charts.region_bars(
            known[:30],
            unit=unit if not row["units_total"] else "",
            title=t("goal.regions", lang),
            lang=lang,
        )
        ui.chart(bars, f"regions-{target_id}", target_id=target_id)
    with right:
        columns = {t("col.region", lang): "name", t("col.actual", lang): "value"}
        if any(x["meets"] is not None for x in regions):
            columns[t("col.meets", lang)] = "meets"
        if any(x["share"] is not None for x in regions):
            columns[t("col.share", lang)] = "share"
        ui.table(
            [{label: x[key] for label, key in columns.items()} for x in regions],
            f"regions-{target_id}",
            column_config={
                t("col.share", lang): st.column_config.NumberColumn(format="percent"),
            },
        )
if row["units_short"]:
    names = {reg.code: reg.name for reg in r.regions}
    st.markdown(
        f"**{t('goal.short', lang)}**（{len(row['units_short'])}/{row['units_total']}）："
        + "、".join(names.get(c, c) for c in row["units_short"])
    )

with st.expander(t("goal.data", lang)):
    ui.table(
        [
            {
                t("col.period", lang): s["period"],
                t("col.actual", lang): s["actual"],
                t("col.planned", lang): s["planned"],
                t("col.projected", lang): s["projected"],
            }
            for s in series
        ],
        f"data-{target_id}",
    )
