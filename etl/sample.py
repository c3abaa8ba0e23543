"""The bundled sample of quarterly reports: deterministic, plausible, with a mix of outcomes.

The dashboard starts on this sample until real uploads replace it.  *Who* reports *what* and
*when* comes from :mod:`model.reporting` (a region reports an indicator in a quarter while a goal on
it is live); this module only decides the numbers, one goal at a time, from its scenario:

==================  ===========================================================================
scenario            what the reports show
==================  ===========================================================================
achieved_on_time    106-125 % of the goal by the deadline
achieved_late       86-95 % at the deadline; reports go on for a year and pass the goal
on_track            reports stop at 60 % of the window (the latest data), ahead of the path
at_risk             as on_track, but 85-93 % of the path (yearly goals: the current year lags)
off_track           as on_track, but 50-70 % of the path
missed              70-90 % at the deadline; yearly goals: one year falls short; goals on each
                    unit: about a fifth of the units fall short
unreported          a few bureaus stop reporting; the goals in ``SILENT`` get no report at all
==================  ===========================================================================

A goal on a whole jurisdiction is split over its reporters by a fixed weight per region (广州 and
深圳 large, 云浮 small) with noise; integers are apportioned by largest remainder, so the parts add
up exactly.  Flows are per-quarter counts; stocks are quarter-end levels that never fall (except a
rare one-quarter correction, which carries a note).  Ratios are never reported: their numerator
and denominator are, numerator <= denominator.  Milestones (unit 项, stock) are 0/1.

Every deadline in the catalogue falls on or before 2020Q4, so a goal "in progress" is in progress
as of its latest report: a status engine should project from the last reported quarter.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions, bundled
from model.kinds import KINDS, LOWER_IS_BETTER
from model.periods import Quarter, quarters_between
from model.regions import Region
from model.reporting import (
    ReportingRule,
    applicable_indicators,
    jurisdiction_of,
    reporter_levels,
    reporting_rules,
)

SAMPLE_SEED = 20121108
FIRST_QUARTER, LAST_QUARTER = Quarter(2011, 1), Quarter(2020, 4)
SCHEMA = {
    "region_code": pl.String,
    "indicator": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "note": pl.String,
}
_GROUPS = {  # scenario → the goals given it (target ids, blank-separated)
    "achieved_on_time": """gd624-national-platform-hub-2015 gd624-demo-platforms-provincial-2015
    gd624-innovation-capacity-bases-2015 gd624-procurement-sme-share gd624-ipo-reserve-pool-2015
    gd624-executive-training-yearly gd624-implementation-report-2012
    gd2012act-national-platform-projects-2012 gd2012act-platform-person-times-2012
    gd2012act-startup-bases-2012 gd2012act-tech-demo-platforms-2012
    gd2012act-service-promotion-activities-2012 gd2012act-city-service-activities-2012
    gd2012act-joint-service-days-2012 gd2012act-expo9-gd-smes-2012 gd2012act-expo9-area-2012
    gd2012act-expo9-booths-2012 gd2012act-director-training-class-2012
    gd2012act-county-leader-training-class-2012 gd2012act-ms-service-system-opinion-2012-04
    gd2012act-ms-expo9-held-2012-09 gd2012act-ms-demo-platform-batch-2012-08
    gd2012act-ms-policy-summary-2012-06 gd2012act-ms-contacts-2012-04-30
    gdcentre-city-coverage-2017 gdcentre-providers-2018 gdcentre-prov-centre-floor-area
    gdcentre-prov-centre-staff gdcentre-city-centre-floor-area gdcentre-annual-sme-report
    gdtown-platforms-per-town-2013 gdtown-tech-sme-innovation-fund-2012-2014
    gdtown-top20-platform-awards-yearly qd46-procurement-small-micro-share
    qd46-registration-days qd46-small-micro-loan-growth qd46-small-micro-loan-increment
    qd46-zjtx-upgrade-100""",
    "achieved_late": """gd624-national-platform-windows-2015 gd624-ipo-counselling-2015
    gd624-it-pairing-benchmark-firms-2015 gd2012act-window-platform-selection-2012
    gd2012act-guanghuo-activities-2012 gd2012act-ms-service-hall-2012-09
    gd2012act-ms-annual-report-2012-12-30 gd2012act-village-bank-coverage-2015
    gdcentre-coverage-2018 qd46-credit-guarantee-deposit qd46-incubator-area-2017""",
    "on_track": """gd624-tech-demo-platforms-2015 gd624-high-growth-firms-2015
    gd624-it-pairing-demo-projects-2015 gd2012act-startup-bases-5yr
    gd2012act-backbone-exec-training-5yr gdcentre-providers-2020 gdtown-platforms-per-town-2015
    qd46-startup-small-micro-10000""",
    "at_risk": """gd624-industrialisation-bases-2015 gd624-it-pairing-intermediaries-2015
    gd624-ipo-filing-2015 gd624-overseas-training-yearly gdcentre-enterprise-visits-2020
    qd46-high-growth-small-firms-1000""",
    "off_track": """gd624-it-pairing-service-providers-2015 gd624-excellent-workers-biennial
    gd2012act-collective-notes-2012 gd2012act-policy-tour-cities-2012
    gdtown-platform-coverage-2013 gdtown-platform-qualified-staff-share
    gdcentre-prov-centre-professional-share""",
    "missed": """gd624-excellent-units-biennial gd624-procurement-small-micro-share
    gd2012act-innovation-demo-bases-2012 gd2012act-county-service-activities-2012
    gd2012act-expo9-exhibitors-2012 gd2012act-service-system-pilots-2012
    gd2012act-ms-policy-summary-2012-12 gd2012act-ms-h1-report-2012-06-30
    gd2012act-ms-service-year-launch-2012-04 gdcentre-city-centre-staff
    gdcentre-annual-evaluation gdcentre-enterprise-visits-2018
    gdtown-platform-registration-3days qd46-procurement-sme-share
    qd46-registration-days-green-channel""",
    "unreported": """gd2012act-policy-tour-bases-2012 gdtown-platform-assessment-yearly
    qd46-credit-info-updates gdcentre-city-centre-professional-share
    gdtown-smes-served-per-platform""",
}
SCENARIOS: dict[str, str] = {t: s for s, ids in _GROUPS.items() for t in ids.split()}
SILENT = frozenset(  # 'unreported' goals that get no report at all from the regions that owe them
    [
        "gd2012act-policy-tour-bases-2012",
        "gdtown-platform-assessment-yearly",
        "qd46-credit-info-updates",
    ]
)
_RATIO = {  # actual ÷ goal at the deadline (in progress: at the cut-off, against the linear path)
    "achieved_on_time": (1.06, 1.25),
    "achieved_late": (0.86, 0.95),
    "on_track": (1.12, 1.3),
    "at_risk": (0.85, 0.93),
    "off_track": (0.5, 0.7),
    "missed": (0.7, 0.9),
    "unreported": (1.02, 1.12),
}
_IN_PROGRESS = ("on_track", "at_risk", "off_track")
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


def scenario_of(target_id: str) -> str:
    """The scenario of a goal; one missing from :data:`SCENARIOS` gets a fixed one by its id."""
    if target_id in SCENARIOS:
        return SCENARIOS[target_id]
    return list(_RATIO)[zlib.crc32(target_id.encode()) % 6]


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


class _Sample:
    def __init__(
        self,
        catalogue: Catalogue,
        regions: Sequence[Region],
        seed: int,
        last: Quarter,
        jurisdictions: Jurisdictions,
    ):
        self.cat, self.seed, self.known = catalogue, seed, jurisdictions
        self.timeline = quarters_between(FIRST_QUARTER, last)
        self.jur = jurisdiction_of(regions, jurisdictions)
        self.rules = [live for r in reporting_rules(catalogue) if (live := self._live(r))]
        self.cells: dict[str, Reporters] = defaultdict(dict)  # indicator → quarter → reporters
        ordered = sorted(regions, key=lambda r: (r.code, r.valid_from or dt.date.min))
        for q in self.timeline:
            for region in (r for r in ordered if r.valid_on(q.end)):
                window = (q.start, q.end)
                for key in applicable_indicators(region, self.rules, self.jur, within=window):
                    self.cells[key].setdefault(q, []).append(region)
        self.counties: dict[str, list[Region]] = defaultdict(list)
        for r in regions:
            if r.level == "county" and r.parent_code and not r.province_administered:
                self.counties[r.parent_code].append(r)
        self.values: dict[Key, float] = {}
        self.notes: dict[Key, str] = {}

    def rng(self, *parts: str) -> random.Random:
        return random.Random(f"{self.seed}|" + "|".join(parts))

    def _cut(self, t: Target) -> dt.date | None:
        """Where the reports of a goal in progress stop: 60 % into its window."""
        if scenario_of(t.id) not in _IN_PROGRESS:
            return None
        return Quarter.of(t.start + (t.deadline - t.start) * 0.6).end

    def _live(self, rule: ReportingRule) -> ReportingRule | None:
        """The rule as the sample follows it: silent goals go, late ones run a year longer."""
        if rule.target_id in SILENT:
            return None
        if scenario_of(rule.target_id) == "achieved_late":
            return replace(rule, deadline=rule.deadline + dt.timedelta(days=365))
        return replace(rule, deadline=self._cut(self.cat.target(rule.target_id)) or rule.deadline)

    def periods(self, t: Target, rng: random.Random) -> list[_Period]:
        """The stretches a goal is judged on (each year for yearly goals), each with a ratio."""
        years = {"yearly": 1, "biennial": 2}.get(t.recurrence)
        spans = [(t.start, t.deadline)]
        if years:
            spans = [
                (max(t.start, dt.date(y, 1, 1)), min(t.deadline, dt.date(y + years - 1, 12, 31)))
                for y in range(t.start.year, t.deadline.year + 1, years)
            ]
        scenario, cut, failing = scenario_of(t.id), self._cut(t), rng.randrange(len(spans))
        out = []
        for i, (start, end) in enumerate(spans):
            s = "achieved_on_time" if scenario == "missed" and i != failing else scenario
            if cut is not None and end < cut:  # a year already over when the data stop
                s = "missed" if s == "off_track" else "achieved_on_time"
            out.append(_Period(start, end, rng.uniform(*_RATIO[s])))
        if scenario == "achieved_late":
            after = t.deadline + dt.timedelta(days=1)
            late = rng.uniform(1.04, 1.12)
            out.append(_Period(after, after + dt.timedelta(days=364), late, catch_up=True))
        return out

    def amount(self, t: Target, ratio: float, step: float, rng: random.Random) -> float:
        """The actual that meets (ratio >= 1) or falls short of the goal, in multiples of step."""
        if t.min is not None and t.max is not None:
            inside = _snap(t.min + rng.random() * (t.max - t.min), step)
            return inside if ratio >= 1 else max(t.min - step, 0.0)
        goal = float(t.value or 0)
        if ratio >= 1:
            return max(_snap(goal * ratio, step), goal + (step if t.comparator == ">" else 0))
        return max(min(_snap(goal * ratio, step), _snap(goal, step, "ceil") - step), 0.0)

    def unit_level(self, t: Target, ok: bool, step: float, rng: random.Random, w: float) -> float:
        """One unit's level (or yearly flow) that meets the goal or falls short of it."""
        indicator = self.cat.indicator(t.indicator)
        if indicator.unit == "项" and indicator.measure == "stock":
            return 1.0 if ok else 0.0
        if t.min is not None and t.max is not None:
            return self.amount(t, 1.0 if ok else 0.0, step, rng)
        goal = float(t.value or 0)
        if ok:
            return max(_snap(goal * rng.uniform(1.0, 1.4) * (1 + 0.03 * w), step, "ceil"), goal)
        low = 0.0 if indicator.measure == "flow" else 0.5
        return min(_snap(goal * rng.uniform(low, 0.95), step, "floor"), goal - step)

    def failing(self, codes: list[str], p: _Period, t: Target, rng: random.Random) -> set[str]:
        """The units that fall short in a period: none, a fifth, or (off track) two fifths."""
        if p.ratio >= 1 or not codes:
            return set()
        share = 0.4 if scenario_of(t.id) == "off_track" else 0.2
        return set(rng.sample(codes, max(1, round(share * len(codes)))))

    def reporters(self, key: str, t: Target) -> Reporters:
        """Who reports ``key`` for goal ``t`` in each quarter (its jurisdiction, its levels)."""
        levels = set(t.reported_by)
        out: Reporters = {}
        for q, regions in sorted(self.cells.get(key, {}).items()):
            mine = [r for r in regions if self.jur.get(r.code) == t.scope.jurisdiction]
            if chosen := [r for r in mine if reporter_levels(r) & levels]:
                out[q] = chosen
        return out

    def spread(
        self, windows: list[Window], step: float, event: bool, rng: random.Random
    ) -> dict[Quarter, float]:
        """Per-quarter flows: each window's total over its quarters, shortest window first."""
        out: dict[Quarter, float] = {}
        for start, end, total in sorted(windows, key=lambda w: (w[1] - w[0], w[0])):
            inside = [(q, f) for q in self.timeline if (f := _overlap(q, start, end)) > 0]
            free = [(q, f) for q, f in inside if q not in out]
            rest = max(total - sum(out.get(q, 0.0) for q, _ in inside), 0.0)
            weights = [f * _SEASON[q.quarter] * rng.uniform(0.85, 1.15) for q, f in free]
            if event:  # an award or an expo: everything in the window's last quarter
                weights = [float(i == len(free) - 1) for i in range(len(free))]
            out.update(zip([q for q, _ in free], _apportion(rest, weights, step), strict=True))
        return out

    def interpolate(
        self, points: list[tuple[Quarter, float]], step: float, how: str
    ) -> dict[Quarter, float]:
        """A level per quarter, linear between the points (a later point on a quarter wins)."""
        xs = sorted({q.ordinal: v for q, v in sorted(points, key=lambda p: p[0])}.items())
        out: dict[Quarter, float] = {}
        for q in self.timeline:
            n = q.ordinal
            i = bisect.bisect_right([x for x, _ in xs], n)
            value = xs[0][1] if i == 0 else xs[-1][1]
            if 0 < i < len(xs):
                (n0, v0), (n1, v1) = xs[i - 1], xs[i]
                value = v0 + (v1 - v0) * (n - n0) / (n1 - n0)
            out[q] = _snap(value, step, how)
        return out

    def split(
        self, key: str, reporters: Reporters, path: dict[Quarter, float], rng: random.Random
    ) -> None:
        """Split the jurisdiction's flow of each quarter over its reporters by weight."""
        step, event = _step(self.cat.indicator(key).unit), key.startswith(_EVENTS)
        typical = [v for v in path.values() if v > 0]
        mean = sum(typical) / len(typical) if typical else step
        weights = {code: rng.uniform(0.6, 1.4) for code in _codes(reporters)}
        for q, regions in reporters.items():
            total = path.get(q)
            if total is None:  # a quarter no window covers: a typical one
                total = 0.0 if event else _snap(mean * rng.uniform(0.8, 1.2), step)
            noisy = [_weight(r) * weights[r.code] * rng.uniform(0.7, 1.3) for r in regions]
            for r, v in zip(regions, _apportion(total, noisy, step), strict=True):
                self.values[(key, r.code, q)] = v

    def whole_flow(self, key: str, targets: list[Target]) -> None:
        """Goals on a jurisdiction's flow: totals per period, spread over quarters and reporters."""
        step, rng = (
            _step(self.cat.indicator(key).unit),
            self.rng(key, targets[0].scope.jurisdiction),
        )
        windows: list[Window] = []
        for t in targets:
            done = 0.0
            for p in self.periods(t, rng):
                total = self.amount(t, p.ratio, step, rng)
                windows.append((p.start, p.end, total - done if p.catch_up else total))
                done = total
        path = self.spread(windows, step, key.startswith(_EVENTS), rng)
        self.split(key, self.reporters(key, targets[0]), path, rng)

    def whole_stock(self, key: str, targets: list[Target]) -> None:
        """Goals on a jurisdiction's level: a rising path, its increments split over reporters."""
        unit = self.cat.indicator(key).unit
        step, rng = _step(unit), self.rng(key, targets[0].scope.jurisdiction)
        points: list[tuple[Quarter, float]] = []
        for t in sorted(targets, key=lambda t: t.deadline):
            for p in self.periods(t, rng):
                level = max([self.amount(t, p.ratio, step, rng)] + [v for _, v in points])
                points.append((Quarter.of(p.end), level))
        base = _snap(points[0][1] * rng.uniform(0.25, 0.55), step) if points[0][1] > 3 else 0.0
        begin = Quarter.of(min(t.start for t in targets))
        path = self.interpolate([(begin, base), *points], step, "round")
        reporters = self.reporters(key, targets[0])
        weights = {r.code: _weight(r) for rs in reporters.values() for r in rs}
        levels: dict[str, float] = {}
        for q, regions in reporters.items():
            codes = [r.code for r in regions]
            gone = sum(levels.pop(c) for c in list(levels) if c not in codes)
            new = [c for c in codes if c not in levels]
            levels.update(dict.fromkeys(new, 0.0))
            heirs = new or [max(codes, key=lambda c: weights[c])]  # a merged division's successor
            for c, v in zip(
                heirs, _apportion(gone, [weights[c] for c in heirs], step), strict=True
            ):
                levels[c] += v
            rise = max(path[q] - sum(levels.values()), 0.0)
            noisy = [weights[c] * rng.uniform(0.5, 1.5) for c in codes]
            for c, v in zip(codes, _apportion(rise, noisy, step), strict=True):
                levels[c] += v
            for c in codes:
                self.values[(key, c, q)] = levels[c]
                if unit in ("家", "个") and levels[c] >= 10 and rng.random() < 0.01:
                    self.values[(key, c, q)] -= step  # a rare correction, undone next quarter
                    self.notes[(key, c, q)] = _NOTE_DIP

    def unit_series(self, key: str, targets: list[Target]) -> None:
        """Goals on each unit: every reporter gets its own flow or level; some fall short."""
        indicator = self.cat.indicator(key)
        step, rng = _step(indicator.unit), self.rng(key, targets[0].scope.jurisdiction)
        reporters = self.reporters(key, targets[0])
        weights = {r.code: _weight(r) for rs in reporters.values() for r in rs}
        codes = sorted(weights)
        points: dict[str, list[tuple[Quarter, float]]] = {c: [] for c in codes}
        windows: dict[str, list[Window]] = {c: [] for c in codes}
        for t in sorted(targets, key=lambda t: t.deadline):
            for p in self.periods(t, rng):
                failing = self.failing(codes, p, t, rng)
                for c in codes:
                    level = self.unit_level(t, c not in failing, step, rng, weights[c])
                    windows[c].append((p.start, p.end, level))
                    due = (
                        p.start + dt.timedelta(days=rng.randrange(30, 270)) if p.catch_up else p.end
                    )
                    points[c].append((Quarter.of(due), max([level] + [v for _, v in points[c]])))
        begin = Quarter.of(min(t.start for t in targets))
        paths: dict[str, dict[Quarter, float]] = {}
        for c in codes:
            if indicator.measure == "flow":
                paths[c] = self.spread(windows[c], step, key.startswith(_EVENTS), rng)
            else:
                start = _snap(points[c][0][1] * rng.uniform(0.2, 0.6), step, "floor")
                paths[c] = self.interpolate([(begin, start), *points[c]], step, "floor")
        for q, c in _cells(reporters):
            self.values[(key, c, q)] = paths[c].get(q, 0.0)

    def ceiling(self, key: str, targets: list[Target]) -> None:
        """Upper limits (working days): passing units stay at or under the limit all along."""
        t = targets[0]
        step, rng = _step(self.cat.indicator(key).unit), self.rng(key, t.scope.jurisdiction)
        reporters = self.reporters(key, t)
        worst = min(self.periods(t, rng), key=lambda p: p.ratio)  # a unit fails in every year
        failing = self.failing(_codes(reporters), worst, t, rng)
        limit = float(t.value or 0) - (step if t.comparator == "<" else 0.0)
        paths: dict[str, dict[Quarter, float]] = {}
        for c in _codes(reporters):
            bad = c in failing  # over the limit from start to deadline, or within it throughout
            first, last = ((1.4, 2.5), (1.1, 1.5)) if bad else ((0.8, 1.0), (0.4, 0.9))
            points = [
                (Quarter.of(t.start), limit * rng.uniform(*first)),
                (Quarter.of(t.deadline), limit * rng.uniform(*last)),
            ]
            paths[c] = self.interpolate(points, step, "ceil" if bad else "floor")
        for q, c in _cells(reporters):
            self.values[(key, c, q)] = paths[c][q]

    def base(self, key: str, reporters: Reporters, jurisdiction: str) -> None:
        """Denominators no goal drives: procurement budgets, counts of cities, towns, people."""
        if self.cat.indicator(key).measure == "flow":
            step, rng = _step(self.cat.indicator(key).unit), self.rng(key, jurisdiction)
            yearly = self.known.get(jurisdiction).yearly(key, _BASE_YEARLY)
            years = range(self.timeline[0].year, self.timeline[-1].year + 1)
            windows = [
                (dt.date(y, 1, 1), dt.date(y, 12, 31), yearly * 1.08 ** (y - 2012)) for y in years
            ]
            self.split(key, reporters, self.spread(windows, step, False, rng), rng)
            return
        for q, regions in reporters.items():
            for r in regions:
                w = _weight(r)
                value = {
                    "prefecture_cities_total": float(r.level == "city"),  # 顺德 is no city
                    "regions_prov_city_county_total": 1.0
                    + sum(c.valid_on(q.end) for c in self.counties[r.code]),
                    "specialised_towns": float(round(2 + 2.5 * w)),
                    "backbone_execs_total": float(round(40 + 150 * w)),
                }.get(key, float(round(8 + 12 * w)))
                self.values[(key, r.code, q)] = value

    def share(self, t: Target) -> None:
        """A ratio goal: the denominator (if nothing made it yet), then a numerator within it."""
        indicator = self.cat.indicator(t.indicator)
        num, den = str(indicator.numerator), str(indicator.denominator)
        rng, step = self.rng(t.id), _step(self.cat.indicator(num).unit)
        missing = {
            q: [r for r in rs if (den, r.code, q) not in self.values]
            for q, rs in self.reporters(den, t).items()
        }
        self.base(den, missing, t.scope.jurisdiction)
        goal, periods, reporters = (
            float(t.value or 0) / 100,
            self.periods(t, rng),
            self.reporters(num, t),
        )
        each = KINDS[t.kind].sample == "units"
        if self.cat.indicator(den).measure == "stock" and not each:
            self.coverage(t, num, den, goal, periods, rng)
            return
        codes, worst = _codes(reporters), min(periods, key=lambda p: p.ratio)
        failing = self.failing(codes, worst, t, rng) if each else set()
        ups = {
            c: rng.uniform(0.03, 0.2) if c not in failing else -rng.uniform(0.05, 0.25)
            for c in codes
        }
        shares = [{c: goal * p.ratio * rng.uniform(0.92, 1.08) for c in codes} for p in periods]
        for q, c in _cells(reporters):
            d = self.values.get((den, c, q))
            if d is None:
                continue
            if each:  # each unit on its side of the goal, whatever its size
                need = _snap(d * goal, step, "ceil")
                v = _snap(d * min(goal + ups[c], 1.0), step, "floor")
                v = min(d, max(v, need)) if c not in failing else max(min(v, need - step), 0.0)
            else:  # a flow share (procurement): the year's share, city by city
                i = next((i for i, p in enumerate(periods) if _overlap(q, p.start, p.end)), -1)
                v = _snap(d * min(shares[i][c], 1.0), step, "floor")
            self.values[(num, c, q)] = v

    def coverage(
        self, t: Target, num: str, den: str, goal: float, periods: list[_Period], rng: random.Random
    ) -> None:
        """Coverage: each counted unit (a city, a county, a person) is covered from some quarter."""
        dens: dict[str, dict[Quarter, float]] = defaultdict(dict)
        for q, c in _cells(self.reporters(den, t)):
            dens[c][q] = self.values[(den, c, q)]
        units = [c for c in sorted(dens) for _ in range(int(max(dens[c].values())))]
        rng.shuffle(units)
        main = [p for p in periods if not p.catch_up][-1]
        first, due = Quarter.of(t.start).ordinal, Quarter.of(main.end).ordinal
        if main.ratio > 1:  # ahead of the path: everything covered before the deadline
            due = first + math.floor((due - first) / main.ratio)
        n0 = round(min(goal * main.ratio, 1.0) * rng.uniform(0.3, 0.5) * len(units))
        n1 = math.floor(min(goal * main.ratio, 1.0) * len(units) + 1e-9)
        n2 = max(n1, math.floor(min(goal * periods[-1].ratio, 1.0) * len(units) + 1e-9))
        switch: dict[str, list[int]] = defaultdict(list)
        for i, code in enumerate(units[:n2]):
            late = due + rng.randint(1, 3)  # only for a late goal's catch-up year
            switch[code].append(first if i < n0 else rng.randint(first, due) if i < n1 else late)
        for q, c in _cells(self.reporters(num, t)):
            if (d := dens[c].get(q)) is not None:
                self.values[(num, c, q)] = float(min(d, sum(at <= q.ordinal for at in switch[c])))

    def relational(self, t: Target) -> None:
        """Growth against growth (a rate per quarter), or a flow against its value a year before."""
        key, ref = t.indicator, str(t.reference_indicator)
        rng, step = self.rng(t.id), _step(self.cat.indicator(key).unit)
        periods, reporters, refs = (
            self.periods(t, rng),
            self.reporters(key, t),
            self.reporters(ref, t),
        )

        def ok(q: Quarter) -> bool:
            return next((p.ratio for p in periods if _overlap(q, p.start, p.end)), 1.0) >= 1

        if self.cat.indicator(key).measure == "stock":  # year-on-year growth rates, in %
            for q in sorted(set(reporters) | set(refs)):
                level = 14.0 - 0.6 * (q.year - 2013) + rng.uniform(-1.2, 1.2)
                gap = rng.uniform(1.5, 8.0) if ok(q) else rng.uniform(-5.0, -0.5)
                for r in refs.get(q, []):
                    self.values[(ref, r.code, q)] = round(level, 1)
                for r in reporters.get(q, []):
                    self.values[(key, r.code, q)] = round(level + gap, 1)
            return
        regions = {r.code: r for rs in [*reporters.values(), *refs.values()] for r in rs}
        weight = sum(map(_weight, regions.values())) or 1.0
        jurisdiction = self.known.get(t.scope.jurisdiction)
        scale = jurisdiction.yearly(key, _RELATIONAL_YEARLY) / weight  # a year
        years = range(t.start.year - 1, self.timeline[-1].year + 1)
        growth = {
            y: rng.uniform(1.05, 1.25) if ok(Quarter(y, 2)) else rng.uniform(0.75, 0.95)
            for y in years
        }
        flows: dict[str, dict[Quarter, float]] = {}
        for c, region in sorted(regions.items()):
            annual, flows[c] = scale * _weight(region), {}
            for y in years:
                annual *= growth[y] * rng.uniform(0.97, 1.03) if y >= t.start.year else 1.0
                weights = [_SEASON[k] * rng.uniform(0.8, 1.2) for k in range(1, 5)]
                for k, v in enumerate(_apportion(annual, weights, step), start=1):
                    flows[c][Quarter(y, k)] = v
        for q, c in _cells(reporters):
            self.values[(key, c, q)] = flows[c][q]
        for q, c in _cells(refs):
            self.values[(ref, c, q)] = flows[c][Quarter(q.year - 1, q.quarter)]

    def gaps(self) -> set[Key]:
        """The reports 'unreported' goals lack: a fifth of the bureaus stop, others skip one."""
        live = [r for r in self.rules if scenario_of(r.target_id) != "unreported"]
        claimed = {(r.indicator, r.jurisdiction, r.level) for r in live}
        dropped: set[Key] = set()
        for t in self.cat.targets:
            if scenario_of(t.id) != "unreported" or t.id in SILENT:
                continue
            rng = self.rng(t.id, "gaps")
            owed = {
                (r.indicator, r.jurisdiction, r.level) for r in self.rules if r.target_id == t.id
            }
            for key in sorted({k for k, *_ in owed - claimed}):  # what no other goal asks for
                reporters = self.reporters(key, t)
                codes, quarters = _codes(reporters), sorted(reporters)
                if not codes:  # the goal starts after the sample ends
                    continue
                stops = {
                    c: rng.choice(quarters) for c in rng.sample(codes, max(1, len(codes) // 5))
                }
                for q, c in _cells(reporters):
                    if (c in stops and q >= stops[c]) or rng.random() < 0.05:
                        dropped.add((key, c, q))
        return dropped

    def frame(self) -> pl.DataFrame:
        dropped = self.gaps()
        rows = [
            (code, key, q.label, self.values[k], self.notes.get(k))
            for key, reporters in self.cells.items()
            for q, code in _cells(reporters)
            if (k := (key, code, q)) in self.values and k not in dropped
        ]
        return pl.DataFrame(rows, schema=SCHEMA, orient="row").sort(
            ["region_code", "indicator", "period"]
        )


def generate_sample(
    catalogue: Catalogue,
    regions: Sequence[Region],
    *,
    seed: int = SAMPLE_SEED,
    last_quarter: Quarter = LAST_QUARTER,
    jurisdictions: Jurisdictions | None = None,
) -> pl.DataFrame:
    """The sample reports, sorted by region, indicator and period; the same seed, the same frame
    (``jurisdictions``: ``data/jurisdictions.yaml`` unless given)."""
    sample = _Sample(catalogue, regions, seed, last_quarter, jurisdictions or bundled())
    series: dict[tuple[str, str, tuple[str, ...]], list[Target]] = {}
    for t in catalogue.targets:
        levels = t.reported_by
        series.setdefault((t.indicator, t.scope.jurisdiction, levels), []).append(t)
    for (key, _, _), targets in series.items():
        indicator, first = catalogue.indicator(key), targets[0]
        recipe = KINDS[first.kind].sample
        if recipe == "pair" or indicator.numerator:
            continue  # below, goal by goal
        if first.comparator in LOWER_IS_BETTER:
            sample.ceiling(key, targets)
        elif (
            recipe == "units"
            or first.scope.applies_to == "each"
            or (indicator.unit, indicator.measure) == ("项", "stock")
        ):
            sample.unit_series(key, targets)
        elif indicator.measure == "flow":
            sample.whole_flow(key, targets)
        else:
            sample.whole_stock(key, targets)
    for t in catalogue.targets:
        if catalogue.indicator(t.indicator).numerator:
            sample.share(t)  # each unit on its side for the "units" recipe, else coverage
        elif KINDS[t.kind].sample == "pair":
            sample.relational(t)
    return sample.frame()
