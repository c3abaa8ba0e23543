"""总览 Overview: every goal with its status, attainment and deadline; counts per status."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from target_monitor import charts, ui
from target_monitor.i18n import flags_text, status_label, t, verdict_label
from target_monitor.pinned import pinned_goals

ui.shell("overview")
lang = ui.lang()
r = ui.ref()
as_of = ui.as_of()
status = ui.goal_status()
previous = ui.goal_status(as_of - dt.timedelta(days=91))  # for the trend since last quarter

st.title(t("overview.title", lang))

docs = {d.id: d for d in r.catalogue.documents}
targets = {tg.id: tg for tg in r.catalogue.targets}
leads = sorted({lead for tg in r.catalogue.targets for lead in tg.lead})
windows = {
    "2012": t("window.2012", lang),
    "12th": t("window.12th", lang),
    "13th": t("window.13th", lang),
}


def window_of(target_id: str) -> str:
    target = targets[target_id]
    if target.deadline.year <= 2012:
        return "2012"
    return "12th" if target.deadline.year <= 2015 else "13th"


c1, c2, c3, c4 = st.columns(4)
doc = c1.selectbox(
    t("overview.filter.document", lang),
    ["", *docs],
    key="f_doc",
    index=["", *docs].index(ui.choice_param("doc", ["", *docs], "", lang)),
    format_func=lambda d: "—" if not d else (docs[d].number or docs[d].title),
)
window = c2.selectbox(
    t("overview.filter.window", lang),
    ["", *windows],
    key="f_window",
    index=["", *windows].index(ui.choice_param("window", ["", *windows], "", lang)),
    format_func=lambda w: "—" if not w else windows[w],
)
lead = c3.selectbox(
    t("overview.filter.lead", lang),
    ["", *leads],
    key="f_lead",
    index=["", *leads].index(ui.choice_param("lead", ["", *leads], "", lang)),
    format_func=lambda x: x or "—",
)
statuses = list(charts.STATUS_ORDER)
chosen_status = c4.selectbox(
    t("overview.filter.status", lang),
    ["", *statuses],
    key="f_status",
    index=["", *statuses].index(ui.choice_param("status", ["", *statuses], "", lang)),
    format_func=lambda s: "—" if not s else status_label(s, lang),
)
for name, value in (("doc", doc), ("window", window), ("lead", lead), ("status", chosen_status)):
    ui.set_param(name, value)
# the headline goals pinned at the top (the client's first-named goals first); on by default,
# kept in the URL as pin=0 when turned off
pin = st.toggle(
    t("overview.pin", lang),
    value=ui.choice_param("pin", ["1", "0"], "1", lang) == "1",
    key="f_pin",
    help=t("overview.pin.help", lang),
)
ui.set_param("pin", "" if pin else "0")
pinned = {target_id: i for i, target_id in enumerate(pinned_goals(r.catalogue))}

rows = []
raw_status: list[str] = []  # the engine's status of each row shown, for the counts
before = {row["target_id"]: row["actual"] for row in previous.iter_rows(named=True)}
for row in status.iter_rows(named=True):
    target = targets[row["target_id"]]
    if doc and target.document != doc:
        continue
    if window and window_of(target.id) != window:
        continue
    if lead and lead not in target.lead:
        continue
    if chosen_status and row["status"] != chosen_status:
        continue
    actual, earlier = row["actual"], before.get(target.id)
    trend = None if actual is None or earlier is None else actual - earlier
    raw_status.append(row["status"])
    rows.append(
        {
            "id": target.id,
            t("col.pinned", lang): target.id in pinned,
            t("col.goal_name", lang): ui.goal_name(target.id, lang),
            t("col.status", lang): verdict_label(row["status"], row["provisional"], lang),
            t("col.flags", lang): flags_text(row["flags"], lang),
            t("col.actual", lang): charts.format_number(actual, row["unit"]),
            t("col.target", lang): charts.format_number(row["final"], row["unit"]),
            t("col.attainment", lang): None
            if row["attainment_final"] is None
            else min(row["attainment_final"], 1.5),
            t("col.trend", lang): None if trend is None else round(trend, 2),
            t("col.deadline", lang): row["deadline"],
            t("col.completeness", lang): row["completeness"],
            t("goal.source", lang): ui.source_of(target.id),
        }
    )

counts = {s: 0 for s in charts.STATUS_ORDER}
for state in raw_status:
    if state in counts:
        counts[state] += 1
if pin:  # a stable sort: the pinned group in its order, then the rest as the catalogue has them
    rows.sort(key=lambda x: pinned.get(str(x["id"]), len(pinned)))
st.caption(t("overview.caption", lang, as_of=as_of.isoformat(), n=len(rows)))
metric_columns = st.columns(len(charts.STATUS_ORDER))
for column, s in zip(metric_columns, charts.STATUS_ORDER, strict=True):
    column.metric(status_label(s, lang), counts[s])

left, right = st.columns([3, 1])
with right:
    ui.chart(charts.status_counts(counts, lang, t("overview.counts", lang)), "status-counts")
    st.download_button(
        t("export.briefing", lang),
        data=ui.briefing_pdf,
        file_name=f"领导汇报材料-{as_of.isoformat()}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key="briefing",
    )
with left:
    selection = ui.table(
        rows,
        "goals",
        on_select="rerun",
        selection_mode="single-row",
        key="overview_table",
        column_order=[k for k in (rows[0] if rows else {}) if k != "id"],
        column_config={
            t("col.attainment", lang): st.column_config.ProgressColumn(
                t("col.attainment", lang), format="percent", min_value=0.0, max_value=1.5
            ),
            t("col.completeness", lang): st.column_config.ProgressColumn(
                t("col.completeness", lang), format="percent", min_value=0.0, max_value=1.0
            ),
            t("col.pinned", lang): st.column_config.CheckboxColumn(t("col.pinned", lang)),
            t("col.status", lang): st.column_config.TextColumn(
                t("col.status", lang), help=t("verdict.provisional.help", lang)
            ),
            t("col.flags", lang): st.column_config.TextColumn(t("col.flags", lang), width="medium"),
        },
    )
    picked = selection.selection.rows if selection else []
    if picked:
        st.switch_page(
            "pages/goal.py",
            query_params={**st.query_params.to_dict(), "target": rows[picked[0]]["id"]},
        )
