"""One broken catalogue per rule, asserting the exact rule that fired and the YAML path."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from model.catalogue import CatalogueError, load_catalogue, parse_catalogue, read_catalogue

SEED_TEXT = "到2015年，全省认定省级中小企业公共服务示范平台500家。每年培训企业经营管理人才1万人次。"

GOOD: dict[str, Any] = {
    "documents": [
        {
            "id": "doc-a",
            "number": "粤办函〔2012〕624号",
            "title": "示例文件",
            "issuer": "广东省人民政府办公厅",
            "date": "2012-09-24",
            "jurisdiction": "440000",
            "seed_file": "a.txt",
        }
    ],
    "indicators": [
        {
            "key": "demo_platforms",
            "name_zh": "省级示范平台",
            "name_en": "Demonstration platforms",
            "unit": "家",
            "measure": "flow",
            "rollup": "sum",
            "definition": "当期新认定的省级示范平台数",
        },
        {
            "key": "trainees",
            "name_zh": "培训人次",
            "name_en": "Trainees",
            "unit": "人次",
            "measure": "flow",
            "rollup": "sum",
            "definition": "当期培训的企业经营管理人员人次",
        },
    ],
    "targets": [
        {
            "id": "a-platforms-2015",
            "document": "doc-a",
            "article": "（九）",
            "quote": "全省认定省级中小企业公共服务示范平台500家",
            "indicator": "demo_platforms",
            "scope": {"jurisdiction": "440000", "level": "province", "applies_to": "whole"},
            "reported_by": ["city"],
            "kind": "cumulative",
            "comparator": ">=",
            "value": 500,
            "unit": "家",
            "start": "2011-01-01",
            "deadline": "2015-12-31",
            "recurrence": "once",
            "lead": ["省经济和信息化委"],
        },
        {
            "id": "a-training-yearly",
            "document": "doc-a",
            "article": "（二十三）",
            "quote": "每年培训企业经营管理人才1万人次",
            "indicator": "trainees",
            "scope": {"jurisdiction": "440000", "level": "province", "applies_to": "whole"},
            "reported_by": ["city"],
            "kind": "rate",
            "comparator": ">=",
            "value": 10000,
            "unit": "人次",
            "start": "2012-01-01",
            "deadline": "2015-12-31",
            "recurrence": "yearly",
        },
    ],
    "parameters": [],
}


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(SEED_TEXT, encoding="utf-8")
    return tmp_path


def test_good_catalogue_has_no_problems(seeds: Path) -> None:
    catalogue, problems = parse_catalogue(copy.deepcopy(GOOD), seeds)
    assert problems == []
    assert catalogue is not None
    assert [t.id for t in catalogue.targets] == ["a-platforms-2015", "a-training-yearly"]
    assert catalogue.target("a-training-yearly").value == 10000


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return mutate


def _append_copy(section: str, index: int) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data[section].append(copy.deepcopy(data[section][index]))

    return mutate


CASES: list[tuple[str, Mutation, str, str]] = [
    ("unknown key", _set("targets.0.valeu", 5), "unknown-key", "targets[0].valeu"),
    ("unknown top-level key", _set("goals", []), "unknown-key", "goals"),
    (
        "wrong type: number as text",
        _set("targets.0.value", "500家"),
        "wrong-type",
        "targets[0].value",
    ),
    (
        "wrong type: code unquoted",
        _set("documents.0.jurisdiction", 440000),
        "wrong-type",
        "documents[0].jurisdiction",
    ),
    (
        "wrong type: bad date",
        _set("targets.1.deadline", "2015年底"),
        "wrong-type",
        "targets[1].deadline",
    ),
    ("wrong type: lead not a list", _set("targets.0.lead", 7), "wrong-type", "targets[0].lead"),
    (
        "invalid choice of kind",
        _set("targets.0.kind", "total"),
        "invalid-choice",
        "targets[0].kind",
    ),
    (
        "invalid choice of level",
        _set("targets.0.scope.level", "nation"),
        "invalid-choice",
        "targets[0].scope.level",
    ),
    ("bad id format", _set("targets.0.id", "A Platforms"), "invalid-format", "targets[0].id"),
    ("missing field", _delete("targets.1.deadline"), "missing-field", "targets[1].deadline"),
    ("missing quote", _delete("targets.0.quote"), "missing-quote", "targets[0].quote"),
    ("empty quote", _set("targets.1.quote", ""), "missing-quote", "targets[1].quote"),
    ("duplicate target id", _append_copy("targets", 0), "duplicate-id", "targets[2].id"),
    ("duplicate indicator key", _append_copy("indicators", 1), "duplicate-id", "indicators[2].key"),
    (
        "unknown document",
        _set("targets.1.document", "doc-b"),
        "unknown-document",
        "targets[1].document",
    ),
    (
        "unknown indicator",
        _set("targets.0.indicator", "platforms"),
        "unknown-indicator",
        "targets[0].indicator",
    ),
    (
        "deadline before start",
        _set("targets.0.deadline", "2010-12-31"),
        "deadline-before-start",
        "targets[0].deadline",
    ),
    (
        "range without max",
        _set("targets.0.comparator", "between"),
        "value-shape",
        "targets[0].value",
    ),
    ("unit mismatch", _set("targets.1.unit", "万人次"), "unit-mismatch", "targets[1].unit"),
    (
        "relational without reference",
        _set("targets.0.kind", "relational"),
        "missing-reference",
        "targets[0].reference_indicator",
    ),
    (
        "scope outside the document",
        _set("targets.0.scope.jurisdiction", "370200"),
        "scope-outside-document",
        "targets[0].scope.jurisdiction",
    ),
    (
        "per-unit goal on the whole",
        _set("targets.0.kind", "per_unit"),
        "per-unit-scope",
        "targets[0].scope.applies_to",
    ),
    (
        "quote not in the source",
        _set("targets.0.quote", "全省认定示范平台600家"),
        "quote-not-in-source",
        "targets[0].quote",
    ),
    (
        "seed file missing",
        _set("documents.0.seed_file", "zz.txt"),
        "unknown-seed-file",
        "documents[0].seed_file",
    ),
    (
        "who reports it is missing",
        _delete("targets.0.reported_by"),
        "missing-field",
        "targets[0].reported_by",
    ),
    (
        "who reports it: not a level",
        _set("targets.1.reported_by", ["city", "cities"]),
        "invalid-choice",
        "targets[1].reported_by[1]",
    ),
    (
        "who reports it: a level, not a list",
        _set("targets.0.reported_by", "city"),
        "wrong-type",
        "targets[0].reported_by",
    ),
    (
        "who reports it: nobody",
        _set("targets.0.reported_by", []),
        "reported-by-shape",
        "targets[0].reported_by",
    ),
    (
        "who reports it: a level twice",
        _set("targets.1.reported_by", ["city", "city"]),
        "reported-by-shape",
        "targets[1].reported_by",
    ),
    (
        "a goal on each county reported by the cities",
        _set(
            "targets.0.scope", {"jurisdiction": "440000", "level": "county", "applies_to": "each"}
        ),
        "reported-by-scope",
        "targets[0].reported_by",
    ),
    (
        "ratio without parts",
        _set("indicators.0.rollup", "ratio"),
        "ratio-without-parts",
        "indicators[0].rollup",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "rule", "path"),
    [pytest.param(m, r, p, id=name) for name, m, r, p in CASES],
)
def test_each_rule_names_its_path(seeds: Path, mutate: Mutation, rule: str, path: str) -> None:
    data = copy.deepcopy(GOOD)
    mutate(data)
    catalogue, problems = parse_catalogue(data, seeds)
    assert catalogue is None
    assert (rule, path) in [(p.rule, p.path) for p in problems], problems
    assert all(p.hint for p in problems)


def test_all_problems_are_listed_at_once(seeds: Path) -> None:
    data = copy.deepcopy(GOOD)
    data["targets"][0]["valeu"] = 1
    data["targets"][1]["document"] = "doc-x"
    data["indicators"][0]["measure"] = "level"
    _, problems = parse_catalogue(data, seeds)
    assert sorted((p.rule, p.path) for p in problems) == [
        ("invalid-choice", "indicators[0].measure"),
        ("unknown-document", "targets[1].document"),
        ("unknown-key", "targets[0].valeu"),
    ]


def test_unknown_key_hint_lists_the_allowed_keys(seeds: Path) -> None:
    data = copy.deepcopy(GOOD)
    data["targets"][0]["dealine"] = "2015-12-31"
    _, problems = parse_catalogue(data, seeds)
    (problem,) = problems
    assert "deadline" in problem.hint and problem.message == "unknown key 'dealine'"


def test_region_code_hint_says_quote_it(seeds: Path) -> None:
    data = copy.deepcopy(GOOD)
    data["targets"][0]["scope"]["jurisdiction"] = 440000
    _, problems = parse_catalogue(data, seeds)
    assert [(p.rule, p.path) for p in problems] == [("wrong-type", "targets[0].scope.jurisdiction")]
    assert "'440000'" in problems[0].hint


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_duplicate_yaml_key_is_named_with_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        documents: []
        indicators: []
        targets: []
        indicators: []
        """,
    )
    _, problems = read_catalogue(path)
    assert [(p.rule, p.path) for p in problems] == [("duplicate-key", "line 4")]


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "documents:\n  - id: a\n   title: b\n")
    _, problems = read_catalogue(path)
    assert [(p.rule, p.path) for p in problems] == [("yaml-syntax", "line 3, column 4")]


def test_load_catalogue_raises_with_every_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, "documents: []\nindicators: []\n")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert [(p.rule, p.path) for p in info.value.problems] == [("missing-field", "targets")]


# ---------------------------------------------------------------------------------------------
# Stages (follows), baselines, hold, recurrence cycles, the verified flag (model.catalogue.stages)


def _staged() -> dict[str, Any]:
    """GOOD plus a stock indicator and two stages on it: 5,000 by 2018, then 10,000 by 2020."""
    data = copy.deepcopy(GOOD)
    data["indicators"].append(
        {
            "key": "providers",
            "name_zh": "服务机构数",
            "name_en": "Service providers",
            "unit": "家",
            "measure": "stock",
            "rollup": "sum",
            "definition": "期末在册的服务机构数",
        }
    )
    stage = {
        **copy.deepcopy(GOOD["targets"][0]),
        "indicator": "providers",
        "kind": "level",
        "start": "2017-01-01",
    }
    data["targets"] += [
        {**stage, "id": "p-2018", "value": 5000, "deadline": "2018-12-31"},
        {**stage, "id": "p-2020", "value": 10000, "deadline": "2020-12-31", "follows": "p-2018"},
    ]
    return data


def _problems(data: dict[str, Any], seeds: Path) -> list[tuple[str, str, str]]:
    catalogue, problems = parse_catalogue(data, seeds)
    assert (catalogue is None) == bool(problems)
    assert all(p.hint for p in problems)
    return [(p.rule, p.path, p.message) for p in problems]


def test_staged_goals_baselines_and_holds_parse(seeds: Path) -> None:
    data = _staged()
    data["targets"][2]["baseline"] = {
        "value": 4000,
        "date": "2016-12-31",
        "source": "示例文件（二）：现有服务机构4000家",
    }
    data["targets"][2]["hold"] = True
    data["targets"][1]["recurrence"] = "biennial"  # 2012-2015: two two-year cycles
    data["targets"][0]["verified"] = False
    data["targets"][0]["unverified_reason"] = "种子文本中数字间有私用区字符，待核对公开文本"
    catalogue, problems = parse_catalogue(data, seeds)
    assert problems == []
    assert catalogue is not None
    later, earlier = catalogue.target("p-2020"), catalogue.target("p-2018")
    assert later.follows == "p-2018" and earlier.follows is None
    assert earlier.baseline is not None and earlier.baseline.value == 4000
    assert earlier.baseline.source.startswith("示例文件")
    assert earlier.hold and not later.hold
    assert not catalogue.target("a-platforms-2015").verified
    assert catalogue.target("a-training-yearly").verified


def test_follows_an_unknown_target(seeds: Path) -> None:
    data = _staged()
    data["targets"][3]["follows"] = "p-2019"
    _, problems = parse_catalogue(data, seeds)
    assert [(p.rule, p.path, p.message) for p in problems] == [
        (
            "follows-unknown",
            "targets[3].follows",
            "target 'p-2020' follows 'p-2019', which is not a target",
        )
    ]
    assert problems[0].hint.startswith("did you mean 'p-2018'?")


def test_follows_a_goal_on_another_indicator(seeds: Path) -> None:
    data = _staged()
    data["targets"][3]["follows"] = "a-platforms-2015"
    assert _problems(data, seeds) == [
        (
            "follows-mismatch",
            "targets[3].follows",
            "target 'p-2020' follows 'a-platforms-2015' (targets[0]), which has another indicator",
        )
    ]


def test_follows_a_goal_on_another_scope(seeds: Path) -> None:
    data = _staged()
    data["targets"][2]["scope"] = {"jurisdiction": "440000", "level": "city", "applies_to": "each"}
    data["targets"][2]["reported_by"] = ["city"]
    assert _problems(data, seeds) == [
        (
            "follows-mismatch",
            "targets[3].follows",
            "target 'p-2020' follows 'p-2018' (targets[2]), which has another scope",
        )
    ]


def test_follows_a_later_stage(seeds: Path) -> None:
    data = _staged()
    del data["targets"][3]["follows"]
    data["targets"][2]["follows"] = "p-2020"
    assert _problems(data, seeds) == [
        (
            "follows-order",
            "targets[2].follows",
            "target 'p-2018' (deadline 2018-12-31) follows 'p-2020', whose deadline 2020-12-31 "
            "is not earlier",
        )
    ]


def test_stages_in_a_circle(seeds: Path) -> None:
    data = _staged()
    data["targets"][2]["follows"] = "p-2020"
    assert _problems(data, seeds) == [
        (
            "follows-order",
            "targets[2].follows",
            "target 'p-2018' (deadline 2018-12-31) follows 'p-2020', whose deadline 2020-12-31 "
            "is not earlier",
        ),
        (
            "follows-cycle",
            "targets[2].follows",
            "stages follow each other in a circle: p-2018 → p-2020 → p-2018",
        ),
        (
            "follows-cycle",
            "targets[3].follows",
            "stages follow each other in a circle: p-2020 → p-2018 → p-2020",
        ),
    ]


def test_a_goal_cannot_follow_itself(seeds: Path) -> None:
    data = _staged()
    data["targets"][2]["follows"] = "p-2018"
    assert [(rule, message) for rule, _, message in _problems(data, seeds)] == [
        (
            "follows-order",
            "target 'p-2018' (deadline 2018-12-31) follows 'p-2018', whose deadline 2018-12-31 "
            "is not earlier",
        ),
        ("follows-cycle", "stages follow each other in a circle: p-2018 → p-2018"),
    ]


_BASELINE = {"value": 44, "date": "2012-04-28", "source": "001 二、（二）：44个省小企业创业基地"}


def test_baseline_on_a_flow(seeds: Path) -> None:
    data = _staged()
    data["targets"][0]["baseline"] = {**_BASELINE, "date": "2010-12-31"}
    assert _problems(data, seeds) == [
        (
            "baseline-on-flow",
            "targets[0].baseline",
            "target 'a-platforms-2015' is on the flow 'demo_platforms', which counts from 0 at "
            "the start",
        )
    ]


def test_baseline_after_the_start(seeds: Path) -> None:
    data = _staged()
    data["targets"][2]["baseline"] = {**_BASELINE, "date": "2017-03-31"}
    assert _problems(data, seeds) == [
        (
            "baseline-after-start",
            "targets[2].baseline.date",
            "the baseline of 'p-2018' is dated 2017-03-31, after the start 2017-01-01",
        )
    ]


def test_baseline_beside_follows(seeds: Path) -> None:
    data = _staged()
    data["targets"][3]["baseline"] = {**_BASELINE, "date": "2016-12-31"}
    assert _problems(data, seeds) == [
        (
            "baseline-and-follows",
            "targets[3].baseline",
            "target 'p-2020' has a baseline and also follows 'p-2018'",
        )
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [pytest.param("value", 44, id="no source"), pytest.param("source", "", id="empty source")],
)
def test_baseline_needs_a_source(seeds: Path, field: str, value: object) -> None:
    data = _staged()
    baseline = {**_BASELINE, "date": "2016-12-31"}
    if field == "value":
        del baseline["source"]
    else:
        baseline[field] = value
    data["targets"][2]["baseline"] = baseline
    rules = [(rule, path) for rule, path, _ in _problems(data, seeds)]
    expected = "missing-field" if field == "value" else "invalid-value"
    assert rules == [(expected, "targets[2].baseline.source")]


def test_hold_on_a_flow(seeds: Path) -> None:
    data = _staged()
    data["targets"][0]["hold"] = True
    assert _problems(data, seeds) == [
        (
            "hold-shape",
            "targets[0].hold",
            "target 'a-platforms-2015' is a cumulative goal on 'demo_platforms'; 'hold' is for a "
            "level kept over the window",
        )
    ]


def test_hold_on_a_yearly_goal(seeds: Path) -> None:
    data = _staged()
    data["targets"][2]["hold"] = True
    data["targets"][2]["recurrence"] = "yearly"
    assert _problems(data, seeds) == [
        (
            "hold-shape",
            "targets[2].hold",
            "target 'p-2018' is yearly and held: a held level is judged in every quarter of one "
            "window",
        )
    ]


@pytest.mark.parametrize(
    ("recurrence", "deadline", "message"),
    [
        pytest.param(
            "biennial",
            "2014-12-31",
            "biennial target 'a-training-yearly' runs 2012-01-01 to 2014-12-31, not a whole "
            "number of two-year cycles counted from 2012",
            id="biennial over three years",
        ),
        pytest.param(
            "yearly",
            "2015-06-30",
            "yearly target 'a-training-yearly' runs 2012-01-01 to 2015-06-30, not a whole "
            "number of one-year cycles counted from 2012",
            id="yearly ending mid-year",
        ),
    ],
)
def test_recurring_goal_in_whole_cycles(
    seeds: Path, recurrence: str, deadline: str, message: str
) -> None:
    data = _staged()
    data["targets"][1]["recurrence"] = recurrence
    data["targets"][1]["deadline"] = deadline
    assert _problems(data, seeds) == [("recurrence-cycles", "targets[1].deadline", message)]


def test_unverified_needs_a_reason(seeds: Path) -> None:
    data = _staged()
    data["targets"][0]["verified"] = False
    data["targets"][1]["unverified_reason"] = "待核对"
    assert _problems(data, seeds) == [
        (
            "unverified-reason",
            "targets[0].unverified_reason",
            "target 'a-platforms-2015' is marked unverified without saying why",
        ),
        (
            "unverified-reason",
            "targets[1].unverified_reason",
            "target 'a-training-yearly' gives a reason for doubt but is not marked unverified",
        ),
    ]


def test_every_target_key_and_time_rule_is_documented() -> None:
    from model import paths
    from model.catalogue import Target

    text = (paths.ROOT / "docs" / "catalogue-format.md").read_text(encoding="utf-8")
    table = text.split("## `targets:`")[1].split("###")[0]
    undocumented = [key for key in Target.model_fields if f"`{key}`" not in table]
    assert undocumented == []
    for rule in (
        "follows-unknown",
        "follows-mismatch",
        "follows-order",
        "follows-cycle",
        "baseline-on-flow",
        "baseline-after-start",
        "baseline-and-follows",
        "hold-shape",
        "recurrence-cycles",
        "unverified-reason",
    ):
        assert f"`{rule}`" in text, rule
