"""Accounts in the app: the logged-in user (re-read on every run, cached on the data version,
logged out if disabled) and the sidebar's login box, whose refusals tell the truth about the
throttle (:mod:`warehouse.throttle`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from model import clock
from service import api as service
from target_monitor.i18n import Lang, t
from target_monitor.ui_state import Version, db, is_sample, version
from warehouse.accounts import MAX_PASSWORD, LoginResult, User
from warehouse.throttle import Attempts
from warehouse.throttle import policy as login_policy


@st.cache_data(show_spinner=False, max_entries=256)
def _account(db_path: str, version: Version, username: str) -> User | None:
    del version  # part of the key: every account change moves the data version
    return service.user(Path(db_path), username)


def current_user() -> User | None:
    """The logged-in account as the warehouse has it now.  The session keeps only the username;
    the account (active, role, region) is re-read at every script run, cached only until the
    data version moves, which every account change does.  A disabled (or vanished) account is
    logged out here, and the login box says why."""
    username = st.session_state.get("user")
    if not isinstance(username, str):
        return None
    user = _account(str(db()), version(), username)
    if user is None or not user.active:
        del st.session_state["user"]
        st.session_state["login_notice"] = "login.disabled"
        return None
    return user


def _duration(span: dt.timedelta, language: Lang) -> str:
    seconds = round(span.total_seconds())
    if seconds >= 60 and seconds % 60 == 0:
        return t("duration.minutes", language, n=seconds // 60)
    return t("duration.seconds", language, n=seconds)


def _login_refusal(result: LoginResult, language: Lang) -> str:
    """What the login box says about a refused login: the truth about the throttle too."""
    if result.outcome == "invalid":
        return t("login.invalid", language)
    if result.outcome == "locked" and result.locked_until is not None:
        until = clock.to_beijing(result.locked_until)  # stored as UTC, shown in Beijing
        return t("login.locked", language, until=f"{until:%H:%M:%S}")
    text = t("login.failed", language)
    if result.remaining is not None:
        lockout = _duration(login_policy().lockout, language)
        text += t("login.left", language, n=result.remaining, duration=lockout)
    return text


def login_box(language: Lang) -> None:
    """The sidebar's login form (or who is logged in, with a logout button).  Logins are
    throttled per username and per session (:mod:`warehouse.throttle`); the session's counter
    lives in the session state."""
    user = current_user()
    notice = st.session_state.get("login_notice")  # why the session was logged out, until the
    if user is not None:  # next login attempt
        role = t(f"role.{user.role}", language)
        st.caption(t("login.as", language, name=user.display_name, role=role))
        if st.button(t("login.out", language), key="logout"):
            del st.session_state["user"]
            st.rerun()
        return
    with st.form("login", border=True):
        st.markdown(f"**{t('login.title', language)}**")
        if notice:
            st.warning(t(notice, language))
        username = st.text_input(t("login.user", language), key="login_user", max_chars=64)
        password = st.text_input(
            t("login.password", language), type="password", key="login_pw", max_chars=MAX_PASSWORD
        )
        if st.form_submit_button(t("login.submit", language)):
            st.session_state.pop("login_notice", None)
            attempts = st.session_state.get("login_attempts")
            with st.spinner(t("login.checking", language)):
                result = service.login(
                    db(),
                    username,
                    password,
                    session=attempts if isinstance(attempts, Attempts) else None,
                )
            st.session_state["login_attempts"] = result.session
            if result.user is not None:
                st.session_state["user"] = result.user.username
                st.rerun()
            st.error(_login_refusal(result, language))
    if is_sample(str(db()), version()):
        st.caption(t("login.demo", language))
