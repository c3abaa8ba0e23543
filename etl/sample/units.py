"""The sample's units (示例单位): invented, clearly marked, so that per-unit goals have units.

Real units are registered only where a source establishes them (``data/units.csv``); the sample
warehouse adds, for Guangdong, a service centre in every city and county (the provincial centre is
the real one of ``data/units.csv``), two or three platforms in every specialised town, and the 44
provincial startup bases of the 2012 plan spread over the cities.  Each is named "示例…", with the
source "示例数据 sample" and origin ``sample``, and lives as long as its parent region.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from model.regions import Region
from model.units import Unit

SOURCE = "示例数据 sample：etl/sample/units.py 生成，非真实单位 (generated, not a real unit)"
BASES = 44  # "44个省小企业创业基地" (gd-2012-action)
JURISDICTION = "440000"


def sample_units(regions: Sequence[Region], registered: Sequence[Unit] = ()) -> list[Unit]:
    """The sample's units for Guangdong's regions, besides the ``registered`` (real) ones; a
    region code used twice (two versions) gives its unit two versions."""
    taken = {(u.code, u.valid_from) for u in registered}
    below = {r.code for r in regions if r.parent_code == JURISDICTION}
    out: list[Unit] = []

    def add(region: Region, kind: str, letters: str, number: int, name: str) -> None:
        code = f"{region.code}-{letters}{number:02d}"
        if (code, region.valid_from) not in taken:  # a re-used region code: a version each
            out.append(Unit(code, name, kind, region.level, region.code, region.valid_from,
                            region.valid_to, SOURCE, "示例", "sample"))  # fmt: skip
            taken.add((code, region.valid_from))

    ordered = sorted(regions, key=lambda r: (r.code, r.valid_from or r.valid_to or r.code))
    guangdong = [r for r in ordered if r.code.startswith("44")]
    for r in guangdong:
        if r.level in ("province", "city", "county"):
            add(r, "service_centre", "FW", 1, f"示例{r.name}中小企业服务中心")
        elif r.level == "town":
            for n in range(1, 3 + zlib.crc32(r.code.encode()) % 2):
                add(r, "platform", "PT", n, f"示例{r.name}专业镇服务平台{n}")
    cities = [r for r in guangdong if r.level == "city" and r.code in below and not r.valid_to]
    for i in range(BASES if cities else 0):
        city = cities[i % len(cities)]
        n = i // len(cities) + 1
        add(city, "startup_base", "JD", n, f"示例{city.name}小企业创业基地{n}")
    return out
