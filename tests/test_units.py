"""The register of units: its file checked rule by rule, adding units as an admin, unit codes in
uploads and templates (issue 11, item 2).

One bad file per registration rule in ``tests/fixtures/units/``, named after it: a good first
row, the fault on row 3.  Real warehouses, real CSV files, the CLI run in-process.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.build import init_warehouse
from etl.load import check_file, load_file, reference
from etl.template import template_rows
from model import paths
from model.catalogue import Catalogue
from model.catalogue import load_catalogue as load
from model.issues import RULES
from model.periods import Quarter
from model.unit_file import load_units, read_unit_file
from model.units import UNITS, bundled_kinds, check_unit_kinds, is_unit_code
from tests.cli_runner import Cli
from warehouse.connect import connect
from warehouse.units import registered_units

FIXTURES = Path(__file__).parent / "fixtures" / "units"
HEADER = "region_code,indicator,period,value,note\n"
CSV_HEADER = "code,name,kind,level,parent_code,valid_from,valid_to,source,note"

EXPECTED: dict[str, list[tuple[str, int | None, str | None]]] = {
    "unit-file.csv": [("unit-file", None, None)],
    "unit-field-missing.csv": [("unit-field-missing", 3, "name")],
    "unit-kind-unknown.csv": [("unit-kind-unknown", 3, "kind")],
    "unit-code-shape.csv": [("unit-code-shape", 3, "code")],
    "unit-parent-unknown.csv": [("unit-parent-unknown", 3, "parent_code")],
    "unit-level.csv": [("unit-level", 3, "level")],
    "unit-bad-date.csv": [("unit-bad-date", 3, "valid_from")],
    "unit-dates-order.csv": [("unit-dates-order", 3, "valid_to")],
    "unit-duplicate-code.csv": [("unit-duplicate-code", 3, "code")],
    "unit-overlap.csv": [("unit-overlap", 3, "valid_from")],
}


@pytest.fixture
def warehouse(tmp_path: Path, cli: Cli) -> Path:
    """A fresh warehouse (no sample) with an admin and a bureau of 广州市 (440100)."""
    db = tmp_path / "w.duckdb"
    init_warehouse(db)
    for name, role, region in (("boss", "admin", None), ("gz", "bureau", "440100")):
        args = ["users", "add", name, "--role", role, "--password-stdin", "--db", str(db)]
        ran = cli(*args, *(["--region", region] if region else []), stdin="secret-pass-1\n")
        assert ran.returncode == 0, ran.stderr
    return db


def _add(cli: Cli, db: Path, name: str, user: str = "boss") -> tuple[int, dict[str, Any]]:
    ran = cli("units", "add", str(FIXTURES / name), "--user", user, "--db", str(db), "--json")
    return ran.returncode, json.loads(ran.stdout) if ran.stdout else {}


# --------------------------------------------------------------------------------------------
# the file of units, rule by rule


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unit_file_fires_exactly_its_rule(name: str) -> None:
    regions = reference().regions
    registered = load_units(UNITS, regions)  # the provincial centre, valid since ever
    checked = read_unit_file(
        (FIXTURES / name).read_bytes(), name, regions=regions, registered=registered
    )
    assert [(i.rule, i.row, i.column) for i in checked.issues] == EXPECTED[name]
    assert checked.units == ()  # nothing from a file with any problem
    for issue in checked.issues:
        assert issue.file == name
        assert issue.message_zh and issue.message_en and issue.fix_zh and issue.fix_en


def test_every_registration_rule_has_its_fixture() -> None:
    upload_rules = {"unit-unknown", "unit-expired", "unit-out-of-scope"}  # test_upload_rules.py
    unit_rules = {r for r in RULES if r.startswith("unit-")} - upload_rules
    assert {rule for expected in EXPECTED.values() for rule, _, _ in expected} == unit_rules
    assert {f"{r}.csv" for r in unit_rules} == {p.name for p in FIXTURES.glob("unit-*.csv")}


def test_code_shape_names_an_example_with_the_kinds_letters() -> None:
    checked = read_unit_file(
        (FIXTURES / "unit-code-shape.csv").read_bytes(), "f.csv", regions=reference().regions
    )
    assert "440300-FW01" in checked.issues[0].message_en
    assert "440300-FW01" in checked.issues[0].fix_zh


@pytest.mark.parametrize(
    ("code", "kind", "parent"),
    [
        ("449999-FW01", "service_centre", "440100"),  # the prefix is no region's code
        ("440100-PT01", "service_centre", "440100"),  # the letters are a platform's
    ],
)
def test_a_code_is_its_parent_region_and_its_kinds_letters(
    code: str, kind: str, parent: str
) -> None:
    data = f"{CSV_HEADER}\n{code},测试,{kind},city,{parent},,,tests,\n".encode()
    checked = read_unit_file(data, "f.csv", regions=reference().regions)
    assert [(i.rule, i.row, i.column) for i in checked.issues] == [("unit-code-shape", 2, "code")]


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("440100-FW01", True),
        ("441900113-PT02", True),
        ("440300-JD044", True),
        ("440100", False),  # a region code is never a unit's
        ("441900113", False),
        ("440100FW01", False),
        ("440100-fw01", False),
        ("44010-FW01", False),
    ],
)
def test_unit_codes_cannot_be_taken_for_region_codes(code: str, unit: bool) -> None:
    assert is_unit_code(code) is unit


def test_bundled_register_holds_only_the_sourced_provincial_centre() -> None:
    units = load_units(UNITS, reference().regions)
    assert [(u.code, u.kind, u.level, u.parent_code, u.valid_from) for u in units] == [
        ("440000-FW01", "service_centre", "province", "440000", None)
    ]
    assert "003_713b11045db8ae4b.txt" in units[0].source


# --------------------------------------------------------------------------------------------
# the catalogue names the register kind of every per-unit goal


def test_every_per_unit_goal_maps_to_a_register_kind() -> None:
    catalogue = load(paths.TARGETS)
    assert check_unit_kinds(catalogue) == []
    kinds = bundled_kinds()
    mapped = {t.id: kinds.of_target(t) for t in catalogue.targets if t.scope.level == "unit"}
    assert mapped["gdcentre-annual-sme-report"] == (
        "service_centre",
        ("province", "city", "county"),
    )
    assert mapped["gdcentre-city-centre-staff"] == ("service_centre", ("city",))
    assert mapped["gdtown-smes-served-per-platform"] == ("platform", ("town",))
    bases = mapped["gd2012act-policy-tour-bases-2012"]
    assert bases is not None and bases[0] == "startup_base"


def test_an_unmapped_unit_kind_is_a_catalogue_problem() -> None:
    catalogue = load(paths.TARGETS)
    targets = list(catalogue.targets)
    i = next(i for i, t in enumerate(targets) if t.id == "gdcentre-city-centre-staff")
    scope = targets[i].scope.model_copy(update={"unit_kind": "区级服务站"})
    targets[i] = targets[i].model_copy(update={"scope": scope})
    changed = Catalogue(
        catalogue.documents, catalogue.indicators, tuple(targets), catalogue.parameters
    )
    problems = check_unit_kinds(changed)
    assert [(p.rule, p.path) for p in problems] == [
        ("unit-kind-unmapped", f"targets[{i}].scope.unit_kind")
    ]


def test_check_targets_passes_with_the_mapping(cli: Cli) -> None:
    ran = cli("check-targets")
    assert ran.returncode == 0, ran.stdout + ran.stderr


# --------------------------------------------------------------------------------------------
# target-monitor units add


def test_admin_adds_units_and_re_adding_changes_nothing(warehouse: Path, cli: Cli) -> None:
    status, out = _add(cli, warehouse, "good.csv")
    assert status == 0
    assert (out["accepted"], out["new"], out["changed"], out["unchanged"]) == (True, 4, 0, 0)
    with connect(warehouse) as con:
        codes = [u.code for u in registered_units(con)]
        actions = con.execute(
            "SELECT action, actor, target FROM audit_log WHERE action LIKE 'units%'"
            " ORDER BY audit_id"
        ).fetchall()
    assert codes == [
        "440000-FW01",  # data/units.csv, registered by init
        "440100-FW01",
        "440100-JD01",
        "440114109-PT01",
        "440300-FW01",
    ]
    assert actions == [("units_add", "init", "units.csv"), ("units_add", "boss", "good.csv")]
    status, out = _add(cli, warehouse, "good.csv")
    assert (status, out["new"], out["changed"], out["unchanged"]) == (0, 0, 0, 4)


def test_a_corrected_unit_is_a_new_revision(warehouse: Path, cli: Cli, tmp_path: Path) -> None:
    assert _add(cli, warehouse, "good.csv")[0] == 0
    closed = (
        (FIXTURES / "good.csv")
        .read_text(encoding="utf-8")
        .replace(
            "440300-FW01,测试深圳市中小企业服务中心,service_centre,city,440300,,,",
            "440300-FW01,测试深圳市中小企业服务中心,service_centre,city,440300,,2019-01-01,",
        )
    )
    (tmp_path / "closed.csv").write_text(closed, encoding="utf-8")
    ran = cli("units", "add", str(tmp_path / "closed.csv"), "--user", "boss",
              "--db", str(warehouse), "--json")  # fmt: skip
    out = json.loads(ran.stdout)
    assert (ran.returncode, out["new"], out["changed"], out["unchanged"]) == (0, 0, 1, 3)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT revision, valid_to FROM units WHERE code = '440300-FW01' ORDER BY revision"
        ).fetchall()
    assert rows == [(1, None), (2, dt.date(2019, 1, 1))]  # nothing overwritten


def test_a_bad_file_registers_nothing_and_is_audited(warehouse: Path, cli: Cli) -> None:
    status, out = _add(cli, warehouse, "unit-level.csv")
    assert status == 1
    assert out["accepted"] is False
    assert [(i["rule"], i["row"], i["column"]) for i in out["issues"]] == [
        ("unit-level", 3, "level")
    ]
    with connect(warehouse) as con:
        assert [u.code for u in registered_units(con)] == ["440000-FW01"]
        rejected = con.execute(
            "SELECT detail FROM audit_log WHERE action = 'units_rejected'"
        ).fetchall()
    assert [json.loads(d)["errors"] for (d,) in rejected] == [["3 unit-level"]]


def test_only_an_admin_adds_units(warehouse: Path, cli: Cli) -> None:
    ran = cli("units", "add", str(FIXTURES / "good.csv"), "--user", "gz", "--db", str(warehouse))
    assert ran.returncode == 1
    assert "only an admin can add units" in ran.stderr
    ran = cli("units", "add", str(FIXTURES / "good.csv"), "--user", "nobody",
              "--db", str(warehouse))  # fmt: skip
    assert ran.returncode == 1
    with connect(warehouse) as con:
        assert len(registered_units(con)) == 1


def test_init_again_keeps_the_admins_units(warehouse: Path, cli: Cli) -> None:
    assert _add(cli, warehouse, "good.csv")[0] == 0
    counts = init_warehouse(warehouse)
    assert counts["units"] == 5
    with connect(warehouse) as con:
        assert con.execute("SELECT count(*) FROM units").fetchone() == (5,)


# --------------------------------------------------------------------------------------------
# unit codes in uploads, against the warehouse's register


def _upload(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")


def test_uploads_carry_unit_codes_checked_against_the_warehouse(warehouse: Path, cli: Cli) -> None:
    assert _add(cli, warehouse, "good.csv")[0] == 0
    data = _upload(
        "440100-FW01,service_centre_staff,2017Q2,8,",  # ok
        "440300-FW01,service_centre_staff,2017Q2,7,",  # 深圳's centre: outside 440100
        "440114109-PT01,platform_smes_served,2016Q1,60,",  # closed on 2016-01-01
        "440114109-PT09,platform_smes_served,2015Q1,60,",  # not registered
    )
    issues, rows, _, _ = check_file(
        data, "u.csv", db=warehouse, region="440100", today=dt.date(2019, 1, 20)
    )
    assert rows is None  # the batch is refused whole
    assert [(i.rule, i.row, i.column) for i in issues] == [
        ("unit-out-of-scope", 3, "region_code"),
        ("unit-expired", 4, "region_code"),
        ("unit-unknown", 5, "region_code"),
    ]
    assert "440300" in issues[0].message_en and "440100 广州市" in issues[0].message_en
    assert "2013-01-01 to 2016-01-01" in issues[1].message_en


def test_a_bureau_loads_its_units_figures(warehouse: Path, cli: Cli) -> None:
    assert _add(cli, warehouse, "good.csv")[0] == 0
    data = _upload(
        "440100-FW01,service_centre_staff,2017Q2,8,",
        "440114109-PT01,platform_smes_served,2015Q1,60,",  # a platform of a town of 广州
    )
    result = load_file(data, db=warehouse, name="gz.csv", region="440100",
                       today=dt.date(2019, 1, 20))  # fmt: skip
    assert result.status == "committed", [(i.rule, i.row) for i in result.issues]
    assert result.rows_new == 2


def test_a_region_no_longer_reports_a_units_indicator(warehouse: Path) -> None:
    issues, rows, _, _ = check_file(
        _upload("440100,service_centre_staff,2017Q2,8,"), "u.csv", db=warehouse,
        today=dt.date(2019, 1, 20),
    )  # fmt: skip
    assert rows is None
    assert [(i.rule, i.row, i.column) for i in issues] == [
        ("indicator-not-applicable", 2, "indicator")
    ]


# --------------------------------------------------------------------------------------------
# the template lists a region's units


def test_template_lists_the_regions_units_with_their_indicators(warehouse: Path, cli: Cli) -> None:
    assert _add(cli, warehouse, "good.csv")[0] == 0
    ref = reference()
    with connect(warehouse) as con:
        units = registered_units(con)
    rows = template_rows(ref.catalogue, ref.regions, "440114109", Quarter(2014, 3), units=units)
    assert [(r.region_code, r.indicator) for r in rows] == [
        ("440114109", "town_smb_service_platforms"),
        ("440114109-PT01", "platform_smes_served"),
        ("440114109-PT01", "platform_qualified_staff"),
        ("440114109-PT01", "platform_service_staff"),
    ]
    after = template_rows(ref.catalogue, ref.regions, "440114109", Quarter(2016, 1), units=units)
    assert [r.region_code for r in after] == []  # the platform closed; the goals are over
    city = template_rows(ref.catalogue, ref.regions, "440100", Quarter(2017, 3), units=units)
    assert [(r.region_code, r.indicator) for r in city if r.region_code != "440100"] == [
        ("440100-FW01", "service_centre_floor_area"),
        ("440100-FW01", "service_centre_staff"),
        ("440100-FW01", "service_centre_professional_staff"),
        ("440100-FW01", "service_centre_sme_reports_published"),
        ("440100-FW01", "service_centre_evaluations"),
    ]
    # 440100-JD01 (a startup base) reports nothing in 2017: its only goal was 2012's


def test_the_admin_page_shows_the_register(warehouse: Path, cli: Cli) -> None:
    from tests.test_accounts import dashboard, log_in

    assert _add(cli, warehouse, "good.csv")[0] == 0
    at = log_in(dashboard(warehouse), "boss", "secret-pass-1")
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    register = next(d.value for d in at.dataframe if "parent_code" in d.value.columns)
    assert register["code"].tolist() == [
        "440000-FW01",
        "440100-FW01",
        "440100-JD01",
        "440114109-PT01",
        "440300-FW01",
    ]
    labels = [getattr(u, "label", None) for u in at.get("file_uploader")]
    assert "单位名录文件（CSV）" in labels


def test_validate_checks_unit_codes_against_the_warehouse_given(
    warehouse: Path, cli: Cli, tmp_path: Path
) -> None:
    assert _add(cli, warehouse, "good.csv")[0] == 0
    upload = tmp_path / "u.csv"
    upload.write_bytes(_upload("440100-FW01,service_centre_staff,2017Q2,8,"))
    with_db = cli("validate", str(upload), "--db", str(warehouse), "--json")
    assert (with_db.returncode, json.loads(with_db.stdout)["issues"]) == (0, [])
    alone = cli("validate", str(upload), "--json")  # data/units.csv only: no 广州 centre
    assert alone.returncode == 1
    assert [i["rule"] for i in json.loads(alone.stdout)["issues"]] == ["unit-unknown"]
