"""目标详情 Goal detail: actual against the trajectory, projection, regions, and the source."""

from __future__ import annotations

import streamlit as st

from target_monitor import charts, ui
from target_monitor.i18n import flag_text, stage_number, t, verdict_label
from target_monitor.pinned import stage_chain

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
    f"{verdict_label(row['status'], row['provisional'], lang)}</span> &nbsp; "
    f"{ui.source_of(target_id)}",
    unsafe_allow_html=True,
)
if row["provisional"]:
    st.caption(t("verdict.provisional.help", lang))
for flag in row["flags"] or []:  # the engine's machine codes, in words
    st.caption(flag_text(flag, lang))
if not target.verified:  # catalogue audit Q4: a figure not yet checked against the text
    st.warning(
        t("goal.unverified", lang, reason=target.unverified_reason or ""),
        icon=":material/report:",
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
            published=ui.published_periods(target_id),
        ),
        f"goal-{target_id}",
        target_id=target_id,
    )
else:
    st.info(t("goal.nodata", lang))

totals = [s for s in series if s["total"] is not None]
if totals:
    st.subheader(t("goal.totals", lang))
    st.caption(t("goal.totals.caption", lang, basis=t(f"basis.{row['basis']}", lang)))
    large = sum(1 for s in totals if s["gap"] is not None and abs(s["gap"]) > 0.05)
    if large:
        st.warning(t("goal.totals.warning", lang, n=large), icon=":material/difference:")
    ui.table(
        [
            {
                t("col.period", lang): s["period"],
                t("col.total", lang): s["total"],
                t("col.rollup", lang): s["rollup"],
                t("col.gap", lang): s["gap"],
            }
            for s in totals
        ],
        f"totals-{target_id}",
        column_config={t("col.gap", lang): st.column_config.NumberColumn(format="percent")},
    )

with st.container(border=True):
    st.markdown(
        f"**{t('goal.source', lang)}**：《{document.title}》{document.number or ''} "
        f"{target.article} · {t('goal.lead', lang)}：{'、'.join(target.lead) or '—'}"
    )
    st.markdown(f"> {target.quote}")
    earlier = stage_chain(r.catalogue, target_id)
    if earlier:  # a later stage: link to the stage it follows
        st.page_link(
            "pages/goal.py",
            label=t("goal.follows", lang, stage=stage_number(len(earlier) + 1, lang))
            + ui.goal_name(earlier[0], lang),
            query_params={**st.query_params.to_dict(), "target": earlier[0]},
            icon=":material/arrow_back:",
        )
    if target.baseline is not None:
        st.markdown(
            t(
                "goal.baseline",
                lang,
                value=charts.format_number(target.baseline.value, target.unit),
                date=target.baseline.date.isoformat(),
                source=target.baseline.source,
            )
        )
    if target.hold:
        st.markdown(f"**{t('goal.hold', lang)}**")
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
        shown = [{label: x[key] for label, key in columns.items()} for x in regions]
        sourced = ui.region_sources(target_id)  # each region's latest figure: its source
        if sourced:
            for line, x in zip(shown, regions, strict=True):
                found = sourced.get(x["region_code"], {})
                line[t("col.source", lang)] = found.get("source")
                line[t("col.link", lang)] = found.get("url")
        ui.table(
            shown,
            f"regions-{target_id}",
            column_config={
                t("col.share", lang): st.column_config.NumberColumn(format="percent"),
                t("col.link", lang): st.column_config.LinkColumn(),
            },
        )
if row["units_short"]:
    names = ui.region_names()  # regions and registered units
    st.markdown(
        f"**{t('goal.short', lang)}**（{len(row['units_short'])}/{row['units_total']}）："
        + "、".join(names.get(c, c) for c in row["units_short"])
    )

# The source of each figure (issue 11, item 4): source, revision, batch; its revisions.
with st.expander(t("goal.figures", lang)):
    st.caption(t("goal.figures.caption", lang))
    figures = ui.goal_figures(target_id)
    if not figures:
        st.info(t("goal.figures.none", lang))
    else:
        names = ui.region_names()
        ui.table(
            [
                {
                    t("col.region", lang): names.get(f["region_code"], f["region_code"]),
                    t("col.indicator", lang): f["indicator"],
                    t("col.period", lang): f["period"],
                    t("col.value", lang): f["value"],
                    t("col.revision", lang): f["revision"],
                    t("col.source", lang): f["source"],
                    t("col.link", lang): f["url"],
                    t("col.published", lang): f["published"],
                    t("col.batch", lang): f["batch_id"],
                    t("col.file", lang): f["file_name"],
                    t("col.submitted_by", lang): f["submitted_by"],
                    t("col.when", lang): ui.beijing(f["submitted_at"]),  # stored in UTC
                }
                for f in figures
            ],
            f"figures-{target_id}",
            column_config={t("col.link", lang): st.column_config.LinkColumn()},
        )
        keys = [(f["region_code"], f["indicator"], f["period"]) for f in figures]
        picked = st.selectbox(
            t("goal.history.pick", lang),
            keys,
            format_func=lambda k: f"{names.get(k[0], k[0])} · {k[1]} · {k[2]}",
            key=f"history-{target_id}",
        )
        if picked is not None:
            st.markdown(f"**{t('goal.history', lang)}**")
            ui.table(
                [
                    {
                        t("col.revision", lang): h["revision"],
                        t("col.value", lang): h["value"],
                        t("col.source", lang): h["source"],
                        t("col.link", lang): h["url"],
                        t("col.published", lang): h["published"],
                        t("col.note", lang): h["note"],
                        t("col.batch", lang): h["batch_id"],
                        t("col.file", lang): h["file_name"],
                        t("col.submitted_by", lang): h["submitted_by"],
                        t("col.when", lang): ui.beijing(h["submitted_at"]),
                    }
                    for h in ui.revision_history(*picked)
                ],
                f"history-{target_id}",
                column_config={t("col.link", lang): st.column_config.LinkColumn()},
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
