"""The bundled sample of quarterly reports: deterministic, plausible, with a mix of outcomes.

The dashboard starts on this sample until real uploads replace it.  *Who* reports *what* and
*when* comes from :mod:`model.reporting` (a region reports an indicator in a quarter while a goal on
it is live); this package only decides the numbers, one goal at a time, from its scenario:

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

The package's modules: :mod:`~etl.sample.scenarios` (the seed, the quarters, each goal's
scenario), :mod:`~etl.sample.weights` (region weights, seasons, steps, apportionment),
:mod:`~etl.sample.core` (who reports what, and the shaping the recipes share),
:mod:`~etl.sample.recipes` (one recipe per shape of goal) and :mod:`~etl.sample.generate`
(:func:`generate_sample`).  Everything public is importable from ``etl.sample`` itself.
"""

from __future__ import annotations

from etl.sample.generate import generate_sample
from etl.sample.scenarios import (
    FIRST_QUARTER,
    LAST_QUARTER,
    SAMPLE_SEED,
    SCENARIOS,
    SCHEMA,
    SILENT,
    scenario_of,
)
from etl.sample.weights import Key, Reporters, Window

__all__ = [
    "FIRST_QUARTER",
    "LAST_QUARTER",
    "SAMPLE_SEED",
    "SCENARIOS",
    "SCHEMA",
    "SILENT",
    "Key",
    "Reporters",
    "Window",
    "generate_sample",
    "scenario_of",
]
