"""Reporting periods: quarters, years and plan windows.

A file may spell a quarter many ways (``2018Q3``, ``2018-Q3``, ``2018年第三季度``, the quarter's
last day ``2018-09-30``); :func:`parse_quarter` normalises them all to ``2018Q3`` or says why it
cannot.
A spelling that could mean more than one quarter (``2018-09``, ``2018``, ``2018年上半年``) is
rejected rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import overload

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        month, day = QUARTER_END[self.quarter]
        return dt.date(self.year, month, day)

    def label_zh(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    @property
    def ordinal(self) -> int:
        """The quarter as a count, ``year * 4 + quarter - 1`` (2014Q2 is 8057): the quarter after
        ``n`` is ``n + 1``, across year ends too.  The judgement works in ordinals."""
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_ordinal(cls, n: int) -> Quarter:
        return cls(n // 4, n % 4 + 1)

    def __add__(self, n: int) -> Quarter:
        """The quarter ``n`` quarters later (earlier when ``n`` is negative)."""
        return Quarter.from_ordinal(self.ordinal + n)

    @overload
    def __sub__(self, other: int) -> Quarter: ...
    @overload
    def __sub__(self, other: Quarter) -> int: ...
    def __sub__(self, other: int | Quarter) -> Quarter | int:
        """``q - n``: the quarter ``n`` earlier; ``q - p``: the quarters from ``p`` to ``q``."""
        if isinstance(other, Quarter):
            return self.ordinal - other.ordinal
        return self + -other

    def previous(self) -> Quarter:
        return self - 1

    def next(self) -> Quarter:
        return self + 1

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, label: str) -> Quarter:
        """Parse the canonical ``2018Q3`` form (raise ValueError otherwise)."""
        match = re.fullmatch(r"(\d{4})Q([1-4])", label)
        if not match:
            raise ValueError(f"not a quarter label: {label!r}")
        return cls(int(match[1]), int(match[2]))


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    out: list[Quarter] = []
    q = first
    while q <= last:
        out.append(q)
        q = q.next()
    return out


@dataclass(frozen=True)
class PeriodProblem:
    """Why a period spelling was not accepted: the rule it breaks.  The message and the fix a
    user sees are the rule's, in ``model/issues.py``."""

    rule: str


_PATTERNS = [
    re.compile(r"(?P<y>\d{4})\s*[-/ _.]?\s*Q(?P<q>[1-4])", re.IGNORECASE),
    re.compile(r"(?P<y>\d{4})\s*年?\s*第?\s*(?P<q>[一二三四1-4])\s*季度?"),
    re.compile(r"(?P<y>\d{4})\s*[-/ ]?\s*(?P<q>[1-4])\s*Q", re.IGNORECASE),
]
_DATE = re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?")
_DATETIME_SUFFIX = re.compile(r"[ T]00:00(:00(\.0+)?)?$")
_AMBIGUOUS = [
    re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*月?"),  # a month
    re.compile(r"\d{4}\s*年?"),  # a whole year
    re.compile(r"\d{4}\s*年?\s*[上下]半年"),  # a half year
    re.compile(r"\d{2}\s*[-/ ]?\s*Q[1-4]", re.IGNORECASE),  # a two-digit year
]


def parse_quarter(raw: str) -> Quarter | PeriodProblem:
    """Normalise one spelling of a quarter, or say why it is not accepted."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _DATETIME_SUFFIX.sub("", text)
    if not text:
        return PeriodProblem("period-missing")
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return Quarter(int(match["y"]), CN_DIGITS[match["q"]])
    match = _DATE.fullmatch(text)
    if match:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return PeriodProblem("period-invalid")  # not a date
        quarter = Quarter.of(date)
        if date != quarter.end:
            return PeriodProblem("period-ambiguous")  # not a quarter's last day
        return quarter
    if any(pattern.fullmatch(text) for pattern in _AMBIGUOUS):
        return PeriodProblem("period-ambiguous")
    return PeriodProblem("period-invalid")
