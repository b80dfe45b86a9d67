"""A scenario's map: the outlines of its territory units, read from GeoJSON.

The ``[map]`` table names a GeoJSON FeatureCollection and the feature property that holds
each unit's code. Only exterior rings are kept (the report fills polygons; holes of admin-1
units are negligible at report scale). Longitudes and latitudes are degrees (RFC 7946 §4).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class UnitGeometry:
    """Exterior rings of each unit's polygons by unit code, and their bounding box.

    ``bbox`` is ``(lon_min, lat_min, lon_max, lat_max)`` in degrees over every ring.
    """

    rings: Mapping[str, tuple[Ring, ...]]
    bbox: tuple[float, float, float, float]

    @property
    def mid_latitude(self) -> float:
        """The latitude halfway up the bounding box (degrees)."""
        return (self.bbox[1] + self.bbox[3]) / 2


def _polygons(geom: Any) -> list[Any]:
    if not isinstance(geom, Mapping):
        raise ValueError("a feature without a geometry")
    kind = geom.get("type")
    if kind == "Polygon":
        return [geom.get("coordinates")]
    if kind == "MultiPolygon":
        return list(geom.get("coordinates") or [])
    raise ValueError(f"geometry type {kind!r} is not Polygon or MultiPolygon")


def _ring(coords: Any) -> Ring:
    try:
        ring = tuple((float(pt[0]), float(pt[1])) for pt in coords)
    except (TypeError, ValueError, IndexError):
        raise ValueError("a polygon ring that is not a list of [lon, lat] points") from None
    if len(ring) < 3:
        raise ValueError("a polygon ring with fewer than 3 points")
    return ring


def _feature(k: int, feature: Any, unit_property: str) -> tuple[str, tuple[Ring, ...]]:
    """One feature's unit code and exterior rings; ValueError naming the feature."""
    props = feature.get("properties") if isinstance(feature, Mapping) else None
    code = props.get(unit_property) if isinstance(props, Mapping) else None
    if not isinstance(code, str):
        raise ValueError(f"feature {k} has no text property {unit_property!r}")
    try:
        return code, tuple(_ring(poly[0]) for poly in _polygons(feature.get("geometry")))
    except (ValueError, TypeError, IndexError) as err:
        raise ValueError(f"feature {k} ({unit_property} = {code!r}): {err}") from None


def parse_geometry(text: str, unit_property: str) -> UnitGeometry:
    """Rings by unit code from a GeoJSON FeatureCollection; ValueError saying what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err}") from None
    features = data.get("features") if isinstance(data, Mapping) else None
    if not isinstance(features, list):
        raise ValueError("not a GeoJSON FeatureCollection (no 'features' list)")
    rings: dict[str, tuple[Ring, ...]] = {}
    for k, feature in enumerate(features):
        code, own = _feature(k, feature, unit_property)
        rings[code] = rings.get(code, ()) + own
    points = [pt for rs in rings.values() for ring in rs for pt in ring]
    if not points:
        raise ValueError("no polygons")
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return UnitGeometry(rings=rings, bbox=(min(lons), min(lats), max(lons), max(lats)))
