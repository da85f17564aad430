"""Automatic review checks of a visit, as pure functions.

Each check takes plain values and returns a CheckResult (or None when it cannot
apply, e.g. the distance to a branch that has no coordinates), so the rules are
tested without a database; audits.services.checks gathers the data and stores
the results. A failed check never rejects a visit: it lowers the visit's
confidence, and a low confidence puts the visit in front of a reviewer.

Penalties (points off a confidence of 100), weighed by how strongly a failure
suggests the visit did not happen as reported:

==========================  =======  ==============================================
code                        penalty  why
==========================  =======  ==============================================
photo_reused                50       the same photo in another visit: near proof
location_far                40       the phone was not at the branch
visit_too_short             30       too short to go through the checklist
photo_time_outside_visit    30       a photo taken before or after the visit
visit_outside_window        25       the visit was not in the agreed dates/hours
answers_identical           20       straight-lining; honest visits can do it too
location_inaccurate         15       the position is too vague to prove anything
location_missing            10       no position at all; often just a denied permission
==========================  =======  ==============================================

With the default review threshold of 70, a photo reuse or a far location alone
flags a visit; the smaller doubts flag it only together.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

PHOTO_REUSED_PENALTY = 50
LOCATION_FAR_PENALTY = 40
VISIT_TOO_SHORT_PENALTY = 30
PHOTO_TIME_OUTSIDE_VISIT_PENALTY = 30
VISIT_OUTSIDE_WINDOW_PENALTY = 25
ANSWERS_IDENTICAL_PENALTY = 20
LOCATION_INACCURATE_PENALTY = 15
LOCATION_MISSING_PENALTY = 10

# Bits in which two 64-bit perceptual hashes may differ and still be "the same
# photo": re-encoding, resizing and light cropping stay well within this.
PHASH_MAX_DISTANCE = 6
# Fewer scale answers than this say too little about straight-lining.
IDENTICAL_ANSWERS_MIN = 5
SCALE_TYPES = frozenset({"scale5", "scale6"})

_EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


@dataclass(frozen=True)
class CheckResult:
    code: str
    passed: bool
    message: str
    evidence: dict = field(default_factory=dict)
    penalty: int = 0


def _result(
    code: str, failed: bool, penalty: int, *, ok: str, bad: str, evidence: dict
) -> CheckResult:
    """A passed check costs nothing; it is still stored so the reviewer sees it was made."""
    return CheckResult(
        code=code,
        passed=not failed,
        message=bad if failed else ok,
        evidence=evidence,
        penalty=penalty if failed else 0,
    )


@dataclass(frozen=True)
class PhotoFacts:
    """What the checks need to know about one received photo."""

    id: str
    taken_at: dt.datetime | None = None
    phash: str = ""


@dataclass(frozen=True)
class OtherPhoto:
    """A photo of another visit that may be the same picture."""

    visit_id: str
    photo_id: str
    phash: str


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


# --- location -------------------------------------------------------------------


def check_location_missing(*, visit_lat: float | None, visit_lng: float | None) -> CheckResult:
    missing = visit_lat is None or visit_lng is None
    return _result(
        "location_missing",
        missing,
        LOCATION_MISSING_PENALTY,
        ok="The phone sent its location.",
        bad="The phone sent no location, so the visit cannot be placed at the branch.",
        evidence={},
    )


def check_location_far(
    *,
    visit_lat: float | None,
    visit_lng: float | None,
    branch_lat: float | None,
    branch_lng: float | None,
    limit_m: float,
) -> CheckResult | None:
    """None when either position is unknown: location_missing covers the visit's."""
    if None in (visit_lat, visit_lng, branch_lat, branch_lng):
        return None
    distance = distance_m(visit_lat, visit_lng, branch_lat, branch_lng)
    return _result(
        "location_far",
        distance > limit_m,
        LOCATION_FAR_PENALTY,
        ok=f"The visit was {distance:.0f} m from the branch (limit {limit_m:.0f} m).",
        bad=f"The visit was {distance:.0f} m from the branch; the limit is {limit_m:.0f} m.",
        evidence={
            "distance_m": round(distance, 1),
            "limit_m": limit_m,
            "branch_lat": branch_lat,
            "branch_lng": branch_lng,
            "visit_lat": visit_lat,
            "visit_lng": visit_lng,
        },
    )


def check_location_inaccurate(*, accuracy_m: float | None, limit_m: float) -> CheckResult | None:
    """None when the phone reported no accuracy: there is nothing to judge."""
    if accuracy_m is None:
        return None
    return _result(
        "location_inaccurate",
        accuracy_m > limit_m,
        LOCATION_INACCURATE_PENALTY,
        ok=f"The location was accurate to {accuracy_m:.0f} m (limit {limit_m:.0f} m).",
        bad=f"The location was only accurate to {accuracy_m:.0f} m; the limit is {limit_m:.0f} m.",
        evidence={"accuracy_m": accuracy_m, "limit_m": limit_m},
    )


# --- time -----------------------------------------------------------------------


def check_visit_too_short(
    *,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    min_seconds: int,
) -> CheckResult:
    seconds = (ended_at - started_at).total_seconds()
    return _result(
        "visit_too_short",
        seconds < min_seconds,
        VISIT_TOO_SHORT_PENALTY,
        ok=f"The visit lasted {seconds:.0f} s (minimum {min_seconds} s).",
        bad=f"The visit lasted only {seconds:.0f} s; the minimum is {min_seconds} s.",
        evidence={"seconds": round(seconds), "min_seconds": min_seconds},
    )


def check_visit_outside_window(
    *,
    visited_on: dt.date,
    local_start: dt.time,
    local_end: dt.time,
    window_from: dt.date,
    window_to: dt.date,
    time_from: dt.time | None = None,
    time_to: dt.time | None = None,
) -> CheckResult:
    """Dates are the assignment's window; `time_from`/`time_to`, when set, bound the visit's local hours."""
    problems = []
    if not window_from <= visited_on <= window_to:
        problems.append(f"on {visited_on}, outside {window_from} to {window_to}")
    if time_from is not None and local_start < time_from:
        problems.append(f"started at {local_start:%H:%M}, before {time_from:%H:%M}")
    if time_to is not None and local_end > time_to:
        problems.append(f"ended at {local_end:%H:%M}, after {time_to:%H:%M}")
    return _result(
        "visit_outside_window",
        bool(problems),
        VISIT_OUTSIDE_WINDOW_PENALTY,
        ok="The visit was within the assignment's dates and hours.",
        bad="The visit was " + "; ".join(problems) + ".",
        evidence={
            "visited_on": visited_on.isoformat(),
            "local_start": local_start.isoformat(timespec="minutes"),
            "local_end": local_end.isoformat(timespec="minutes"),
            "window_from": window_from.isoformat(),
            "window_to": window_to.isoformat(),
            "time_from": time_from.isoformat(timespec="minutes") if time_from else None,
            "time_to": time_to.isoformat(timespec="minutes") if time_to else None,
        },
    )


def check_photo_time_outside_visit(
    *,
    photos: Iterable[PhotoFacts],
    started_at: dt.datetime,
    ended_at: dt.datetime,
    slack: dt.timedelta,
) -> CheckResult | None:
    """None when no photo has a capture time (EXIF is often stripped by messaging apps)."""
    photos = list(photos)
    timed = [p for p in photos if p.taken_at is not None]
    if not timed:
        return None
    earliest, latest = started_at - slack, ended_at + slack
    outside = [p for p in timed if not earliest <= p.taken_at <= latest]
    return _result(
        "photo_time_outside_visit",
        bool(outside),
        PHOTO_TIME_OUTSIDE_VISIT_PENALTY,
        ok=f"All {len(timed)} photos with a capture time were taken during the visit.",
        bad=f"{len(outside)} of {len(timed)} photos were taken outside the visit "
        f"(allowing {slack.total_seconds() / 60:.0f} minutes either side).",
        evidence={
            "earliest": earliest.isoformat(),
            "latest": latest.isoformat(),
            "slack_minutes": slack.total_seconds() / 60,
            "outside": [{"photo": p.id, "taken_at": p.taken_at.isoformat()} for p in outside],
            "without_time": [p.id for p in photos if p.taken_at is None],
        },
    )


# --- photos and answers ---------------------------------------------------------


def check_photo_reused(
    *,
    photos: Iterable[PhotoFacts],
    others: Iterable[OtherPhoto],
    max_distance: int = PHASH_MAX_DISTANCE,
    distance: Callable[[str, str], int] | None = None,
) -> CheckResult | None:
    """`others` are candidate photos of other visits; None when this visit has no hashed photo."""
    if distance is None:
        # Imported here so this module stays importable without Pillow.
        from audits.imaging import phash_distance as distance
    hashed = [p for p in photos if p.phash]
    if not hashed:
        return None
    others = [o for o in others if o.phash]
    matches = []
    for photo in hashed:
        for other in others:
            if len(other.phash) != len(photo.phash):
                continue
            bits = distance(photo.phash, other.phash)
            if bits <= max_distance:
                matches.append(
                    {
                        "photo": photo.id,
                        "other_visit": other.visit_id,
                        "other_photo": other.photo_id,
                        "distance": bits,
                    }
                )
    visits = sorted({m["other_visit"] for m in matches})
    reused = len({m["photo"] for m in matches})
    return _result(
        "photo_reused",
        bool(matches),
        PHOTO_REUSED_PENALTY,
        ok=f"None of the {len(hashed)} photos appears in another visit.",
        bad=(f"{reused} photo also appears" if reused == 1 else f"{reused} photos also appear")
        + " in other visits: "
        + ", ".join(visits)
        + ".",
        evidence={"max_distance": max_distance, "matches": matches},
    )


def check_answers_identical(
    *,
    answers: Iterable[tuple[str, str, object]],
    minimum: int = IDENTICAL_ANSWERS_MIN,
) -> CheckResult | None:
    """`answers` are (question code, answer type, value) of answered, applicable questions.

    None when there are too few scale answers to tell straight-lining from a
    genuinely even visit.
    """
    scale = [
        (code, value)
        for code, answer_type, value in answers
        if answer_type in SCALE_TYPES and value is not None
    ]
    if len(scale) < minimum:
        return None
    values = {value for _, value in scale}
    return _result(
        "answers_identical",
        len(values) == 1,
        ANSWERS_IDENTICAL_PENALTY,
        ok=f"The {len(scale)} scale answers vary.",
        bad=f"All {len(scale)} scale answers are {scale[0][1]}: the form may have been filled without looking.",
        evidence={
            "count": len(scale),
            "values": sorted(values),
            "questions": [code for code, _ in scale],
        },
    )


def confidence(results: Iterable[CheckResult]) -> int:
    """100 minus the penalties of the failed checks, never below 0."""
    return max(0, 100 - sum(r.penalty for r in results if not r.passed))
