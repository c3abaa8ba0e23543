"""One table of level labels (model/labels.py), used by the upload check, the UI, the catalogue
page and docs/catalogue.md, and the briefing."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from etl.load import check_file, reference
from model.catalogue import Level
from model.labels import LEVEL_LABELS, level_label
from target_monitor.catalogue_doc import LEVEL_ZH
from target_monitor.i18n import t

UPLOADS = Path(__file__).parent / "fixtures" / "uploads"


def test_one_label_per_level_in_the_uis_words() -> None:
    assert set(LEVEL_LABELS) == set(get_args(Level))
    assert [level_label(x) for x in get_args(Level)] == [
        "省级",
        "地市",
        "县（区）",
        "专业镇",
        "单位",
    ]
    assert [level_label(x, "en") for x in get_args(Level)] == [
        "province", "city", "county", "town", "unit"
    ]  # fmt: skip
    assert level_label("district") == "district"  # an unknown level as written


def test_the_ui_and_the_catalogue_use_the_table() -> None:
    assert [t(f"level.{x}") for x in ("province", "city", "county", "town")] == [
        "省级", "地市", "县（区）", "专业镇"
    ]  # fmt: skip
    assert [t(f"level.{x}", "en") for x in ("province", "city", "county", "town")] == [
        "Province", "City", "County", "Town"
    ]  # fmt: skip
    assert {level: zh for level, (zh, _) in LEVEL_LABELS.items()} == LEVEL_ZH


def test_the_validation_message_names_the_level_in_the_uis_words() -> None:
    name = "indicator-not-applicable.csv"  # 广州市 (a city) reports a 青岛市 indicator
    issues, _, _, _ = check_file((UPLOADS / name).read_bytes(), name, db=None, ref=reference())
    (issue,) = [i for i in issues if i.rule == "indicator-not-applicable"]
    assert issue.message_zh == "指标“qd_zjtx_upgrade_programme_firms”不由地市“广州市”上报"
    assert issue.message_en == (
        "indicator 'qd_zjtx_upgrade_programme_firms' is not reported by city '广州市'"
    )
