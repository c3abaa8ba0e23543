"""Quarter ordinal arithmetic (model/periods.py): the one way to count quarters."""

from __future__ import annotations

import pytest

from model.periods import Quarter


@pytest.mark.parametrize(
    ("quarter", "ordinal"),
    [(Quarter(2011, 1), 8044), (Quarter(2014, 2), 8057), (Quarter(2015, 4), 8063)],
)
def test_ordinals_are_year_times_four_plus_quarter_minus_one(
    quarter: Quarter, ordinal: int
) -> None:
    assert quarter.ordinal == ordinal
    assert Quarter.from_ordinal(ordinal) == quarter


def test_ordinals_round_trip_and_count_across_year_ends() -> None:
    quarters = [Quarter(y, q) for y in range(2009, 2022) for q in (1, 2, 3, 4)]
    ordinals = [q.ordinal for q in quarters]
    assert ordinals == list(range(ordinals[0], ordinals[0] + len(quarters)))  # no gaps
    assert [Quarter.from_ordinal(n) for n in ordinals] == quarters


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (Quarter(2018, 4), 1, Quarter(2019, 1)),
        (Quarter(2019, 1), -1, Quarter(2018, 4)),
        (Quarter(2018, 3), 6, Quarter(2020, 1)),
        (Quarter(2020, 1), -9, Quarter(2017, 4)),
        (Quarter(2014, 2), 0, Quarter(2014, 2)),
    ],
)
def test_adding_quarters(start: Quarter, n: int, expected: Quarter) -> None:
    assert start + n == expected
    assert expected - n == start
    assert expected - start == n


def test_next_and_previous_cross_the_year() -> None:
    assert Quarter(2018, 4).next() == Quarter(2019, 1)
    assert Quarter(2019, 1).previous() == Quarter(2018, 4)
    assert Quarter(2019, 2).next().previous() == Quarter(2019, 2)


def test_the_distance_between_quarters_is_signed() -> None:
    assert Quarter(2015, 4) - Quarter(2011, 1) == 19  # a five-year plan: 20 quarters, 19 steps
    assert Quarter(2011, 1) - Quarter(2015, 4) == -19
