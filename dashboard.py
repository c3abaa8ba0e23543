"""目标监测 Target Monitor — the Streamlit entry point (``make run``)."""

from __future__ import annotations

import streamlit as st

from target_monitor import paths
from target_monitor.i18n import Lang, t
from warehouse import service

st.set_page_config(page_title=t("app.title"), page_icon=":material/monitoring:", layout="wide")

lang: Lang = "en" if st.query_params.get("lang") == "en" else "zh"

pages = [
    st.Page(
        "pages/catalogue.py",
        title=t("nav.catalogue", lang),
        icon=":material/menu_book:",
        url_path="catalogue",
        default=True,
    ),
]
navigation = st.navigation(pages)
with st.sidebar:
    st.caption(t("app.subtitle", lang))
    choice = st.radio(
        t("lang.label", lang),
        options=["zh", "en"],
        format_func=lambda code: "中文" if code == "zh" else "English",
        index=0 if lang == "zh" else 1,
        horizontal=True,
        key="lang",
    )
    if choice != lang:
        st.query_params["lang"] = choice
        st.rerun()
# The warehouse in use: the embedded default, unless a test or an admin points elsewhere.
db = st.session_state.setdefault("db_path", paths.DEFAULT_DB)
if service.is_sample(db):
    st.warning(t("banner.sample", lang), icon=":material/science:")
navigation.run()
