"""The demo's visit history (audits.demo_visits), seeded on a slice of Demo Bank."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db.models import Avg

from audits.demo import demo_organisation_seed
from audits.demo_visits import (
    COMMENTS_LANGUAGE,
    FAILURE_COMMENTS,
    VISIT_COMMENTS,
    demo_visits_seed,
)
from audits.models import Answer, Assignment, Visit
from checklists.models import ChecklistVersion
from checklists.scoring import SCORED_TYPES

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
BRANCH_VISITS = {"checklist__code": "standard-branch-visit"}


@pytest.fixture
def organisation(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_checklists", verbosity=0)
    full = demo_organisation_seed()
    # sh-jingan and bj-guomao are kept for shopper1's and shopper2's open work.
    codes = ["sh-jingan", "hz-wulin", "bj-xidan", "bj-guomao"]
    return dataclasses.replace(full, branches={c: full.branches[c] for c in codes})


@pytest.fixture
def seeded(organisation, django_capture_on_commit_callbacks):
    # Review checks and photo renditions run after commit, as in production.
    with django_capture_on_commit_callbacks(execute=True):
        demo_visits_seed(organisation=organisation, today=TODAY, months=2)
    return organisation


def test_every_branch_has_approved_visits_in_every_month(seeded):
    for branch in seeded.branches.values():
        months = {
            v.visited_on.strftime("%Y-%m")
            for v in Visit.objects.filter(branch=branch, status="approved")
        }
        assert months == {"2026-09", "2026-10"}


def test_every_branch_has_enough_visits_a_month_to_be_ranked(seeded, settings):
    for branch in seeded.branches.values():
        for month in (9, 10):
            approved = Visit.objects.filter(
                branch=branch, status="approved", visited_on__month=month
            ).count()
            assert approved >= settings.SMALL_SAMPLE_VISITS, (branch.code, month)


def test_scores_differ_between_branches(seeded):
    averages = (
        Visit.objects.filter(status="approved", **BRANCH_VISITS)
        .values("branch")
        .annotate(a=Avg("score"))
    )
    assert len({round(row["a"]) for row in averages}) == 4


def test_every_approved_branch_visit_has_its_photo(seeded):
    for visit in Visit.objects.filter(status="approved", checklist__channel="branch"):
        assert visit.photos.filter(received_at__isnull=False).count() == 1


def test_some_visits_wait_for_review_with_flags(seeded):
    waiting = Visit.objects.filter(status="submitted", **BRANCH_VISITS)
    assert waiting.count() == 6
    assert waiting.filter(flagged=True).exists()
    assert {c.code for v in waiting for c in v.checks.filter(passed=False)} >= {
        "location_far",
        "photo_reused",
        "visit_too_short",
    }


@pytest.mark.parametrize("code", ["phone-enquiry", "written-complaint-reply"])
def test_mystery_calls_and_written_shops_are_approved_and_wait_for_review(seeded, code):
    shops = Visit.objects.filter(checklist__code=code)
    assert sorted(shops.values_list("status", flat=True)) == ["approved", "approved", "submitted"]
    assert not shops.filter(location_lat__isnull=False).exists()
    assert not shops.filter(photos__isnull=False).exists()


def test_a_call_or_a_written_shop_is_never_flagged_for_where_it_was_made(seeded):
    presence = {"location_missing", "location_far", "location_inaccurate", "visit_too_short"}
    shops = Visit.objects.exclude(checklist__channel="branch")
    assert (
        not {c for v in shops for c in v.checks.filter(passed=False).values_list("code", flat=True)}
        & presence
    )


def test_the_shops_times_are_date_time_answers_as_the_phone_sends_them(seeded):
    times = Answer.objects.filter(item__answer_type="datetime", na=False)
    assert {a.item_code for a in times} >= {"CALL_TIME", "SENT_AT"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", a.value) for a in times)


def test_running_it_again_adds_nothing(seeded):
    before = Visit.objects.count()
    demo_visits_seed(organisation=seeded, today=TODAY, months=2)
    assert Visit.objects.count() == before


def test_shoppers_are_left_open_work_in_a_window_that_includes_today(seeded):
    open_work = Assignment.objects.filter(
        status="open", window_from__lte=TODAY, window_to__gte=TODAY
    )
    assert {(a.shopper.username, a.branch.code) for a in open_work} == {
        ("shopper1", "sh-jingan"),
        ("shopper2", "bj-guomao"),
    }


def test_no_shopper_visited_the_branch_kept_for_their_open_work(seeded):
    assert not Visit.objects.filter(shopper__username="shopper1", branch__code="sh-jingan").exists()
    assert not Visit.objects.filter(shopper__username="shopper2", branch__code="bj-guomao").exists()


def test_running_it_again_adds_no_open_work(seeded):
    before = Assignment.objects.filter(status="open").count()
    demo_visits_seed(organisation=seeded, today=TODAY, months=2)
    assert Assignment.objects.filter(status="open").count() == before


# The shoppers' comments


def test_every_item_of_the_standard_branch_visit_that_can_fail_has_comments_of_its_own(
    organisation,
):
    version = ChecklistVersion.objects.filter(
        checklist__code="standard-branch-visit", status="published"
    ).latest("number")
    can_fail = {item.code for item in version.items.all() if item.answer_type in SCORED_TYPES}

    assert can_fail - set(FAILURE_COMMENTS) == set()


def test_the_comments_are_in_the_language_of_the_checklist_the_demo_fills_in(organisation):
    version = ChecklistVersion.objects.filter(checklist__code="standard-branch-visit").first()
    comments = [text for texts in FAILURE_COMMENTS.values() for text in texts]
    comments += [text for texts in VISIT_COMMENTS.values() for text in texts]

    assert version.checklist.language == COMMENTS_LANGUAGE == "zh-Hans"
    assert [text for text in comments if re.search("[A-Za-z]", text)] == []


def test_a_failed_items_comment_is_one_written_for_that_item(seeded):
    commented = Answer.objects.filter(failed=True).exclude(comment="")

    assert commented.exists()
    for answer in commented.select_related("item"):
        # An item the demo has no words for (a call's, a letter's) is named in its comment.
        words = FAILURE_COMMENTS.get(answer.item_code, (f"未做到：{answer.item.text_zh}",))
        assert answer.comment in words, answer.item_code


def test_only_a_visit_without_failures_is_praised(seeded):
    for visit in Visit.objects.all():
        fell_short = visit.answers.filter(failed=True).exists()
        assert visit.comment in VISIT_COMMENTS[fell_short], visit.pk
