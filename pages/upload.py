"""数据上报 Upload: template, upload, every problem before anything is saved, dry run, commit."""

from __future__ import annotations

import hashlib

import streamlit as st

from model.periods import Quarter
from target_monitor import ui
from target_monitor.i18n import t

ui.shell("upload")
lang = ui.lang()
r = ui.ref()
st.title(t("upload.title", lang))
user = ui.current_user()

as_of = ui.as_of()
last = Quarter.of(as_of).previous()
quarters = []
q = last
for _ in range(16):
    quarters.append(q.label)
    q = q.previous()
jurisdictions = set(r.jurisdictions.codes)
reporters = [
    x for x in r.regions if x.level in ("city", "county", "town") or x.code in jurisdictions
]
codes = sorted({x.code for x in reporters if x.valid_on(last.end)})
scope = ui.scope_codes(user.upload_scope) if user is not None and user.upload_scope else None
if scope is not None:
    codes = [c for c in codes if c in scope]
names = {x.code: x.name for x in r.regions}
default_region = ui.choice_param("region", codes, "440100", lang)
c1, c2 = st.columns(2)
region = c1.selectbox(
    t("upload.region", lang),
    codes,
    index=codes.index(default_region) if default_region in codes else 0,
    format_func=lambda c: f"{names.get(c, c)} {c}",
    key="upload_region",
)
period = c2.selectbox(t("upload.quarter", lang), quarters, key="upload_quarter")
ui.set_param("region", region)

d1, d2 = st.columns(2)
d1.download_button(
    t("upload.template", lang),
    data=ui.template_bytes(region, period, ".xlsx"),
    file_name=f"{names.get(region, region)}-{period}-上报模板.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)
d2.download_button(
    t("upload.template_csv", lang),
    data=ui.template_bytes(region, period, ".csv"),
    file_name=f"{names.get(region, region)}-{period}-上报模板.csv",
    mime="text/csv",
    icon=":material/download:",
)

locks = ui.locks()
if period in locks:
    by, at = locks[period]
    st.warning(t("upload.locked", lang, period=period, by=by, at=f"{at:%Y-%m-%d}"))
if user is None:
    st.info(t("upload.login", lang))
elif not user.can_upload:
    st.info(t("upload.planner", lang))
uploaded = (
    st.file_uploader(t("upload.file", lang), type=["xlsx", "csv"], key="upload_file")
    if user is not None and user.can_upload
    else None
)
if uploaded is not None and user is not None:
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    state = st.session_state.setdefault("uploads", {})
    account, file_name = user, uploaded.name

    def load(*, dry_run: bool) -> object:
        """The one load path, as the logged-in account, with a progress bar."""
        bar = st.progress(0.0, text=t("upload.checking", lang))
        result = ui.load_upload(
            data,
            file_name,
            user=account,
            region=region,
            dry_run=dry_run,
            progress=lambda f, text: bar.progress(f, text=text),
        )
        bar.empty()
        return result

    key = f"{digest}:{region}"
    if key not in state:
        state[key] = load(dry_run=True)
    result = state[key]
    st.subheader(t("upload.issues", lang))
    errors = [i for i in result.issues if i.severity == "error"]
    warnings = [i for i in result.issues if i.severity == "warning"]
    if result.issues:
        ui.table(
            [
                {
                    t("col.row", lang): i.row,
                    t("col.column", lang): i.column,
                    t("col.severity", lang): t(f"severity.{i.severity}", lang),
                    t("col.message", lang): i.message(lang),
                    t("col.fix", lang): i.fix(lang),
                    t("col.rule", lang): i.rule,
                }
                for i in result.issues
            ],
            "issues",
            key="upload_issues",
        )
    if result.status == "rejected":
        st.error(t("upload.rejected", lang, n=len(errors)))
    elif result.status == "already_loaded":
        st.info(t("upload.already", lang, batch=result.already_loaded_batch))
    elif result.status == "committed":
        st.success(t("upload.committed", lang, batch=result.batch_id))
    else:
        if not result.issues:
            st.success(t("upload.ok", lang))
        st.markdown(f"**{t('upload.dry', lang)}**")
        st.write(
            t(
                "upload.counts",
                lang,
                new=result.rows_new,
                changed=result.rows_changed,
                unchanged=result.rows_unchanged,
                rejected=result.rows_rejected,
            )
        )
        confirmed = True
        if warnings:
            st.warning(t("upload.warnings", lang, n=len(warnings)))
            confirmed = st.checkbox(t("upload.confirm", lang), key="upload_confirm")
        if st.button(
            t("upload.commit", lang), type="primary", disabled=not confirmed, key="upload_commit"
        ):
            state[key] = load(dry_run=False)
            st.rerun()

st.subheader(t("upload.history", lang))
ui.table(ui.batch_rows(ui.batches(region), lang), "history")
