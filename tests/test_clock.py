"""The one clock (model/clock.py): Beijing time whatever the server's zone, and pinned in tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from etl.load import Reference, check_file, reference
from model import clock

UPLOADS = Path(__file__).parent / "fixtures" / "uploads"
# 2019-03-31 17:00 UTC is 2019-04-01 01:00 in Beijing: the server's UTC date is still 03-31.
AFTER_BEIJING_MIDNIGHT = dt.datetime(2019, 3, 31, 17, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return reference()


def test_a_pinned_clock_is_beijing_time() -> None:
    with clock.pinned(AFTER_BEIJING_MIDNIGHT):
        assert clock.now() == dt.datetime(2019, 4, 1, 1, 0, tzinfo=clock.BEIJING)
        assert clock.now().utcoffset() == dt.timedelta(hours=8)
        assert clock.today() == dt.date(2019, 4, 1)
        assert clock.utc_now() == dt.datetime(2019, 3, 31, 17, 0)  # naive UTC, as stored
        assert clock.utc_now().tzinfo is None


def test_pinning_takes_any_zone_and_unpins_after() -> None:
    shanghai = dt.datetime(2019, 4, 1, 1, 0, tzinfo=clock.BEIJING)
    with clock.pinned(shanghai):
        assert clock.utc_now() == dt.datetime(2019, 3, 31, 17, 0)
        with clock.pinned(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
            assert clock.today() == dt.date(2030, 1, 1)
        assert clock.today() == dt.date(2019, 4, 1)  # the outer pin again
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)  # running again


def test_a_naive_pin_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"), clock.pinned(dt.datetime(2019, 4, 1)):
        pass


@pytest.mark.parametrize(
    ("utc", "beijing"),
    [
        (dt.datetime(2019, 3, 31, 17, 0), dt.datetime(2019, 4, 1, 1, 0)),
        (dt.datetime(2018, 12, 31, 16, 0), dt.datetime(2019, 1, 1, 0, 0)),  # a new year
        (dt.datetime(2014, 8, 10, 9, 0), dt.datetime(2014, 8, 10, 17, 0)),
    ],
)
def test_to_beijing_shows_stored_utc_eight_hours_later(
    utc: dt.datetime, beijing: dt.datetime
) -> None:
    assert clock.to_beijing(utc) == beijing


def test_a_beijing_day_ends_at_16_00_utc() -> None:
    assert clock.end_of_day_utc(dt.date(2018, 4, 15)) == dt.datetime(2018, 4, 15, 16, 0)
    assert clock.end_of_day_utc(dt.date(2018, 12, 31)) == dt.datetime(2018, 12, 31, 16, 0)
    # the cut-off is the next Beijing midnight, stored as naive UTC
    end = clock.end_of_day_utc(dt.date(2019, 3, 31))
    assert clock.to_beijing(end) == dt.datetime(2019, 4, 1, 0, 0)


def _future_rows(ref: Reference) -> list[tuple[str | None, int | None]]:
    name = "period-future.csv"  # 440100 reports 2018Q4 and 2019Q1
    issues, rows, _, _ = check_file((UPLOADS / name).read_bytes(), name, db=None, ref=ref)
    assert rows is not None or issues
    return [(i.rule, i.row) for i in issues]


def test_the_future_period_rule_uses_the_beijing_date_on_a_utc_server(ref: Reference) -> None:
    # The server's UTC date is 2019-03-31 (2019Q1's last day), but in Beijing it is already
    # 2019-04-01: 2019Q1 has ended and is accepted.  (The old date.today() said "future".)
    with clock.pinned(AFTER_BEIJING_MIDNIGHT):
        assert _future_rows(ref) == []
    # an hour before Beijing midnight (15:00 UTC = 23:00 Beijing on 03-31) it has not ended
    with clock.pinned(dt.datetime(2019, 3, 31, 15, 0, tzinfo=dt.UTC)):
        assert _future_rows(ref) == [("period-future", 3)]
