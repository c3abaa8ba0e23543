"""The attainment engine: every goal judged at any as-of date, from the revisions known then.

Heavy lifting happens in DuckDB (one aggregate query over the reports known at the as-of date);
the per-goal judgement (:mod:`judge.attainment`) runs over those small aggregates.  Every page,
export and the ``target-monitor status`` command use :func:`evaluate`, so a status is the same
wherever it shows.

This module is the engine's front door; the work is done in

* :mod:`judge.aggregates`: who reports for whom, and the warehouse's aggregates at the date;
* :mod:`judge.series`: a whole-jurisdiction goal's series, staged goals and baselines;
* :mod:`judge.units`: goals judged unit by unit;
* :mod:`judge.status`: :func:`evaluate`, every goal's row, with reporting completeness;
* :mod:`judge.detail`: :func:`goal_detail`, one goal's series, trajectory and regions.
"""

from __future__ import annotations

from judge.aggregates import DUE_DAYS, Aggregates, Reporters, now_quarter
from judge.aggregates import _aggregates as _aggregates
from judge.aggregates import _Context as _Context
from judge.detail import GoalDetail, goal_detail
from judge.detail import _planned as _planned
from judge.detail import _region_values as _region_values
from judge.series import _goal_series as _goal_series
from judge.series import _predecessor as _predecessor
from judge.series import _running as _running
from judge.series import _series_for as _series_for
from judge.status import RESULT_SCHEMA, evaluate
from judge.status import _completeness as _completeness
from judge.status import _row as _row
from judge.units import _is_unit_goal as _is_unit_goal
from judge.units import _unit_goal as _unit_goal
from judge.units import _unit_measure as _unit_measure
from judge.units import _unit_value as _unit_value

__all__ = [
    "DUE_DAYS",
    "RESULT_SCHEMA",
    "Aggregates",
    "GoalDetail",
    "Reporters",
    "evaluate",
    "goal_detail",
    "now_quarter",
]
