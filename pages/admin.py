"""系统管理 Admin: accounts, quarter locks and the audit log (admins only)."""

from __future__ import annotations

import streamlit as st

from model.periods import Quarter
from service import api as service
from service import sources as published
from service import units as register
from target_monitor import ui
from target_monitor.i18n import t
from warehouse.accounts import ROLES, AccountError

ui.shell("admin")
lang = ui.lang()
st.title(t("admin.title", lang))
user = ui.current_user()  # re-read in the warehouse at every run; each action re-checks it
if user is None or user.role != "admin":
    st.info(t("admin.only", lang))
    st.stop()
assert user is not None

st.subheader(t("admin.users", lang))
st.dataframe(service.users(ui.db()), hide_index=True)
with st.form("add_user"):
    st.markdown(f"**{t('admin.add', lang)}**")
    c1, c2, c3 = st.columns(3)
    username = c1.text_input(t("login.user", lang), key="new_user")
    password = c2.text_input(t("login.password", lang), type="password", key="new_pw")
    role = c3.selectbox(t("admin.role", lang), ROLES, key="new_role")
    region = c1.text_input(t("admin.region", lang), key="new_region")
    name = c2.text_input(t("admin.name", lang), key="new_name")
    if st.form_submit_button(t("admin.create", lang)):
        try:
            service.add_user(
                ui.db(),
                actor=user,
                username=username,
                password=password,
                role=role,
                region_code=region or None,
                display_name=name or None,
            )
            st.success(t("admin.created", lang, name=username))
        except AccountError as exc:
            st.error(str(exc))
disable = st.selectbox(
    t("admin.disable", lang), ["", *service.users(ui.db())["username"].to_list()], key="disable"
)
if disable and st.button(t("admin.disable", lang), key="disable_go"):
    try:
        service.set_active(ui.db(), disable, active=False, actor=user)
    except AccountError as exc:
        st.error(str(exc))
    else:
        st.rerun()

st.subheader(t("admin.locks", lang))
locks = service.locks(ui.db())
if locks:
    st.caption(
        t(
            "admin.locked_list",
            lang,
            items="，".join(f"{p}（{by} {at:%Y-%m-%d}）" for p, (by, at) in sorted(locks.items())),
        )
    )
last = Quarter.of(ui.as_of()).previous()
quarters = []
q = last
for _ in range(24):
    quarters.append(q.label)
    q = q.previous()
period = st.selectbox(t("upload.quarter", lang), quarters, key="lock_period")
c1, c2 = st.columns(2)
for column, locked, key in ((c1, True, "lock"), (c2, False, "unlock")):
    if column.button(
        t(f"admin.{key}", lang), key=f"{key}_go", disabled=(period in locks) == locked
    ):
        try:
            service.set_lock(ui.db(), period, locked=locked, actor=user)
        except AccountError as exc:
            st.error(str(exc))
        else:
            st.rerun()

st.subheader(t("admin.audit", lang))
f1, f2 = st.columns(2)
actor = f1.text_input(t("admin.audit.actor", lang), value=ui.param("actor"), key="audit_actor")
action = f2.text_input(t("admin.audit.action", lang), value=ui.param("action"), key="audit_action")
ui.set_param("actor", actor)
ui.set_param("action", action)
log = service.audit_log(ui.db(), actor=actor or None, action=action or None)
ui.table(
    [
        {
            t("col.when", lang): ui.beijing(row["logged_at"]),  # stored in UTC
            t("col.actor", lang): row["actor"],
            t("col.os_user", lang): row["os_user"],
            t("col.action", lang): row["action"],
            t("col.object", lang): row["target"],
            t("col.batch", lang): row["batch_id"],
            t("col.detail", lang): str(row["detail"]),
        }
        for row in log.iter_rows(named=True)
    ],
    "audit",
    key="audit_table",
)

# Published figures (issue 11, item 4): adopt those that map to an indicator as reports.
st.subheader(t("admin.published", lang))
st.caption(t("admin.published.caption", lang))
figures = [f for f in published.published_figures(ui.db(), ref=ui.ref()) if f.indicator]
ui.table(
    [
        {
            t("col.id", lang): f.id,
            t("col.region", lang): f"{f.region_code or '—'} {f.region}",
            t("col.indicator", lang): f.indicator,
            t("col.period", lang): f.period,
            t("col.value", lang): f.value_text,
            t("col.unit_word", lang): f.unit,
            t("col.adoptable", lang): f.adoptable,
            t("col.why_not", lang): f.skip,
            t("col.source", lang): f.source,
        }
        for f in figures
    ],
    "published",
    key="published_table",
)
if st.button(
    t("admin.published.adopt", lang),
    key="adopt_published",
    disabled=not any(f.adoptable for f in figures),
):
    try:
        adopted = published.adopt_published(ui.db(), actor=user, ref=ui.ref())
    except AccountError as exc:
        st.error(str(exc))
    else:
        if adopted.status == "committed":
            st.success(
                t(
                    "admin.published.done",
                    lang,
                    batch=adopted.batch_id,
                    new=adopted.new,
                    changed=adopted.changed,
                    unchanged=adopted.unchanged,
                )
            )
        else:
            st.info(t(f"admin.published.{adopted.status}", lang))

# The register of units (issue 11, item 2): the units per-unit goals are judged on, and a file of
# units to register.
st.subheader(t("admin.units", lang))
st.caption(t("admin.units.caption", lang))
st.dataframe(register.unit_table(ui.db()), hide_index=True)
unit_file = st.file_uploader(t("admin.units.file", lang), type=["csv"], key="units_file")
if unit_file is not None and st.button(t("admin.units.add", lang), key="units_add"):
    try:
        added = register.add_unit_file(ui.db(), unit_file.getvalue(), unit_file.name, actor=user)
    except AccountError as exc:
        st.error(str(exc))
    else:
        if added.counts is not None:
            c = added.counts
            st.success(
                t("admin.units.done", lang, new=c.new, changed=c.changed, unchanged=c.unchanged)
            )
        else:
            st.error(t("admin.units.rejected", lang, n=len(added.issues)))
            ui.table(
                [
                    {
                        t("col.row", lang): i.row,
                        t("col.column", lang): i.column,
                        t("col.rule", lang): i.rule,
                        t("col.message", lang): i.message(lang),
                        t("col.fix", lang): i.fix(lang),
                    }
                    for i in added.issues
                ],
                "units-issues",
                key="units_issues",
            )
