"""The real ``targets.yaml``: every quote is verbatim; goals a careful reader finds are there."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from model import paths
from model.catalogue import Catalogue, Parameter, Target


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_bundled_seeds_are_the_shared_originals(shared_seeds: Path) -> None:
    shared = sorted(p.name for p in shared_seeds.glob("*.txt"))
    bundled = sorted(p.name for p in paths.SEEDS.glob("*.txt"))
    assert bundled == shared
    for name in shared:
        assert (paths.SEEDS / name).read_bytes() == (shared_seeds / name).read_bytes(), name


def test_every_quote_is_word_for_word_in_its_document(catalogue: Catalogue) -> None:
    texts = {
        d.id: _squash((paths.SEEDS / d.seed_file).read_text(encoding="utf-8"))
        for d in catalogue.documents
    }
    entries: list[Target | Parameter] = [*catalogue.targets, *catalogue.parameters]
    missing = [e.id for e in entries if _squash(e.quote) not in texts[e.document]]
    assert missing == []
    assert len(entries) > 100


def test_each_document_is_described(catalogue: Catalogue) -> None:
    numbers = {d.id: d.number for d in catalogue.documents}
    assert numbers["gd-2012-624"] == "粤办函〔2012〕624号"
    assert numbers["qd-2012-46"] == "青政发〔2012〕46号"
    assert {d.seed_file for d in catalogue.documents} == {p.name for p in paths.SEEDS.glob("*.txt")}
    by_doc = {
        d.id: [t for t in catalogue.targets if t.document == d.id] for d in catalogue.documents
    }
    assert all(by_doc.values()), "every document sets at least one goal"
    assert 60 <= len(catalogue.targets) <= 100


@pytest.mark.parametrize(
    ("target_id", "comparator", "value", "deadline"),
    [
        ("gd624-demo-platforms-provincial-2015", ">=", 500, dt.date(2015, 12, 31)),
        ("gd624-tech-demo-platforms-2015", ">=", 150, dt.date(2015, 12, 31)),
        ("gd624-industrialisation-bases-2015", ">=", 300, dt.date(2015, 12, 31)),
        ("gd624-ipo-reserve-pool-2015", ">=", 300, dt.date(2015, 12, 31)),
        ("gd624-executive-training-yearly", ">=", 10_000, dt.date(2015, 12, 31)),
        ("gdtown-platforms-per-town-2015", ">=", 5, dt.date(2015, 12, 31)),
        ("gdtown-smes-served-per-platform", ">=", 50, dt.date(2015, 12, 31)),
        ("gdtown-tech-sme-innovation-fund-2012-2014", ">=", 2_500_000_000, dt.date(2014, 12, 31)),
        ("qd46-incubator-area-2017", ">=", 12_000_000, dt.date(2017, 11, 8)),
        ("qd46-credit-guarantee-deposit", ">=", 300_000_000, dt.date(2015, 12, 31)),
        ("qd46-registration-days", "<=", 7, dt.date(2015, 12, 31)),
    ],
)
def test_goals_read_by_hand(
    catalogue: Catalogue, target_id: str, comparator: str, value: float, deadline: dt.date
) -> None:
    target = catalogue.target(target_id)
    assert (target.comparator, target.value, target.deadline) == (comparator, value, deadline)


def test_twelfth_plan_window_is_written_out(catalogue: Catalogue) -> None:
    target = catalogue.target("gd624-demo-platforms-provincial-2015")
    assert (target.start, target.deadline) == (dt.date(2011, 1, 1), dt.date(2015, 12, 31))
    assert target.lead, "the division of labour names a lead department for every task"


def test_range_goal_is_min_and_max(catalogue: Catalogue) -> None:
    target = catalogue.target("gdtown-platforms-per-town-2013")
    assert (target.comparator, target.min, target.max, target.value) == ("between", 2, 3, None)
    assert (target.scope.level, target.scope.applies_to, target.kind) == (
        "town",
        "each",
        "per_unit",
    )


def test_relational_goal_names_the_other_side(catalogue: Catalogue) -> None:
    target = catalogue.target("qd46-small-micro-loan-growth")
    assert target.kind == "relational"
    assert target.reference_indicator == "total_loan_growth_rate"


def test_parameters_are_not_goals(catalogue: Catalogue) -> None:
    goal_ids = {t.id for t in catalogue.targets}
    param_ids = {p.id for p in catalogue.parameters}
    assert goal_ids.isdisjoint(param_ids)
    rates = [p for p in catalogue.parameters if p.document == "qd-2012-46" and p.value == 20]
    assert any("税" in p.quote for p in rates), "the 20 % small low-profit tax rate is a parameter"
    assert not any("税率" in t.quote for t in catalogue.targets)


def test_headline_goals_exist_in_every_document(catalogue: Catalogue) -> None:
    headline_docs = {t.document for t in catalogue.targets if t.headline}
    assert headline_docs == {d.id for d in catalogue.documents}


def test_staged_goals_are_separate_targets_on_one_indicator(catalogue: Catalogue) -> None:
    first = catalogue.target("gdcentre-providers-2018")
    second = catalogue.target("gdcentre-providers-2020")
    assert first.indicator == second.indicator
    assert (first.value, first.deadline) == (5000, dt.date(2018, 12, 31))
    assert (second.value, second.deadline) == (10_000, dt.date(2020, 12, 31))
    visits = catalogue.target("gdcentre-enterprise-visits-2020")
    assert (visits.value, visits.recurrence) == (300_000, "yearly")


def test_coverage_goal_is_a_share_of_a_ratio_indicator(catalogue: Catalogue) -> None:
    target = catalogue.target("gdcentre-coverage-2018")
    assert (target.kind, target.comparator, target.value) == ("share", ">", 90)
    indicator = catalogue.indicator(target.indicator)
    assert indicator.rollup == "ratio"
    assert indicator.numerator and indicator.denominator


def test_reporting_dates_of_the_2012_plan_are_milestones(catalogue: Catalogue) -> None:
    half_year = catalogue.target("gd2012act-ms-h1-report-2012-06-30")
    year_end = catalogue.target("gd2012act-ms-annual-report-2012-12-30")
    assert (half_year.kind, half_year.deadline) == ("milestone", dt.date(2012, 6, 30))
    assert (year_end.kind, year_end.deadline) == ("milestone", dt.date(2012, 12, 30))
