"""Labels of the levels goals are set at and reported by: one table, Chinese and English.

The Chinese words are the dashboard's (its level selector on the reporting page); the upload
check's messages, the catalogue page, ``docs/catalogue.md`` and the briefing use the same table.
English is the plain noun, for running text; a button capitalises it.
"""

from __future__ import annotations

from typing import Literal

LEVEL_LABELS: dict[str, tuple[str, str]] = {  # every catalogue Level (tests/test_labels.py)
    "province": ("省级", "province"),
    "city": ("地市", "city"),
    "county": ("县（区）", "county"),
    "town": ("专业镇", "town"),
    "unit": ("单位", "unit"),
}


def level_label(level: str, lang: Literal["zh", "en"] = "zh") -> str:
    """A level's label (an unknown level as written)."""
    labels = LEVEL_LABELS.get(level)
    if labels is None:
        return level
    zh, en = labels
    return zh if lang == "zh" else en
