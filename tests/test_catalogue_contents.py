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
        # "5年内" from 2012-11-08 ends the day before the anniversary (catalogue audit Q16)
        ("qd46-incubator-area-2017", ">=", 12_000_000, dt.date(2017, 11, 7)),
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


# ---------------------------------------------------------------------------------------------
# The readings of the catalogue audit (../shared/reviews/catalogue-audit.md, issue 12)


def test_stages_are_named_and_never_across_documents(catalogue: Catalogue) -> None:
    stages = {t.id: t.follows for t in catalogue.targets if t.follows is not None}
    assert stages == {
        "gdcentre-providers-2020": "gdcentre-providers-2018",  # 5,000 by 2018, then 1万 by 2020
        "gdcentre-enterprise-visits-2020": "gdcentre-enterprise-visits-2018",  # 10万, then 30万
        "gdtown-platforms-per-town-2015": "gdtown-platforms-per-town-2013",  # 2-3, then 5+
    }
    for later, earlier in stages.items():
        assert catalogue.target(later).document == catalogue.target(earlier).document
    # E5, E6: the 2012 plan's yearly tasks are not stages of the 十二五 goals
    for ident in ("gd624-tech-demo-platforms-2015", "gd624-industrialisation-bases-2015"):
        assert catalogue.target(ident).follows is None


def test_biennial_commendations_are_judged_per_two_year_cycle(catalogue: Catalogue) -> None:
    for ident in ("gd624-excellent-units-biennial", "gd624-excellent-workers-biennial"):
        target = catalogue.target(ident)
        assert (target.recurrence, target.kind, target.value) == ("biennial", "rate", 100)
        # cycles 2012-2013 and 2014-2015, counted from the start's year (audit E1, E2)
        assert (target.start, target.deadline) == (dt.date(2012, 1, 1), dt.date(2015, 12, 31))


def test_startup_bases_count_the_44_already_recognised(catalogue: Catalogue) -> None:
    target = catalogue.target("gd2012act-startup-bases-5yr")
    assert (target.kind, target.value) == ("level", 100)
    assert catalogue.indicator(target.indicator).measure == "stock"
    assert target.baseline is not None
    assert (target.baseline.value, target.baseline.date) == (44, dt.date(2012, 4, 28))
    assert "44个省小企业创业基地" in target.baseline.source


def test_ipo_reserve_pool_is_held_every_quarter(catalogue: Catalogue) -> None:
    assert catalogue.target("gd624-ipo-reserve-pool-2015").hold
    assert [t.id for t in catalogue.targets if t.hold] == ["gd624-ipo-reserve-pool-2015"]


def test_the_25yi_fund_is_unverified_until_checked(catalogue: Catalogue) -> None:
    target = catalogue.target("gdtown-tech-sme-innovation-fund-2012-2014")
    assert not target.verified and not target.headline
    assert target.unverified_reason is not None and "U+E010" in target.unverified_reason
    assert [t.id for t in catalogue.targets if not t.verified] == [target.id]


@pytest.mark.parametrize(
    ("target_id", "kind", "value", "deadline"),
    [
        ("gd624-it-pairing-matchmaking-sessions-2015", "cumulative", 100, dt.date(2015, 12, 31)),
        ("gd624-it-pairing-matchmaking-firms-2015", "cumulative", 1000, dt.date(2015, 12, 31)),
        ("gdtown-platform-fund-5yi", "cumulative", 500_000_000, dt.date(2013, 12, 31)),
        ("gd2012act-expo9-side-events-2012", "cumulative", 2, dt.date(2012, 9, 30)),
        ("gd2012act-ms-experience-meeting-2012", "milestone", 1, dt.date(2012, 12, 31)),
    ],
)
def test_goals_the_audit_found_missing(
    catalogue: Catalogue, target_id: str, kind: str, value: float, deadline: dt.date
) -> None:
    target = catalogue.target(target_id)
    assert (target.kind, target.value, target.deadline) == (kind, value, deadline)
    assert target.note and "审查 K" in target.note


def test_the_5yi_fund_is_a_goal_not_a_parameter(catalogue: Catalogue) -> None:
    assert "gdtown-platform-fund-5yi" not in {p.id for p in catalogue.parameters}


@pytest.mark.parametrize(
    ("finding", "target_ids"),
    [
        ("E1", ["gd624-excellent-units-biennial"]),
        ("E2", ["gd624-excellent-workers-biennial"]),
        ("E3", ["gd624-national-platform-windows-2015"]),
        ("E4", ["gd624-ipo-counselling-2015", "gd624-ipo-filing-2015"]),
        ("E5", ["gd624-tech-demo-platforms-2015", "gd2012act-tech-demo-platforms-2012"]),
        ("E6", ["gd624-industrialisation-bases-2015", "gd2012act-innovation-demo-bases-2012"]),
        ("E7", ["gd2012act-startup-bases-5yr", "gd2012act-startup-bases-2012"]),
        ("E8", ["gdtown-smes-served-per-platform"]),
        ("E9", ["qd46-procurement-sme-share"]),
        ("E10", ["qd46-procurement-small-micro-share"]),
        ("Q1", ["gd624-demo-platforms-provincial-2015"]),
        ("Q2", ["gd624-ipo-reserve-pool-2015"]),
        ("Q3", ["gd624-ipo-counselling-2015", "gd624-ipo-filing-2015"]),
        ("Q4", ["gdtown-tech-sme-innovation-fund-2012-2014"]),
        ("Q5", ["gd624-procurement-sme-share", "gd624-procurement-small-micro-share"]),
        ("Q6", ["qd46-small-micro-loan-growth", "qd46-small-micro-loan-increment"]),
        (
            "Q7",
            [
                "gd624-excellent-units-biennial",
                "gd624-excellent-workers-biennial",
                "gdtown-top20-platform-awards-yearly",
            ],
        ),
        ("Q8", ["gdcentre-coverage-2018"]),
        ("Q9", ["gdcentre-enterprise-visits-2018", "gdcentre-enterprise-visits-2020"]),
        (
            "Q10",
            [
                f"gdcentre-{level}-centre-{standard}"
                for level in ("prov", "city")
                for standard in ("floor-area", "staff", "professional-share")
            ],
        ),
        ("Q11", ["gd2012act-backbone-exec-training-5yr"]),
        ("Q12", ["gd2012act-tech-demo-platforms-2012", "gd2012act-innovation-demo-bases-2012"]),
        (
            "Q13",
            [
                "qd46-zjtx-upgrade-100",
                "qd46-high-growth-small-firms-1000",
                "qd46-startup-small-micro-10000",
            ],
        ),
        (
            "Q14",
            [
                "gd624-excellent-units-biennial",
                "gd624-excellent-workers-biennial",
                "gd624-procurement-sme-share",
                "gd624-executive-training-yearly",
                "gd624-overseas-training-yearly",
                "gd624-it-pairing-demo-projects-2015",
                "gd624-it-pairing-benchmark-firms-2015",
                "qd46-registration-days",
                "qd46-credit-info-updates",
            ],
        ),
        ("Q15", ["gd2012act-expo9-area-2012", "gd2012act-expo9-booths-2012"]),
        ("Q16", ["qd46-incubator-area-2017"]),
        ("Q17", ["gd2012act-village-bank-coverage-2015"]),
    ],
)
def test_audit_findings_are_answered_in_the_notes(
    catalogue: Catalogue, finding: str, target_ids: list[str]
) -> None:
    """Each reading the audit questioned says, in the target's note, which reading was chosen
    and why, citing the finding (E1-E10, Q1-Q17; K1-K5 are the new goals above)."""
    for ident in target_ids:
        note = catalogue.target(ident).note or ""
        assert re.search(rf"(审查|audit) [^）)]*\b{finding}\b", note), (ident, note)


def test_per_platform_standard_starts_in_the_first_full_year(catalogue: Catalogue) -> None:
    target = catalogue.target("gdtown-smes-served-per-platform")
    assert (target.start, target.recurrence) == (dt.date(2013, 1, 1), "yearly")  # audit E8
