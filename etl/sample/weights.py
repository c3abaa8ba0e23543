"""The sample's fixed numbers and arithmetic: region weights, seasons, steps, apportionment.

A goal on a whole jurisdiction is split over its reporters by a fixed weight per region (广州 and
深圳 large, 云浮 small); integers are apportioned by largest remainder, so the parts add up
exactly.  Values are snapped to the step of their unit (元 in 10,000s, % in tenths, working
days in halves).  Also the types the generator passes around (``Key``, ``Reporters``,
``Window``) and ``_Period``, one stretch a goal is judged on.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from model.periods import Quarter
from model.regions import Region

_SEASON = {1: 0.8, 2: 1.0, 3: 1.0, 4: 1.25}  # Q4 busiest, Q1 (春节) quietest
_EVENTS = ("expo9_", "sme_service_excellent_", "platforms_awarded_excellent", "platform_assessment")
# Guangdong's cities (佛山 without 顺德, which reports beside the cities), then Qingdao's districts;
# every other region gets a fixed weight from its code.
_WEIGHTS = """440100:14 440300:14 441900:7 440600:6 442000:4 441300:4 440400:3 440500:3 440700:3
    440606:3 440800:2.5 440900:2.5 441200:2 445200:2 440200:1.5 441400:1.5 441800:1.5 441600:1.2
    441700:1.2 445100:1.2 441500:1 445300:0.8 370211:5 370202:3 370203:3 370212:3 370214:3
    370215:3 370282:3 370281:3 370213:2 370283:2 370285:1.5"""
_WEIGHT = {code: float(w) for code, w in (pair.split(":") for pair in _WEIGHTS.split())}
# A flow's yearly magnitude (元, 家, 人次 … a year) where a jurisdiction gives none in its
# ``sample_yearly`` (data/jurisdictions.yaml): denominators no goal drives, and relational pairs.
_BASE_YEARLY, _RELATIONAL_YEARLY = 1000.0, 1.0e11
_NOTE_DIP = "季末口径调整（个别单位退出统计），下季度恢复"
Key = tuple[str, str, Quarter]
Reporters = dict[Quarter, list[Region]]
Window = tuple[dt.date, dt.date, float]


def _weight(region: Region) -> float:
    return _WEIGHT.get(region.code, 0.5 + zlib.crc32(region.code.encode()) % 1000 / 1000)


def _step(unit: str) -> float:
    return {"元": 10000.0, "%": 0.1, "工作日": 0.5}.get(unit, 1.0)


def _snap(x: float, step: float, how: str = "round") -> float:
    """``x`` as a multiple of ``step`` (never negative), rounded, floored or ceiled."""
    k = x / step
    n = {"floor": math.floor(k + 1e-9), "ceil": math.ceil(k - 1e-9)}.get(how, round(k))
    return round(max(n, 0) * step, 4)


def _apportion(total: float, weights: Sequence[float], step: float) -> list[float]:
    """Split ``total`` into multiples of ``step`` by largest remainder: the parts add up exactly."""
    units, wsum = round(total / step), sum(weights)
    if units <= 0 or wsum <= 0:
        return [0.0] * len(weights)
    raw = [units * w / wsum for w in weights]
    parts = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))[: units - sum(parts)]:
        parts[i] += 1
    return [round(p * step, 4) for p in parts]


def _overlap(q: Quarter, start: dt.date, end: dt.date) -> float:
    days = (min(q.end, end) - max(q.start, start)).days + 1
    return max(days, 0) / ((q.end - q.start).days + 1)


def _codes(reporters: Reporters) -> list[str]:
    return sorted({r.code for rs in reporters.values() for r in rs})


def _cells(reporters: Reporters) -> list[tuple[Quarter, str]]:
    return [(q, r.code) for q, rs in reporters.items() for r in rs]


@dataclass(frozen=True)
class _Period:
    """One stretch a goal is judged on, and the ratio of actual to goal the sample gives it."""

    start: dt.date
    end: dt.date
    ratio: float
    catch_up: bool = False  # the year after a late goal's deadline
