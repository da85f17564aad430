"""The scorecard cache key reads the report change stamps, not the visits.

Every change a scorecard can show moves the key, through the writer that makes
it (audits bumps audits.models.ReportStamp in the same transaction); what no
scorecard of the period shows leaves it alone. tests/test_scorecard_cache.py
covers the cache around the key.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import AnswerCorrection, Photo, ReportStamp, Visit, VisitRollup
from audits.services.amendments import visit_answer_amend
from audits.services.photos import photo_renditions_make
from audits.services.review import visit_answer_correct, visit_approval_withdraw, visit_review
from audits.storage import photo_path, storage_overwrite
from checklists.models import Item
from checklists.services import checklist_version_new_draft, checklist_version_publish
from reports.periods import parse_period
from reports.services.scorecards import scorecard_cache_key
from tests.photo_corpus import good_jpeg_without_metadata
from tests.report_data import report_checklist, submitted_visit

OCTOBER = parse_period("2026-10", date_from=None, date_to=None)
ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture
def approved(east_branch, version, rita):
    """An approved October visit with real answers, scored by checklists.scoring."""
    stored = submitted_visit(east_branch, version, "2026-10-05", ANSWERS)
    visit_review(visit=stored, reviewer=rita, decision="approve")
    return stored


def received_photo(stored: Visit) -> Photo:
    """A photo of `stored` whose original has arrived and whose copies are still to make."""
    photo = Photo.objects.create(visit=stored, item_code="entrance", sha256="0" * 64)
    photo.original_name = storage_overwrite(
        photo_path(stored.id, photo.id, "original", ext="jpg"), good_jpeg_without_metadata()
    )
    photo.received_at = timezone.now()
    photo.save(update_fields=["original_name", "received_at"])
    return photo


def key(branch, version) -> str:
    return scorecard_cache_key(
        branch=branch, checklist=version.checklist, period=OCTOBER, lang="en"
    )


# --- writers whose change a scorecard shows ------------------------------------------------


def test_approving_a_visit_changes_the_key(east_branch, version, rita):
    submitted = submitted_visit(east_branch, version, "2026-10-05", ANSWERS)
    before = key(east_branch, version)

    visit_review(visit=submitted, reviewer=rita, decision="approve")

    assert key(east_branch, version) != before


def test_approving_a_visit_of_another_branch_changes_the_key_since_ranks_depend_on_it(
    east_branch, west_branch, version, approved, rita
):
    other = submitted_visit(west_branch, version, "2026-10-07", ANSWERS)
    before = key(east_branch, version)

    visit_review(visit=other, reviewer=rita, decision="approve")

    assert key(east_branch, version) != before


def test_withdrawing_an_approval_changes_the_key(east_branch, version, approved, rita):
    before = key(east_branch, version)

    visit_approval_withdraw(visit=approved, reviewer=rita, reason="Fabricated receipts.")

    assert key(east_branch, version) != before


def test_an_appeal_rescoring_an_approved_visit_changes_the_key(
    east_branch, version, approved, hank
):
    before = key(east_branch, version)

    visit_answer_amend(visit=approved, by=hank, question="wait", value=5, reason="CCTV: 5 s.")

    assert key(east_branch, version) != before


def test_a_reviewers_amendment_of_an_approved_visit_changes_the_key(
    east_branch, version, approved, rita
):
    before = key(east_branch, version)

    visit_answer_amend(
        visit=approved,
        by=rita,
        question="attitude",
        value=5,
        reason="Misread the scale.",
        source=AnswerCorrection.Source.REVIEW,
    )

    assert key(east_branch, version) != before


def test_a_print_copy_of_an_approved_visits_photo_changes_the_key(east_branch, version, approved):
    photo = received_photo(approved)
    before = key(east_branch, version)

    photo_renditions_make(photo=photo)

    assert key(east_branch, version) != before


def test_fixing_drifted_rollups_changes_the_key(east_branch, version, approved):
    VisitRollup.objects.update(visits=5)  # drift: what a lost write would leave
    before = key(east_branch, version)

    call_command("rebuild_rollups", stdout=io.StringIO())

    assert key(east_branch, version) != before


def test_deactivating_another_branch_changes_the_key(east_branch, west_branch, version):
    before = key(east_branch, version)

    west_branch.active = False
    west_branch.save(update_fields=["active"])

    assert key(east_branch, version) != before


def test_moving_another_branch_to_another_region_changes_the_key(
    east_branch, west_branch, east, version
):
    before = key(east_branch, version)

    west_branch.region = east
    west_branch.save(update_fields=["region"])

    assert key(east_branch, version) != before


def test_publishing_a_new_version_changes_the_key(east_branch, version):
    before = key(east_branch, version)

    checklist_version_publish(version=checklist_version_new_draft(source=version))

    assert key(east_branch, version) != before


def test_approving_a_visit_of_another_checklist_that_tags_key_factors_changes_the_key(
    east_branch, version, rita
):
    # The card's factor profile is read over every checklist that tags key factors.
    other = report_checklist("other-visit")
    submitted = submitted_visit(east_branch, other, "2026-10-05", ANSWERS)
    before = key(east_branch, version)

    visit_review(visit=submitted, reviewer=rita, decision="approve")

    assert key(east_branch, version) != before


# --- what no scorecard of the period shows ---------------------------------------------------


def test_a_submitted_visit_of_another_checklist_leaves_the_key_alone(east_branch, version):
    before = key(east_branch, version)

    submitted_visit(east_branch, report_checklist("other-visit"), "2026-10-05", ANSWERS)

    assert key(east_branch, version) == before


def test_approving_a_visit_of_another_checklist_without_key_factors_leaves_the_key_alone(
    east_branch, version, rita
):
    other = report_checklist("other-visit")
    Item.objects.filter(version=other).update(factor=None)
    submitted = submitted_visit(east_branch, other, "2026-10-05", ANSWERS)
    before = key(east_branch, version)

    visit_review(visit=submitted, reviewer=rita, decision="approve")

    assert key(east_branch, version) == before


def test_a_reviewers_correction_of_a_submitted_visit_leaves_the_key_alone(
    east_branch, version, rita
):
    submitted = submitted_visit(east_branch, version, "2026-10-05", ANSWERS)
    before = key(east_branch, version)

    visit_answer_correct(
        visit=submitted, reviewer=rita, question="wait", value=5, reason="CCTV: 5 s."
    )

    assert key(east_branch, version) == before


def test_a_print_copy_of_a_submitted_visits_photo_leaves_the_key_alone(east_branch, version):
    photo = received_photo(submitted_visit(east_branch, version, "2026-10-05", ANSWERS))
    before = key(east_branch, version)

    photo_renditions_make(photo=photo)

    assert key(east_branch, version) == before


def test_approving_a_visit_in_a_month_after_the_period_leaves_the_key_alone(
    east_branch, version, rita
):
    submitted = submitted_visit(east_branch, version, "2026-11-03", ANSWERS)
    before = key(east_branch, version)

    visit_review(visit=submitted, reviewer=rita, decision="approve")

    assert key(east_branch, version) == before


# --- the stamps themselves ---------------------------------------------------------------------


def test_the_key_reads_no_visit(east_branch, version, approved):
    with CaptureQueriesContext(connection) as queries:
        key(east_branch, version)

    assert not [q["sql"] for q in queries if '"audits_visit"' in q["sql"]]


def test_each_approval_adds_one_to_its_checklist_and_months_stamp(
    east_branch, west_branch, version, rita
):
    for branch in (east_branch, west_branch):
        submitted = submitted_visit(branch, version, "2026-10-05", ANSWERS)
        visit_review(visit=submitted, reviewer=rita, decision="approve")

    stamp = ReportStamp.objects.get()
    assert (stamp.checklist_id, stamp.month.isoformat(), stamp.changes) == (
        version.checklist_id,
        "2026-10-01",
        2,
    )
