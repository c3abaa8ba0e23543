"""What the sample covers and which outcome each goal gets.

The sample's seed and its quarters (2011Q1-2020Q4), the columns of the frame it returns, and the
scenario of every goal (``SCENARIOS``; the scenarios are described in :mod:`etl.sample`) with the
ratio of actual to goal each scenario draws from.  ``SILENT`` lists the 'unreported' goals that
get no report at all.
"""

from __future__ import annotations

import zlib

import polars as pl

from model.periods import Quarter

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
    gd624-it-pairing-matchmaking-sessions-2015 gd2012act-ms-experience-meeting-2012
    gdtown-platform-fund-5yi
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
    gd624-it-pairing-matchmaking-firms-2015
    gd624-ipo-filing-2015 gd624-overseas-training-yearly gdcentre-enterprise-visits-2020
    qd46-high-growth-small-firms-1000""",
    "off_track": """gd624-it-pairing-service-providers-2015 gd624-excellent-workers-biennial
    gd2012act-collective-notes-2012 gd2012act-policy-tour-cities-2012
    gdtown-platform-coverage-2013 gdtown-platform-qualified-staff-share
    gdcentre-prov-centre-professional-share""",
    "missed": """gd624-excellent-units-biennial gd624-procurement-small-micro-share
    gd2012act-expo9-side-events-2012
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


def scenario_of(target_id: str) -> str:
    """The scenario of a goal; one missing from :data:`SCENARIOS` gets a fixed one by its id."""
    if target_id in SCENARIOS:
        return SCENARIOS[target_id]
    return list(_RATIO)[zlib.crc32(target_id.encode()) % 6]
