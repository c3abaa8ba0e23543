"""The sample's recipes: how the numbers of each shape of goal are made.

A jurisdiction's flow or level (``whole_flow``, ``whole_stock``), each unit's own series
(``unit_series``), upper limits (``ceiling``), denominators no goal drives (``base``), ratio
goals (``share``, ``coverage``) and growth against growth (``relational``); then the reports the
'unreported' goals lack (``gaps``) and the frame of everything reported (``frame``).  Flows are
per-quarter counts; stocks are quarter-end levels that never fall (except a rare one-quarter
correction, which carries a note).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict

import polars as pl

from etl.sample.core import _Core
from etl.sample.scenarios import SCHEMA, SILENT, scenario_of
from etl.sample.weights import (
    _BASE_YEARLY,
    _EVENTS,
    _NOTE_DIP,
    _RELATIONAL_YEARLY,
    _SEASON,
    Key,
    Reporters,
    Window,
    _apportion,
    _cells,
    _codes,
    _overlap,
    _Period,
    _snap,
    _step,
    _weight,
)
from model.catalogue import Target
from model.kinds import KINDS
from model.periods import Quarter


class _Sample(_Core):
    """The sample being generated: :class:`_Core`'s state and shaping, plus one recipe per shape."""

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
