"""The sample generator's state and the shaping it shares across recipes.

:class:`_Core` works out, once, which region reports which indicator in which quarter (from
:mod:`model.reporting`, as the sample follows the rules: silent goals dropped, late ones a year
longer, goals in progress cut at 60 % of their window), and gives the recipes of
:mod:`etl.sample.recipes` what they share: the periods a goal is judged on with their ratios,
amounts that meet or miss a goal, the units that fall short, flows spread over quarters, levels
interpolated between points, and a jurisdiction's flow split over its reporters.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from etl.sample.scenarios import _IN_PROGRESS, _RATIO, FIRST_QUARTER, SILENT, scenario_of
from etl.sample.weights import (
    _EVENTS,
    _SEASON,
    Key,
    Reporters,
    Window,
    _apportion,
    _codes,
    _overlap,
    _Period,
    _snap,
    _step,
    _weight,
)
from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions
from model.periods import Quarter, quarters_between
from model.regions import Region
from model.reporting import (
    ReportingRule,
    applicable_indicators,
    jurisdiction_of,
    reported_indicators,
    reporter_levels,
    reporting_rules,
)
from model.units import Unit, bundled_kinds


def _as_region(unit: Unit) -> Region:
    """A unit as the sample treats a reporter: its code, name, level and validity."""
    return Region(unit.code, unit.name, unit.level, unit.parent_code, unit.valid_from,
                  unit.valid_to, False, unit.source, unit.note)  # fmt: skip


class _Core:
    """The sample's state (who reports what, and when; the values so far) and shared shaping."""

    def __init__(
        self,
        catalogue: Catalogue,
        regions: Sequence[Region],
        seed: int,
        last: Quarter,
        jurisdictions: Jurisdictions,
        units: Sequence[Unit] = (),
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
        self.on_units = self._unit_cells(units)  # target id → the units it is judged on
        self.counties: dict[str, list[Region]] = defaultdict(list)
        for r in regions:
            if r.level == "county" and r.parent_code and not r.province_administered:
                self.counties[r.parent_code].append(r)
        self.values: dict[Key, float] = {}
        self.notes: dict[Key, str] = {}

    def _unit_cells(self, units: Sequence[Unit]) -> dict[str, set[str]]:
        """Per-unit goals on registered units: each unit of the goal's kind and levels reports
        the goal's indicators under its own code while the goal is live, as a region would."""
        kinds, out = bundled_kinds(), {}
        for t in self.cat.targets:
            applies = kinds.of_target(t) if t.scope.level == "unit" else None
            rule = ReportingRule(t.indicator, t.scope.jurisdiction, "province", t.id, t.start,
                                 t.deadline)  # fmt: skip
            live = self._live(rule) if applies is not None else None
            if applies is None or live is None:
                continue
            mine = [u for u in units if u.kind == applies[0] and u.level in applies[1]]
            mine = [u for u in mine if self.jur.get(u.parent_code) == t.scope.jurisdiction]
            out[t.id] = {u.code for u in mine}
            for q in self.timeline:
                if live.deadline < q.start or live.start > q.end:
                    continue
                for u in (u for u in mine if u.valid_on(q.end)):
                    for key in reported_indicators(t, self.cat):
                        cell = self.cells[key].setdefault(q, [])
                        if all(r.code != u.code for r in cell):
                            cell.append(_as_region(u))
        return out

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
        if t.id in self.on_units:  # the registered units it is judged on
            for q, regions in sorted(self.cells.get(key, {}).items()):
                if chosen := [r for r in regions if r.code in self.on_units[t.id]]:
                    out[q] = chosen
            return out
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
