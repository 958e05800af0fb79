"""Is a GCJ-02 position inside an activity's geofence? Haversine is exact enough at this scale.

GCJ-02 is a shifted WGS-84; within one activity's few hundred metres the shift is constant, so
distances between two GCJ-02 points are as good as between two WGS-84 points.
"""

from __future__ import annotations

import math
from enum import StrEnum

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class Fix(StrEnum):
    INSIDE = "inside"
    OUTSIDE = "outside"
    UNDECIDABLE = "undecidable"  # the accuracy circle straddles the fence, or is too wide


def judge(
    distance: float, accuracy: float, radius: float, max_accuracy: float
) -> Fix:
    """Inside when the reported point is within the fence; outside only when even the near edge
    of the accuracy circle is beyond it; anything else cannot be decided from this fix."""
    if accuracy > max_accuracy:
        return Fix.UNDECIDABLE
    if distance <= radius:
        return Fix.INSIDE
    if distance - accuracy > radius:
        return Fix.OUTSIDE
    return Fix.UNDECIDABLE
