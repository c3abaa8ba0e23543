"""The one clock: Beijing time, whatever the server's time zone.

The dashboard is used in China, so "today" is the date in Beijing (``Asia/Shanghai``), not the
server's local date: on a UTC server the two differ from 16:00 to 24:00 UTC.  The warehouse
stores every timestamp as naive UTC (:func:`utc_now`); :func:`to_beijing` turns one back into
Beijing wall-clock time for display, and :func:`end_of_day_utc` gives the stored-UTC instant at
which a Beijing day ends (the as-of cut-off).

Tests pin the clock with :func:`pinned`; every "now" and "today" in the code comes from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

_pinned: dt.datetime | None = None  # aware; set only by pinned()


def now() -> dt.datetime:
    """The current moment, aware, in Beijing time."""
    moment = _pinned if _pinned is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(BEIJING)


def utc_now() -> dt.datetime:
    """The current moment as the warehouse stores it: naive UTC."""
    return now().astimezone(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in Beijing."""
    return now().date()


def to_beijing(utc_naive: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) timestamp as naive Beijing wall-clock time, for display."""
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(BEIJING).replace(tzinfo=None)


def end_of_day_utc(day: dt.date) -> dt.datetime:
    """The end of ``day`` in Beijing time, as the naive UTC timestamp the warehouse stores."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


@contextmanager
def pinned(moment: dt.datetime) -> Iterator[None]:
    """Stop the clock at ``moment`` (aware, any zone) inside the ``with`` block: for tests."""
    global _pinned
    if moment.tzinfo is None:
        raise ValueError("pin the clock to an aware datetime, e.g. tzinfo=datetime.UTC")
    before, _pinned = _pinned, moment
    try:
        yield
    finally:
        _pinned = before
