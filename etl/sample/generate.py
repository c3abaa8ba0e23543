"""Generating the sample: each goal's series made by the recipe its kind and indicator call for.

Goals on the same indicator, jurisdiction and reporters form one series, made once by shape
(an upper limit, each unit, a jurisdiction's flow or level); ratio goals and goals compared with a
reference indicator are then made goal by goal.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from etl.sample.recipes import _Sample
from etl.sample.scenarios import LAST_QUARTER, SAMPLE_SEED
from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions, bundled
from model.kinds import KINDS, LOWER_IS_BETTER
from model.periods import Quarter
from model.regions import Region
from model.units import Unit


def generate_sample(
    catalogue: Catalogue,
    regions: Sequence[Region],
    *,
    seed: int = SAMPLE_SEED,
    last_quarter: Quarter = LAST_QUARTER,
    jurisdictions: Jurisdictions | None = None,
    units: Sequence[Unit] = (),
) -> pl.DataFrame:
    """The sample reports, sorted by region, indicator and period; the same seed, the same frame
    (``jurisdictions``: ``data/jurisdictions.yaml`` unless given); per-unit goals are reported
    by ``units`` (the register: :func:`etl.sample.units.sample_units` and the real ones)."""
    sample = _Sample(catalogue, regions, seed, last_quarter, jurisdictions or bundled(), units)
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
