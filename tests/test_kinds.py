"""The goal-kind registry: complete, used by every module that treats kinds differently, typos
refused, and the briefing's status bands written from the engine's thresholds."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any, get_args

import fastexcel
import pytest
import yaml
from pydantic import ValidationError

from etl.sample import generate_sample
from etl.template import INSTRUCTIONS_SHEET, write_template
from judge.attainment import AT_RISK_R, MIN_COMPLETENESS, ON_TRACK_R
from model import paths
from model.catalogue import Catalogue, Target, parse_catalogue
from model.kinds import KINDS, Kind, Progress, SampleRecipe
from model.periods import Quarter
from model.regions import Region, load_regions
from model.reporting import reported_indicators
from target_monitor.briefing import STRINGS, status_bands
from target_monitor.catalogue_doc import KIND_ZH, render_catalogue_doc

# The modules that treat kinds differently; they look a kind up in the registry.
KIND_USERS = [
    "model/catalogue/schema.py",
    "model/catalogue/problems.py",
    "model/catalogue/rules.py",
    "model/catalogue/load.py",
    "etl/sample/scenarios.py",
    "etl/sample/weights.py",
    "etl/sample/core.py",
    "etl/sample/recipes.py",
    "etl/sample/generate.py",
    "etl/template.py",
    "judge/aggregates.py",
    "judge/series.py",
    "judge/units.py",
    "judge/status.py",
    "judge/detail.py",
    "judge/attainment.py",
    "target_monitor/briefing.py",
    "target_monitor/briefing_text.py",
    "target_monitor/catalogue_doc.py",
]


def _indicator(key: str, unit: str, measure: str, rollup: str, **more: str) -> dict[str, str]:
    return {
        "key": key, "name_zh": f"指标{key}", "name_en": key, "unit": unit, "measure": measure,
        "rollup": rollup, "definition": f"{key} 的定义", **more,
    }  # fmt: skip


def _target(kind: str, indicator: str, unit: str, **more: Any) -> dict[str, Any]:
    return {
        "id": f"k-{kind.replace('_', '-')}", "document": "doc-k", "article": "（一）",
        "quote": "示例条款", "indicator": indicator, "kind": kind, "comparator": ">=",
        "value": 100, "unit": unit, "start": dt.date(2012, 1, 1),
        "deadline": dt.date(2015, 12, 31), "recurrence": "once",
        "scope": {"jurisdiction": "440000", "level": "province", "applies_to": "whole"},
        "reported_by": ["city"], **more,
    }  # fmt: skip


EACH_TOWN = {"jurisdiction": "440000", "level": "town", "applies_to": "each"}


def _one_goal_per_kind() -> dict[str, Any]:
    """A small catalogue: one goal of every kind, in Guangdong."""
    return {
        "documents": [
            {
                "id": "doc-k",
                "title": "示例文件",
                "issuer": "广东省人民政府",
                "date": "2012-01-01",
                "jurisdiction": "440000",
                "seed_file": "k.txt",
            },
        ],
        "indicators": [
            _indicator("platforms", "家", "flow", "sum"),
            _indicator("visits", "户次", "flow", "sum"),
            _indicator("pool", "家", "stock", "sum"),
            _indicator("covered", "个", "stock", "sum"),
            _indicator("centres", "个", "stock", "sum"),
            _indicator(
                "coverage", "%", "stock", "ratio", numerator="covered", denominator="centres"
            ),
            _indicator("town_platforms", "个", "stock", "sum"),
            _indicator("days", "工作日", "stock", "max"),
            _indicator("loan_growth", "%", "stock", "none"),
            _indicator("all_loan_growth", "%", "stock", "none"),
            _indicator("hall_open", "项", "stock", "none"),
        ],
        "targets": [
            _target("cumulative", "platforms", "家", value=500),
            _target("rate", "visits", "户次", value=100000, recurrence="yearly"),
            _target("level", "pool", "家", value=300),
            _target("share", "coverage", "%", value=90),
            _target(
                "per_unit", "town_platforms", "个", value=5, scope=EACH_TOWN, reported_by=["town"]
            ),
            _target("ceiling", "days", "工作日", comparator="<=", value=7, recurrence="yearly"),
            _target(
                "relational",
                "loan_growth",
                "%",
                value=0,
                recurrence="yearly",
                reference_indicator="all_loan_growth",
                reported_by=["province"],  # growth rates do not add up: the province reports
            ),
            _target(
                "milestone",
                "hall_open",
                "项",
                value=1,
                deadline=dt.date(2012, 9, 30),
                reported_by=["province"],
            ),
        ],
    }


@pytest.fixture(scope="module")
def small() -> Catalogue:
    catalogue, problems = parse_catalogue(_one_goal_per_kind())
    assert problems == []
    assert catalogue is not None
    return catalogue


@pytest.fixture(scope="module")
def regions() -> list[Region]:
    return load_regions([paths.REGIONS, paths.TOWNS])


def test_the_registry_holds_every_kind_of_the_type_in_order() -> None:
    assert tuple(KINDS) == get_args(Kind)


def test_every_kind_in_the_catalogue_is_in_the_registry() -> None:
    raw = yaml.safe_load(paths.TARGETS.read_text(encoding="utf-8"))
    kinds = {t["kind"] for t in raw["targets"]}
    assert kinds
    assert kinds <= set(KINDS)


def test_the_small_catalogue_has_one_goal_of_every_kind(small: Catalogue) -> None:
    assert [t.kind for t in small.targets] == list(KINDS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_has_labels_a_template_hint_and_a_sample_recipe(kind: Kind) -> None:
    spec = KINDS[kind]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.label_zh), spec.label_zh
    assert spec.label_en.isascii() and spec.label_en.strip(), spec.label_en
    assert (spec.label("zh"), spec.label("en")) == (spec.label_zh, spec.label_en)
    assert spec.template_hint.strip() and not spec.template_hint.endswith("。")
    assert spec.actual.strip()
    assert spec.sample in get_args(SampleRecipe)
    assert spec.judging.progress in get_args(Progress)
    assert KIND_ZH[kind] == spec.label_zh


def test_the_sample_generates_reports_for_a_goal_of_every_kind(
    small: Catalogue, regions: list[Region]
) -> None:
    frame = generate_sample(small, regions, last_quarter=Quarter(2016, 4))
    reported = set(frame["indicator"].unique())
    for target in small.targets:
        assert set(reported_indicators(target, small)) <= reported, target.kind


def test_the_template_explains_every_kind(
    small: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    write_template(small, regions, "440100", Quarter(2013, 1), out, generated=dt.date(2013, 4, 1))
    sheet = fastexcel.read_excel(out.read_bytes()).load_sheet(INSTRUCTIONS_SHEET, header_row=None)
    text = "\n".join(str(v) for v in sheet.to_polars().to_series(0).drop_nulls())
    for spec in KINDS.values():
        assert f"{spec.label_zh}" in text and f"{spec.template_hint}。" in text


def test_the_catalogue_page_lists_every_kind(small: Catalogue) -> None:
    page = render_catalogue_doc(small)
    for kind, spec in KINDS.items():
        assert f"| `{kind}` | {spec.label_zh} | {spec.label_en} |" in page


def test_a_typo_in_a_kind_is_refused_with_the_nearest_kind() -> None:
    data = _one_goal_per_kind()
    data["targets"][7]["kind"] = "milestne"
    catalogue, problems = parse_catalogue(data)
    assert catalogue is None
    assert [(p.rule, p.path) for p in problems] == [("invalid-choice", "targets[7].kind")]
    assert problems[0].message == "'milestne' is not allowed here"
    assert problems[0].hint.startswith("did you mean 'milestone'? use one of 'cumulative', ")
    with pytest.raises(ValidationError) as raised:
        Target.model_validate(data["targets"][7])
    assert [(e["loc"], e["type"]) for e in raised.value.errors()] == [(("kind",), "literal_error")]


def test_a_word_far_from_every_kind_gets_the_list_only() -> None:
    data = _one_goal_per_kind()
    data["targets"][0]["kind"] = "total"
    _, problems = parse_catalogue(data)
    assert problems[0].hint.startswith("use one of 'cumulative', ")


def test_the_briefings_status_bands_are_the_engines_thresholds() -> None:
    on, risk, done = f"{ON_TRACK_R:.0%}", f"{AT_RISK_R:.0%}", f"{MIN_COMPLETENESS:.0%}"
    assert STRINGS["st.on_track"] == (
        f"实际进展不低于应有进展的 {on}（年度目标：本年度已达标或进度正常）。"
    )
    assert STRINGS["st.at_risk"] == f"实际进展为应有进展的 {risk}～{on}。"
    assert STRINGS["st.off_track"] == (
        f"实际进展不足应有进展的 {risk}，或年度已结束仍未达标、常设标准未达到。"
    )
    assert STRINGS["st.insufficient_data"] == f"上报完整率低于 {done} 或尚无数据，不作判断。"
    # other thresholds, other text: nothing is left typed in by hand
    other = status_bands(on_track=0.9, at_risk=0.5, complete=0.8)
    assert other["st.at_risk"] == "实际进展为应有进展的 50%～90%。"
    assert "90%" in other["st.on_track"] and "50%" in other["st.off_track"]
    assert "80%" in other["st.insufficient_data"]


@pytest.mark.parametrize("module", KIND_USERS)
def test_no_module_compares_a_kind_by_name(module: str) -> None:
    """``kind == "milestone"`` or ``kind in ("share", ...)`` outside the registry means a new kind
    would have to be added there too; look the kind up in ``KINDS`` instead."""
    names = set(KINDS)
    tree = ast.parse((paths.ROOT / module).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for side in [node.left, *node.comparators]:
            items = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
            found += [
                f"line {node.lineno}: {item.value}"
                for item in items
                if isinstance(item, ast.Constant) and item.value in names
            ]
    assert found == []
