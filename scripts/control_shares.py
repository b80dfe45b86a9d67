"""Per-oblast shares under Ukraine's control on one day, from a DeepStateMap occupied-area file.

Usage: ``uv run python scripts/control_shares.py DEEPSTATE.geojson`` prints, for each unit of
the shipped Natural Earth admin-1 geometry (``src/ceasefire/builtin/ukraine_admin1_ne.geojson``),
the share of its land area outside the occupied MultiPolygon, in percent, as CSV.

The method of the flagship's ``S_DS_POLY`` note: both geometries projected to a spherical
Lambert azimuthal equal-area projection centred on Ukraine (48.5 N, 31.5 E; Snyder 1987,
eq. 24-2/24-3 with R = 6,371 km), the overlay area divided by the unit's Natural Earth area.
The daily DeepState files are archived by github.com/cyterat/deepstate-map-data (GPL-3.0); this
script reads one of them from a path given on the command line and ships none of it. It needs
shapely (present in the development environment, not a dependency of the package).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.ops import transform, unary_union

ROOT = Path(__file__).resolve().parents[1]
NE = ROOT / "src" / "ceasefire" / "builtin" / "ukraine_admin1_ne.geojson"
LAT0, LON0, R = math.radians(48.5), math.radians(31.5), 6371.0


def laea(lon: Any, lat: Any, z: Any = None) -> tuple[Any, Any]:
    """Spherical Lambert azimuthal equal-area x, y in km (Snyder 1987, p. 185)."""
    import numpy as np

    lam, phi = np.radians(lon), np.radians(lat)
    k = np.sqrt(
        2 / (1 + math.sin(LAT0) * np.sin(phi) + math.cos(LAT0) * np.cos(phi) * np.cos(lam - LON0))
    )
    x = R * k * np.cos(phi) * np.sin(lam - LON0)
    y = R * k * (math.cos(LAT0) * np.sin(phi) - math.sin(LAT0) * np.cos(phi) * np.cos(lam - LON0))
    return x, y


def shares(deepstate: Path) -> list[tuple[str, str, float, float]]:
    """(code, name, Natural Earth area km2, percent held by Ukraine) per unit."""
    occ = transform(
        laea,
        unary_union(
            [shape(f["geometry"]) for f in json.loads(deepstate.read_text())["features"]]
        ).buffer(0),
    )
    out = []
    for f in json.loads(NE.read_text())["features"]:
        unit = transform(laea, shape(f["geometry"]).buffer(0))
        held = 100 * (1 - unit.intersection(occ).area / unit.area)
        props = f["properties"]
        out.append((props["iso_3166_2"], props.get("name", ""), unit.area, held))
    return out


def main() -> None:
    print("iso_3166_2,ne_area_km2,gov_control_pct")
    for code, _, area, held in sorted(shares(Path(sys.argv[1]))):
        print(f"{code},{area:.0f},{held:.2f}")


if __name__ == "__main__":
    main()
