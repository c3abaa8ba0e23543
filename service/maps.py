"""The regions page's map: a goal's per-region figures rolled up to its jurisdiction's map level.

Which level the map shows and which file draws it are data (``map_level`` and ``map_file`` in
``data/jurisdictions.yaml``): Guangdong's goals are drawn by city, Qingdao's by district.  Every
reporting region is drawn at its ancestor (or itself) of that level; 顺德区 (a county reporting
beside the cities) is drawn inside 佛山市.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from model.jurisdictions import Jurisdiction
from model.regions import Region

Legend = Literal["attainment", "share", "value"]


@dataclass(frozen=True)
class MapView:
    """The map metric per map unit, the reporting regions grouped under each, and which metric
    it is (attainment % for per-unit goals, share of the total, or the value)."""

    metric: dict[str, float | None]
    grouped: dict[str, list[dict[str, Any]]]
    legend: Legend


def map_units(regions: Iterable[Region], jurisdiction: Jurisdiction) -> dict[str, str]:
    """Region code → the code it is drawn at on ``jurisdiction``'s map (regions above the map
    level, or outside any map unit, are left out)."""
    by_code = {region.code: region for region in reversed(list(regions))}  # first version wins
    out: dict[str, str] = {}
    for code in by_code:
        node = by_code.get(code)
        while node is not None:
            if node.level == jurisdiction.map_level:
                out[code] = node.code
                break
            node = by_code.get(node.parent_code or "")
    return out


def map_view(
    rows: Sequence[Mapping[str, Any]],
    *,
    regions: Iterable[Region],
    jurisdiction: Jurisdiction,
    unit_goal: bool,
) -> MapView:
    """Roll a goal's per-region rows (``GoalDetail.regions``: region_code, value, meets, share)
    up to the map units of its jurisdiction."""
    units = map_units(regions, jurisdiction)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in rows:
        unit = units.get(str(item["region_code"]))
        if unit is None and item.get("parent_code"):  # a registered unit: on its parent's area
            unit = units.get(str(item["parent_code"]))
        if unit is not None:
            grouped.setdefault(unit, []).append(dict(item))
    metric: dict[str, float | None] = {}
    for code, items in grouped.items():
        known = [i for i in items if i["value"] is not None]
        if unit_goal:
            metric[code] = 100.0 * sum(1 for i in items if i["meets"]) / len(items)
        elif known and all(i["share"] is not None for i in known):
            metric[code] = 100.0 * sum(float(i["share"]) for i in known)
        elif known:
            metric[code] = sum(float(i["value"]) for i in known)
    legend: Legend
    if unit_goal:
        legend = "attainment"
    elif any(i["share"] is not None for i in rows):
        legend = "share"
    else:
        legend = "value"
    return MapView(metric, grouped, legend)


def map_features(jurisdiction: Jurisdiction) -> list[dict[str, Any]]:
    """The GeoJSON features of ``jurisdiction``'s map (none when the file is missing)."""
    path = jurisdiction.map_path
    if not path.is_file():
        return []
    features: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["features"]
    return features
