"""The automatic review checks (audits.checks): pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from audits import checks
from audits.checks import CheckResult, OtherPhoto, PhotoFacts

UTC = dt.UTC
START = dt.datetime(2025, 3, 14, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
END = START + dt.timedelta(minutes=20)
SLACK = dt.timedelta(minutes=15)
BRANCH = {"branch_lat": 31.2304, "branch_lng": 121.4737}


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


# --- location ---------------------------------------------------------------------


def test_distance_is_haversine_metres():
    # One thousandth of a degree of latitude is about 111 m anywhere.
    assert checks.distance_m(31.0, 121.0, 31.001, 121.0) == pytest.approx(111.2, abs=0.5)


def test_it_flags_a_visit_far_from_the_branch():
    result = checks.check_location_far(visit_lat=31.2404, visit_lng=121.4737, limit_m=300, **BRANCH)
    assert (result.code, result.passed, result.penalty) == (
        "location_far",
        False,
        checks.LOCATION_FAR_PENALTY,
    )
    assert result.evidence["distance_m"] == pytest.approx(1112, abs=5)
    assert result.evidence["limit_m"] == 300
    assert result.evidence["branch_lat"] == 31.2304
    assert result.evidence["visit_lat"] == 31.2404
    assert "1112 m" in result.message


def test_it_passes_a_visit_at_the_branch():
    result = checks.check_location_far(visit_lat=31.2314, visit_lng=121.4737, limit_m=300, **BRANCH)
    assert (result.passed, result.penalty) == (True, 0)
    assert result.evidence["distance_m"] == pytest.approx(111, abs=2)


def test_it_cannot_measure_the_distance_to_a_branch_without_coordinates():
    result = checks.check_location_far(
        visit_lat=31.2304, visit_lng=121.4737, branch_lat=None, branch_lng=None, limit_m=300
    )
    assert result is None


def test_it_leaves_the_distance_to_location_missing_when_the_visit_has_no_location():
    assert checks.check_location_far(visit_lat=None, visit_lng=None, limit_m=300, **BRANCH) is None


def test_it_flags_a_missing_location_with_a_small_penalty():
    result = checks.check_location_missing(visit_lat=None, visit_lng=None)
    assert (result.code, result.passed, result.penalty) == (
        "location_missing",
        False,
        checks.LOCATION_MISSING_PENALTY,
    )
    assert checks.LOCATION_MISSING_PENALTY < checks.LOCATION_FAR_PENALTY


def test_it_passes_a_visit_with_a_location():
    assert checks.check_location_missing(visit_lat=31.2, visit_lng=121.4).passed


def test_it_flags_an_inaccurate_location():
    result = checks.check_location_inaccurate(accuracy_m=250, limit_m=100)
    assert (result.code, result.passed, result.penalty) == (
        "location_inaccurate",
        False,
        checks.LOCATION_INACCURATE_PENALTY,
    )
    assert result.evidence == {"accuracy_m": 250, "limit_m": 100}


def test_it_passes_an_accuracy_at_the_limit():
    assert checks.check_location_inaccurate(accuracy_m=100, limit_m=100).passed


def test_it_does_not_judge_an_unknown_accuracy():
    assert checks.check_location_inaccurate(accuracy_m=None, limit_m=100) is None


# --- time ---------------------------------------------------------------------------


def test_it_flags_a_visit_too_short_to_be_real():
    result = checks.check_visit_too_short(
        started_at=START, ended_at=START + dt.timedelta(seconds=90), min_seconds=180
    )
    assert (result.code, result.passed, result.penalty) == (
        "visit_too_short",
        False,
        checks.VISIT_TOO_SHORT_PENALTY,
    )
    assert result.evidence == {"seconds": 90, "min_seconds": 180}


def test_it_passes_a_visit_of_exactly_the_minimum_length():
    result = checks.check_visit_too_short(
        started_at=START, ended_at=START + dt.timedelta(seconds=180), min_seconds=180
    )
    assert result.passed


WINDOW = {"window_from": dt.date(2025, 3, 10), "window_to": dt.date(2025, 3, 16)}


def test_it_flags_a_visit_after_the_assignment_window():
    result = checks.check_visit_outside_window(
        visited_on=dt.date(2025, 3, 17),
        local_start=dt.time(10),
        local_end=dt.time(10, 20),
        **WINDOW,
    )
    assert (result.code, result.passed, result.penalty) == (
        "visit_outside_window",
        False,
        checks.VISIT_OUTSIDE_WINDOW_PENALTY,
    )
    assert "2025-03-17" in result.message
    assert result.evidence["window_to"] == "2025-03-16"


def test_it_flags_a_visit_before_the_assignment_window():
    result = checks.check_visit_outside_window(
        visited_on=dt.date(2025, 3, 9), local_start=dt.time(10), local_end=dt.time(10, 20), **WINDOW
    )
    assert not result.passed


def test_it_passes_a_visit_on_the_last_day_of_the_window():
    result = checks.check_visit_outside_window(
        visited_on=dt.date(2025, 3, 16),
        local_start=dt.time(10),
        local_end=dt.time(10, 20),
        **WINDOW,
    )
    assert (result.passed, result.penalty) == (True, 0)


def test_it_flags_a_visit_started_before_the_agreed_hours():
    result = checks.check_visit_outside_window(
        visited_on=dt.date(2025, 3, 14),
        local_start=dt.time(8, 45),
        local_end=dt.time(9, 10),
        time_from=dt.time(9),
        time_to=dt.time(12),
        **WINDOW,
    )
    assert not result.passed
    assert "08:45" in result.message


def test_it_flags_a_visit_ended_after_the_agreed_hours():
    result = checks.check_visit_outside_window(
        visited_on=dt.date(2025, 3, 14),
        local_start=dt.time(11, 50),
        local_end=dt.time(12, 10),
        time_from=dt.time(9),
        time_to=dt.time(12),
        **WINDOW,
    )
    assert not result.passed
    assert result.evidence["time_to"] == "12:00"


def test_it_passes_a_visit_within_the_agreed_hours():
    result = checks.check_visit_outside_window(
        visited_on=dt.date(2025, 3, 14),
        local_start=dt.time(9),
        local_end=dt.time(12),
        time_from=dt.time(9),
        time_to=dt.time(12),
        **WINDOW,
    )
    assert result.passed


def test_it_flags_a_photo_taken_outside_the_visit():
    photos = [
        PhotoFacts(id="p1", taken_at=START + dt.timedelta(minutes=5)),
        PhotoFacts(id="p2", taken_at=START - dt.timedelta(days=2)),
    ]
    result = checks.check_photo_time_outside_visit(
        photos=photos, started_at=START, ended_at=END, slack=SLACK
    )
    assert (result.code, result.passed, result.penalty) == (
        "photo_time_outside_visit",
        False,
        checks.PHOTO_TIME_OUTSIDE_VISIT_PENALTY,
    )
    assert result.evidence["outside"] == [
        {"photo": "p2", "taken_at": (START - dt.timedelta(days=2)).isoformat()}
    ]


def test_it_allows_the_slack_around_the_visit_for_photo_times():
    photos = [
        PhotoFacts(id="before", taken_at=START - SLACK),
        PhotoFacts(id="after", taken_at=END + SLACK),
    ]
    result = checks.check_photo_time_outside_visit(
        photos=photos, started_at=START, ended_at=END, slack=SLACK
    )
    assert result.passed


def test_it_lists_photos_without_a_capture_time_as_unchecked():
    photos = [PhotoFacts(id="p1", taken_at=START), PhotoFacts(id="p2", taken_at=None)]
    result = checks.check_photo_time_outside_visit(
        photos=photos, started_at=START, ended_at=END, slack=SLACK
    )
    assert result.passed
    assert result.evidence["without_time"] == ["p2"]


def test_it_skips_the_photo_time_check_when_no_photo_has_a_time():
    photos = [PhotoFacts(id="p1", taken_at=None)]
    assert (
        checks.check_photo_time_outside_visit(
            photos=photos, started_at=START, ended_at=END, slack=SLACK
        )
        is None
    )


# --- photo reuse --------------------------------------------------------------------


def test_it_flags_a_photo_identical_to_one_of_another_visit():
    result = checks.check_photo_reused(
        photos=[PhotoFacts(id="p1", phash="abcd000000000000")],
        others=[OtherPhoto(visit_id="v2", photo_id="q9", phash="abcd000000000000")],
        distance=hamming,
    )
    assert (result.code, result.passed, result.penalty) == (
        "photo_reused",
        False,
        checks.PHOTO_REUSED_PENALTY,
    )
    assert result.evidence["matches"] == [
        {"photo": "p1", "other_visit": "v2", "other_photo": "q9", "distance": 0}
    ]
    assert "v2" in result.message


def test_it_flags_a_near_duplicate_within_six_bits():
    result = checks.check_photo_reused(
        photos=[PhotoFacts(id="p1", phash="abcd000000000000")],
        others=[
            OtherPhoto(visit_id="v2", photo_id="q9", phash="abcd00000000003f")
        ],  # 6 bits differ
        distance=hamming,
    )
    assert not result.passed
    assert result.evidence["matches"][0]["distance"] == 6


def test_it_passes_a_photo_seven_bits_from_any_other():
    result = checks.check_photo_reused(
        photos=[PhotoFacts(id="p1", phash="abcd000000000000")],
        others=[
            OtherPhoto(visit_id="v2", photo_id="q9", phash="abcd00000000007f")
        ],  # 7 bits differ
        distance=hamming,
    )
    assert (result.passed, result.penalty) == (True, 0)


def test_it_uses_the_imaging_distance_by_default():
    result = checks.check_photo_reused(
        photos=[PhotoFacts(id="p1", phash="ffff000000000001")],
        others=[OtherPhoto(visit_id="v2", photo_id="q9", phash="ffff000000000000")],
    )
    assert result.evidence["matches"][0]["distance"] == 1


def test_it_skips_the_reuse_check_for_a_visit_without_hashed_photos():
    result = checks.check_photo_reused(
        photos=[PhotoFacts(id="p1", phash="")],
        others=[OtherPhoto(visit_id="v2", photo_id="q9", phash="ffff000000000000")],
        distance=hamming,
    )
    assert result is None


# --- straight-lining ------------------------------------------------------------------


def scale_answers(*values):
    return [(f"q{i}", "scale5", value) for i, value in enumerate(values)]


def test_it_flags_five_identical_scale_answers():
    result = checks.check_answers_identical(answers=scale_answers(4, 4, 4, 4, 4))
    assert (result.code, result.passed, result.penalty) == (
        "answers_identical",
        False,
        checks.ANSWERS_IDENTICAL_PENALTY,
    )
    assert result.evidence["values"] == [4]
    assert result.evidence["count"] == 5


def test_it_passes_scale_answers_that_vary():
    assert checks.check_answers_identical(answers=scale_answers(4, 4, 4, 4, 5)).passed


def test_it_does_not_judge_fewer_than_five_scale_answers():
    assert checks.check_answers_identical(answers=scale_answers(4, 4, 4, 4)) is None


def test_it_ignores_answers_that_are_not_scales_when_looking_for_straight_lining():
    answers = [*scale_answers(5, 5, 5, 5), ("greet", "yes_no", True), ("wait", "number", 5)]
    assert checks.check_answers_identical(answers=answers) is None


# --- confidence -----------------------------------------------------------------------


def test_confidence_subtracts_the_penalties_of_failed_checks_only():
    results = [
        CheckResult("location_far", False, "", {}, 40),
        CheckResult("visit_too_short", False, "", {}, 30),
        CheckResult("location_missing", True, "", {}, 0),
    ]
    assert checks.confidence(results) == 30


def test_confidence_never_goes_below_zero():
    results = [CheckResult(code, False, "", {}, 50) for code in ("a", "b", "c")]
    assert checks.confidence(results) == 0


def test_confidence_is_full_when_every_check_passes():
    assert checks.confidence([CheckResult("location_far", True, "", {}, 0)]) == 100
