"""目标监测 Target Monitor — the Streamlit entry point (``make run``, or ``streamlit run
dashboard.py``: on a fresh checkout the first start builds the sample warehouse)."""

from __future__ import annotations

import datetime as dt

# Imported eagerly, before any page draws a chart: Altair looks pandas up in ``sys.modules``, and
# on a cold server a second session's script thread could otherwise see a half-imported pandas
# ("partially initialized module 'pandas'").  An ``import`` waits for another thread's import of
# the same module to finish; a ``sys.modules`` lookup does not.
import altair  # noqa: F401
import pandas  # type: ignore[import-untyped]  # noqa: F401
import streamlit as st

from target_monitor import ui
from target_monitor.i18n import t
from warehouse.connect import is_writable

st.set_page_config(page_title=t("app.title"), page_icon=":material/monitoring:", layout="wide")

lang = ui.lang()
PAGES = [
    ("pages/overview.py", "nav.overview", ":material/dashboard:", "overview"),
    ("pages/goal.py", "nav.goal", ":material/flag:", "goal"),
    ("pages/regions.py", "nav.regions", ":material/map:", "regions"),
    ("pages/years.py", "nav.years", ":material/calendar_month:", "years"),
    ("pages/catalogue.py", "nav.catalogue", ":material/menu_book:", "catalogue"),
    ("pages/reporting.py", "nav.reporting", ":material/fact_check:", "reporting"),
    ("pages/upload.py", "nav.upload", ":material/upload_file:", "upload"),
    ("pages/admin.py", "nav.admin", ":material/admin_panel_settings:", "admin"),
]
pages = {
    url: st.Page(path, title=t(key, lang), icon=icon, url_path=url)
    for path, key, icon, url in PAGES
}


def _home() -> None:
    """``/`` opens the overview, so that ``/overview`` is a real address too."""
    st.switch_page(pages["overview"], query_params=st.query_params.to_dict())


home = st.Page(
    _home, title=t("nav.overview", lang), url_path="home", default=True, visibility="hidden"
)
navigation = st.navigation([home, *pages.values()])
# A deep link opened before any session ran this script is served as the page alone; the page
# sends it back here with ``goto`` (see ``ui.shell``), and it continues to the page it asked for.
st.session_state["_shell"] = True
goto = st.query_params.get("goto")
if goto in pages:
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "goto"}
    st.switch_page(pages[goto], query_params=params)

# The error boundary: below this line a storage or input error is one line saying what to do.
with ui.boundary():
    ui.first_start(lang)
    ui.check_warehouse()  # missing, not DuckDB, not initialised: say so, create nothing
    ui.check_url(lang)
    with st.sidebar:
        st.markdown(f"### {t('app.title', lang)}")
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
        chosen = st.date_input(
            t("asof.label", lang),
            value=ui.as_of(),
            min_value=ui.AS_OF_MIN,
            max_value=ui.as_of_max(),  # ui.as_of() is clamped into this range
            help=t("asof.help", lang),
            key="as_of_input",
        )
        if isinstance(chosen, dt.date) and chosen != ui.as_of():
            st.query_params["as_of"] = chosen.isoformat()
            st.rerun()
        known, was_pinned = ui.known_on(), ui.known_on_pinned()
        with st.expander(t("knownon.expander", lang), expanded=was_pinned):
            pinned = st.toggle(t("knownon.toggle", lang), value=was_pinned, key="known_on_on")
            if pinned:
                picked = st.date_input(
                    t("knownon.label", lang),
                    value=min(known or ui.as_of(), ui.today()),
                    min_value=ui.AS_OF_MIN,
                    max_value=ui.today(),
                    help=t("knownon.help", lang),
                    key="known_on_input",
                )
                if isinstance(picked, dt.date) and (not was_pinned or picked != known):
                    st.query_params["known_on"] = picked.isoformat()
                    st.rerun()
            elif was_pinned:
                del st.query_params["known_on"]
                st.rerun()
            else:
                st.caption(t("knownon.now", lang))
        ui.login_box(lang)

    if ui.is_sample(str(ui.db()), ui.version()):
        st.warning(t("banner.sample", lang), icon=":material/science:")
    if not is_writable(ui.db()):
        st.info(t("readonly.notice", lang), icon=":material/lock:")
    navigation.run()
