"""The catalogue's checks on a goal's course in time: stages, baselines, holds, cycles, doubts.

- ``follows``: a later stage names its earlier stage, which must exist, be on the same indicator
  and scope, end earlier, and not lead back to the later stage (rules ``follows-unknown``,
  ``follows-mismatch``, ``follows-order``, ``follows-cycle``);
- ``baseline``: the level a stock or share goal starts from, on or before its start, and not
  beside ``follows`` (a later stage starts from its earlier stage) (``baseline-on-flow``,
  ``baseline-after-start``, ``baseline-and-follows``);
- ``hold``: a level kept in every quarter of a one-off window (``hold-shape``);
- ``recurrence``: a recurring goal's window is a whole number of cycles counted from the calendar
  year of its start (``recurrence-cycles``);
- ``verified``: an unverified figure says why (``unverified-reason``).

Like :mod:`model.catalogue.rules`, each check yields
:class:`~model.catalogue.problems.Problem` objects and never stops at the first.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from model.catalogue.problems import Problem
from model.catalogue.schema import RECURRENCE_YEARS, Indicator, Target
from model.kinds import KINDS

_CYCLE_WORD = {1: "one-year", 2: "two-year"}


def check_stages(
    tgts: list[tuple[int, Target]], inds: Mapping[str, Indicator], target_ids: frozenset[str]
) -> Iterator[Problem]:
    """Every time-related problem of the targets, in catalogue order; ``target_ids`` are the ids
    written in the file, parsed or not (a stage that failed to parse is not reported twice)."""
    by_id = {t.id: (i, t) for i, t in tgts}
    for i, t in tgts:
        where = f"targets[{i}]"
        yield from _check_follows(t, where, by_id, target_ids)
        yield from _check_baseline(t, where, inds)
        yield from _check_hold(t, where, inds)
        yield from _check_cycles(t, where)
        yield from _check_verified(t, where)


def _check_follows(
    t: Target, where: str, by_id: Mapping[str, tuple[int, Target]], target_ids: frozenset[str]
) -> Iterator[Problem]:
    if t.follows is None or (t.follows not in by_id and t.follows in target_ids):
        return
    path = f"{where}.follows"
    if t.follows not in by_id:
        near = difflib.get_close_matches(t.follows, list(by_id), n=1)
        yield Problem(
            "follows-unknown",
            path,
            f"target '{t.id}' follows '{t.follows}', which is not a target",
            (f"did you mean '{near[0]}'? " if near else "")
            + "name the id of the earlier stage of the same goal",
        )
        return
    j, earlier = by_id[t.follows]
    if earlier.indicator != t.indicator or earlier.scope != t.scope:
        what = "indicator" if earlier.indicator != t.indicator else "scope"
        yield Problem(
            "follows-mismatch",
            path,
            f"target '{t.id}' follows '{earlier.id}' (targets[{j}]), which has another {what}",
            "stages of one goal share the indicator and the scope; a goal on something else is "
            "a separate target: remove 'follows'",
        )
    if earlier.deadline >= t.deadline:
        yield Problem(
            "follows-order",
            path,
            f"target '{t.id}' (deadline {t.deadline}) follows '{earlier.id}', whose deadline "
            f"{earlier.deadline} is not earlier",
            "the earlier stage ends first: 'follows' names the stage before this one "
            "(e.g. the …-2020 goal follows the …-2018 goal)",
        )
    chain: list[str] = [t.id]
    step: str | None = t.follows
    while step is not None:
        if step == t.id:
            yield Problem(
                "follows-cycle",
                path,
                "stages follow each other in a circle: " + " → ".join([*chain, t.id]),
                "each stage follows the one before it; the first stage has no 'follows'",
            )
            return
        if step in chain or step not in by_id:  # a circle further up is reported there
            return
        chain.append(step)
        step = by_id[step][1].follows


def _check_baseline(t: Target, where: str, inds: Mapping[str, Indicator]) -> Iterator[Problem]:
    if t.baseline is None:
        return
    path = f"{where}.baseline"
    ind = inds.get(t.indicator)
    if ind is not None and ind.measure == "flow":
        yield Problem(
            "baseline-on-flow",
            path,
            f"target '{t.id}' is on the flow '{t.indicator}', which counts from 0 at the start",
            "a baseline is a level: put the goal on a stock indicator (the total to date), or "
            "remove the baseline",
        )
    if t.baseline.date > t.start:
        yield Problem(
            "baseline-after-start",
            f"{path}.date",
            f"the baseline of '{t.id}' is dated {t.baseline.date}, after the start {t.start}",
            "a baseline is the level the goal starts from: date it on or before 'start', or move "
            "'start' to the baseline's date",
        )
    if t.follows is not None:
        yield Problem(
            "baseline-and-follows",
            path,
            f"target '{t.id}' has a baseline and also follows '{t.follows}'",
            "a later stage starts from its earlier stage: remove one of the two",
        )


def _check_hold(t: Target, where: str, inds: Mapping[str, Indicator]) -> Iterator[Problem]:
    if not t.hold:
        return
    spec = KINDS[t.kind]
    ind = inds.get(t.indicator)
    plain_level = not (
        spec.series.running
        or spec.series.each_unit
        or spec.series.against_reference
        or spec.judging.progress == "on_time"
    )
    if not plain_level or (ind is not None and ind.measure == "flow"):
        yield Problem(
            "hold-shape",
            f"{where}.hold",
            f"target '{t.id}' is a {t.kind} goal on '{t.indicator}'; 'hold' is for a level kept "
            "over the window",
            "use hold: true on a level or share goal of a stock indicator (保持…以上), "
            "or remove it",
        )
    elif t.recurrence != "once":
        yield Problem(
            "hold-shape",
            f"{where}.hold",
            f"target '{t.id}' is {t.recurrence} and held: a held level is judged in every quarter "
            "of one window",
            "use recurrence: once with hold: true",
        )


def _check_cycles(t: Target, where: str) -> Iterator[Problem]:
    years = RECURRENCE_YEARS[t.recurrence]
    if years is None or t.deadline < t.start:
        return
    span = t.deadline.year - t.start.year + 1
    if (t.deadline.month, t.deadline.day) != (12, 31) or span % years:
        word = _CYCLE_WORD.get(years, f"{years}-year")
        yield Problem(
            "recurrence-cycles",
            f"{where}.deadline",
            f"{t.recurrence} target '{t.id}' runs {t.start} to {t.deadline}, not a whole number "
            f"of {word} cycles counted from {t.start.year}",
            f"cycles are calendar years counted from the start's year: end the window on 31 "
            f"December of a cycle's last year, e.g. {t.start.year + years - 1}-12-31",
        )


def _check_verified(t: Target, where: str) -> Iterator[Problem]:
    if not t.verified and t.unverified_reason is None:
        yield Problem(
            "unverified-reason",
            f"{where}.unverified_reason",
            f"target '{t.id}' is marked unverified without saying why",
            "add 'unverified_reason:' saying what is to be checked against which published text",
        )
    if t.verified and t.unverified_reason is not None:
        yield Problem(
            "unverified-reason",
            f"{where}.unverified_reason",
            f"target '{t.id}' gives a reason for doubt but is not marked unverified",
            "add 'verified: false', or remove 'unverified_reason' once the figure is checked",
        )
