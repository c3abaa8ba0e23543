"""Jurisdictions are data: a third one (深圳市 440300) added from fixture files alone is judged,
gets its upload templates and its map, through the real functions and a real warehouse.

The fixtures (``tests/fixtures/jurisdiction/``): a jurisdictions file naming 440300 (reported by
its districts, mapped by district), its regions (three districts and a street under 南山区), a
catalogue with three goals (one rolled up from the districts, one reported by the city itself,
one judged district by district) and a three-square GeoJSON.  No code names 440300.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml

from etl.build import init_warehouse
from etl.load import Reference, load_file
from etl.sample import generate_sample
from etl.template import HEADERS, template_rows, write_template
from etl.validate import ValidationContext
from judge import engine
from model import paths
from model.catalogue import load_catalogue, read_catalogue
from model.jurisdictions import (
    Jurisdictions,
    bundled,
    check_against_regions,
    load_jurisdictions,
    read_jurisdictions,
)
from model.periods import Quarter, quarters_between
from model.regions import load_regions
from model.reporting import check_reported_by, jurisdiction_of, suggest_reported_by, total_rules
from service.maps import map_features, map_units, map_view
from target_monitor.cli import main
from warehouse.connect import connect

FIXTURES = Path(__file__).parent / "fixtures" / "jurisdiction"
CITY, DISTRICTS, STREET = "440300", ("440303", "440304", "440305"), "440305001"
AS_OF = dt.date(2013, 1, 20)  # 2012Q4 was due on 2013-01-15
VISITS = {"440303": 60.0, "440304": 55.0, "440305": 40.0}  # a quarter: 南山 falls short of 200


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference(
        load_catalogue(FIXTURES / "targets.yaml", FIXTURES),
        tuple(load_regions([FIXTURES / "regions.csv"])),
        load_jurisdictions(FIXTURES / "jurisdictions.yaml"),
    )


def _filled(ref: Reference) -> bytes:
    """Every template of 2011-2012 filled in, as one CSV: 2 platforms a quarter per district,
    the visits above, the hall open from 2011Q3."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for quarter in quarters_between(Quarter(2011, 1), Quarter(2012, 4)):
        for code in (CITY, *DISTRICTS):
            for row in template_rows(
                ref.catalogue, ref.regions, code, quarter, jurisdictions=ref.jurisdictions
            ):
                if code == CITY and row.indicator != "sz_hall_open":
                    continue  # the city's optional totals: the districts' roll-up is judged
                value = {
                    "sz_platforms": 2.0,
                    "sz_district_visits": VISITS.get(code),
                    "sz_hall_open": float(quarter >= Quarter(2011, 3)),
                }[row.indicator]
                writer.writerow([*row.cells()[: HEADERS.index("数值")], value, ""])
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def warehouse(ref: Reference, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("shenzhen") / "warehouse.duckdb"
    init_warehouse(db, ref=ref)
    result = load_file(
        _filled(ref),
        db=db,
        name="shenzhen-2011-2012.csv",
        uploader="test",
        ref=ref,
        today=AS_OF,
        submitted_at=dt.datetime(2013, 1, 10, 1, 0),
    )
    assert result.status == "committed", [(i.row, i.rule, i.value) for i in result.issues]
    assert result.rows_new == 8 * 3 * 2 + 4  # districts: platforms and visits; city: the hall
    return db


def test_the_fixture_files_check_clean(ref: Reference) -> None:
    catalogue, problems = read_catalogue(FIXTURES / "targets.yaml", FIXTURES)
    assert problems == []
    assert catalogue is not None
    assert check_against_regions(ref.jurisdictions, ref.regions) == []
    assert check_reported_by(catalogue, ref.regions, ref.jurisdictions) == []


def test_its_regions_belong_to_it(ref: Reference) -> None:
    assert jurisdiction_of(ref.regions, ref.jurisdictions) == {
        code: CITY for code in (CITY, *DISTRICTS, STREET)
    }
    assert jurisdiction_of(ref.regions) == {}  # the bundled list does not know 440300


def test_the_templates_hold_the_rows_of_its_reporting_levels(ref: Reference) -> None:
    def keys(code: str, quarter: Quarter) -> list[str]:
        rows = template_rows(
            ref.catalogue, ref.regions, code, quarter, jurisdictions=ref.jurisdictions
        )
        return [r.indicator for r in rows]

    q = Quarter(2011, 2)
    # whole-city goals rolled up from the districts, and the goal on each district
    assert keys("440305", q) == ["sz_platforms", "sz_district_visits"]
    # the goal that does not roll up is the city's own, and only within its window; the city may
    # also report the total of the platforms goal rolled up from the districts (optional)
    assert keys(CITY, q) == ["sz_hall_open", "sz_platforms"]
    assert keys(CITY, Quarter(2012, 1)) == ["sz_platforms"]
    assert keys(STREET, q) == []  # streets report nothing here


def test_the_written_template_is_its_districts(ref: Reference, tmp_path: Path) -> None:
    out = tmp_path / "template.csv"
    n = write_template(
        ref.catalogue,
        ref.regions,
        "440303",
        Quarter(2012, 1),
        out,
        jurisdictions=ref.jurisdictions,
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert n == 2
    assert [r[:3] for r in rows[1:]] == [
        ["440303", "罗湖区", "sz_platforms"],
        ["440303", "罗湖区", "sz_district_visits"],
    ]


def test_its_goals_are_judged(ref: Reference, warehouse: Path) -> None:
    with connect(warehouse) as con:
        status = engine.evaluate(
            con,
            catalogue=ref.catalogue,
            regions=ref.regions,
            as_of=AS_OF,
            jurisdictions=ref.jurisdictions,
        )
        without = engine.evaluate(con, catalogue=ref.catalogue, regions=ref.regions, as_of=AS_OF)
    rows = {r["target_id"]: r for r in status.iter_rows(named=True)}
    platforms = rows["sz-platforms-2012"]
    assert (platforms["region"], platforms["actual"], platforms["status"]) == (
        CITY,
        48.0,  # 3 districts × 8 quarters × 2
        "achieved",
    )
    assert platforms["reports_expected"] == 3 * 8
    hall = rows["sz-hall-2011"]
    assert (hall["actual"], hall["status"]) == (1.0, "achieved")
    visits = rows["sz-district-visits-yearly"]
    assert visits["units_total"] == 3
    assert visits["units_short"] == ["440305"]  # 南山: 160 a year, short of 200
    assert visits["status"] == "missed"
    # the same goals without the jurisdiction: nobody reports them
    assert set(without["status"]) == {"insufficient_data"}
    assert set(without["actual"]) == {None}


def test_its_map_rolls_up_to_its_map_level(ref: Reference, warehouse: Path) -> None:
    shenzhen = ref.jurisdictions.get(CITY)
    assert map_units(ref.regions, shenzhen) == {
        **{code: code for code in DISTRICTS},
        STREET: "440305",  # a street is drawn inside its district
    }
    features = map_features(shenzhen)
    assert [f["properties"]["code"] for f in features] == list(DISTRICTS)
    with connect(warehouse) as con:
        for target_id, legend in (
            ("sz-platforms-2012", "share"),
            ("sz-district-visits-yearly", "attainment"),
        ):
            detail = engine.goal_detail(
                con,
                catalogue=ref.catalogue,
                regions=ref.regions,
                as_of=AS_OF,
                target_id=target_id,
                jurisdictions=ref.jurisdictions,
            )
            view = map_view(
                detail.regions.to_dicts(),
                regions=ref.regions,
                jurisdiction=shenzhen,
                unit_goal=bool(detail.status.row(0, named=True)["units_total"]),
            )
            assert view.legend == legend
            assert set(view.metric) == set(DISTRICTS)  # every district is on the map
            if legend == "share":
                assert view.metric == pytest.approx({c: 100 / 3 for c in DISTRICTS})
            else:
                assert view.metric == {"440303": 100.0, "440304": 100.0, "440305": 0.0}


def test_the_sample_and_the_suggestion_work_for_it(ref: Reference) -> None:
    frame = generate_sample(
        ref.catalogue, ref.regions, last_quarter=Quarter(2012, 4), jurisdictions=ref.jurisdictions
    )
    context = ValidationContext.build(
        ref.catalogue, ref.regions, today=AS_OF, jurisdictions=ref.jurisdictions
    )
    totals = {(r.jurisdiction, r.indicator) for r in total_rules(ref.catalogue, ref.jurisdictions)}
    assert totals == {(CITY, "sz_platforms")}  # the city may total it; nobody owes a total
    owed = set(context.applicable.iter_rows()) - totals
    rows = set(frame.select("region_code", "indicator").iter_rows())
    assert rows == owed  # every district and the city report what they owe, nothing else
    data = yaml.safe_load((FIXTURES / "targets.yaml").read_text(encoding="utf-8"))
    for target in data["targets"]:
        del target["reported_by"]
    suggestions, problems = suggest_reported_by(data, ref.jurisdictions)
    assert problems == []
    assert [(s.written, s.suggested) for s in suggestions] == [
        (None, ("county",)),  # rolled up from the districts (reporting_level)
        (None, ("city",)),  # does not roll up: the city itself (level)
        (None, ("county",)),  # each district
    ]


def test_the_bundled_jurisdictions_match_the_region_list_and_the_maps() -> None:
    jurisdictions = bundled()
    assert jurisdictions.codes == ("440000", "370200")
    regions = load_regions([paths.REGIONS, paths.TOWNS])
    assert check_against_regions(jurisdictions, regions) == []
    for j in jurisdictions:
        drawn = {f["properties"]["code"] for f in map_features(j)}
        members = jurisdiction_of(regions, jurisdictions)
        shown = {
            r.code
            for r in regions
            if r.level == j.map_level and r.valid_to is None and members.get(r.code) == j.code
        }
        assert drawn == shown, j.code


@pytest.mark.parametrize(
    ("text", "rule", "where"),
    [
        ("jurisdictions: []\n", "wrong-type", "jurisdictions"),
        (
            "jurisdictions:\n- {code: '440300', name_zh: 深圳市, name_en: Shenzhen, level: city,"
            " reporting_level: province, map_level: county,"
            " map_file: shenzhen_districts.geojson}\n",
            "invalid-choice",
            "jurisdictions[0].reporting_level",
        ),
        (
            "jurisdictions:\n- {code: 440300, name_zh: 深圳市, name_en: Shenzhen, level: city,"
            " reporting_level: county, map_level: county, map_file: shenzhen_districts.geojson}\n",
            "wrong-type",
            "jurisdictions[0].code",
        ),
        (
            "jurisdictions:\n- {code: '440300', name_zh: 深圳市, name_en: Shenzhen, level: city,"
            " reporting_level: county, map_level: county, map_file: nowhere.geojson}\n",
            "no-file",
            "jurisdictions[0].map_file",
        ),
    ],
)
def test_a_broken_jurisdictions_file_names_the_rule_and_the_key(
    tmp_path: Path, text: str, rule: str, where: str
) -> None:
    path = tmp_path / "jurisdictions.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "shenzhen_districts.geojson").write_text("{}", encoding="utf-8")
    jurisdictions, problems = read_jurisdictions(path)
    assert jurisdictions is None
    assert [(p.rule, p.path) for p in problems] == [(rule, f"jurisdictions.yaml: {where}")]
    assert all(p.hint for p in problems)


def test_jurisdictions_are_hashable_for_the_reference_cache() -> None:
    assert isinstance(hash(bundled()), int)
    assert isinstance(bundled(), Jurisdictions)


def test_check_targets_checks_a_catalogue_with_its_jurisdictions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fixture = [
        str(FIXTURES / "targets.yaml"),
        "--seeds",
        str(FIXTURES),
        "--jurisdictions",
        str(FIXTURES / "jurisdictions.yaml"),
    ]
    assert main(["check-targets", *fixture]) == 0
    assert main(["check-targets", *fixture, "--suggest-reported-by"]) == 0
    assert "3 of 3 targets say what the scope suggests" in capsys.readouterr().out


def test_suggest_reported_by_names_the_missing_and_the_different(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (FIXTURES / "targets.yaml").read_text(encoding="utf-8")
    text = text.replace("  reported_by: [county]\n  kind: cumulative", "  kind: cumulative", 1)
    text = text.replace("  reported_by: [city]\n", "  reported_by: [county]\n", 1)
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    jurisdictions = ["--jurisdictions", str(FIXTURES / "jurisdictions.yaml")]
    assert main(["check-targets", str(path), *jurisdictions]) == 1
    assert "targets[0].reported_by: [missing-field]" in capsys.readouterr().out
    assert main(["check-targets", str(path), *jurisdictions, "--suggest-reported-by"]) == 0
    out = capsys.readouterr().out
    assert "targets[0] sz-platforms-2012: reported_by: [county]  (written: missing)" in out
    assert "targets[1] sz-hall-2011: reported_by: [city]  (written: [county])" in out
    assert "1 of 3 targets say what the scope suggests" in out
