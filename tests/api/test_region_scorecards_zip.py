"""GET /api/v1/regions/{id}/scorecards.zip — every active branch's scorecard in a region, zipped.

A zip that has to be built is built by the outbox drain, never in the request.
`download` is a client that follows the 202: it lets the drain run after the
commit (inside a test's transaction that is after the request) and asks again.
The tests of 202 leave the build to a worker that has not run yet.
The PDF engine is stubbed; tests/api/test_scorecard_pdf.py renders real PDFs.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.models import ActionPlan
from audits.models import Visit
from outbox.services import events_drain
from reports.models import ScorecardBatch
from tests.factories import ActionPlanFactory, BranchFactory
from tests.report_data import report_checklist, visit

OCTOBER = {"period": "2026-10", "lang": "zh-Hans"}


def url(region_id: int) -> str:
    return f"/api/v1/regions/{region_id}/scorecards.zip"


@pytest.fixture
def version(east_branch, west_branch):
    version = report_checklist("branch-visit")
    BranchFactory(region=east_branch.region, code="sh-pudong")
    visit(east_branch, version, "2026-10-05", 80.0)
    visit(west_branch, version, "2026-10-07", 70.0)
    return version


@pytest.fixture
def download(client_for, django_capture_on_commit_callbacks):
    def get(user, region, params=OCTOBER, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).get(url(region.pk), params, **headers)
        if response.status_code == 202:
            response = client_for(user).get(response["Location"], **headers)
        return response

    return get


def names(response) -> list[str]:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sorted(archive.namelist())


def test_without_a_finished_zip_it_builds_one_and_serves_it(download, hank, east, version, renders):
    response = download(hank, east)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="scorecards-east-2026-10-zh-Hans.zip"'
    )
    assert names(response) == [
        "scorecard-sh-jingan-2026-10-zh-Hans.pdf",
        "scorecard-sh-pudong-2026-10-zh-Hans.pdf",
    ]
    batch = ScorecardBatch.objects.get()
    assert (batch.status, batch.total, batch.done, batch.requested_by) == ("done", 2, 2, hank)


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_default_the_first_answer_is_the_zip(
    client_for, hank, east, version, renders
):
    # Tasks run in-process after the commit, before the request looks at the batch again.
    response = client_for(hank).get(url(east.pk), OCTOBER)

    assert response.status_code == 200
    assert len(names(response)) == 2


def test_a_zip_still_being_built_answers_202_with_its_progress_and_when_to_ask_again(
    client_for, hank, east, version, renders
):
    response = client_for(hank).get(url(east.pk), OCTOBER)

    assert response.status_code == 202
    assert response.json() == {
        "status": "running",
        "done": 0,
        "total": 2,
        "retry_after": 5,
        "status_url": f"{url(east.pk)}?period=2026-10&lang=zh-Hans",
    }
    assert response["Retry-After"] == "5"
    assert response["Location"] == f"{url(east.pk)}?period=2026-10&lang=zh-Hans"
    assert renders == []  # nothing is drawn in the request


def test_asking_again_while_it_is_built_starts_no_second_build(
    client_for, hank, east, version, renders
):
    client_for(hank).get(url(east.pk), OCTOBER)
    again = client_for(hank).get(url(east.pk), OCTOBER)

    assert again.status_code == 202
    assert ScorecardBatch.objects.count() == 1


def test_once_the_worker_has_built_it_the_same_url_serves_the_zip(
    client_for, hank, east, version, renders
):
    client_for(hank).get(url(east.pk), OCTOBER)

    events_drain()
    response = client_for(hank).get(url(east.pk), OCTOBER)

    assert response.status_code == 200
    assert len(names(response)) == 2


def test_it_serves_the_latest_finished_zip_without_rendering(
    download, hank, east, version, renders
):
    call_command(
        "render_scorecards",
        "--period",
        "2026-10",
        "--region",
        "east",
        stderr=io.StringIO(),
        stdout=io.StringIO(),
    )
    renders.clear()

    response = download(hank, east)

    assert response.status_code == 200
    assert len(names(response)) == 2
    assert renders == []
    assert ScorecardBatch.objects.count() == 1


def test_a_visit_changed_since_the_zip_was_made_builds_a_new_one(
    download, hank, east, east_branch, version, renders
):
    download(hank, east)
    renders.clear()

    visit(east_branch, version, "2026-10-20", 90.0)
    response = download(hank, east)

    assert response.status_code == 200
    assert ScorecardBatch.objects.count() == 2
    # A visit stamps every scorecard of its checklist (ranks move), so both are drawn again.
    assert sorted(card.branch_code for card in renders) == ["sh-jingan", "sh-pudong"]


def made_before(*, minutes: int) -> None:
    """Date the zip `minutes` back, and every visit and plan further back, as if nothing
    had changed since the zip was made."""
    made = timezone.now() - dt.timedelta(minutes=minutes)
    Visit.objects.update(updated_at=made - dt.timedelta(minutes=1))
    ActionPlan.objects.update(updated_at=made - dt.timedelta(minutes=1))
    ScorecardBatch.objects.update(created_at=made)


@pytest.mark.parametrize(
    ("branch", "zips"),
    [("east_branch", 2), ("west_branch", 1)],
    ids=["in-the-region-builds-a-new-one", "of-another-region-keeps-it"],
)
def test_an_action_plan_opened_since_the_zip_was_made(
    request, download, hank, east, version, renders, branch, zips
):
    download(hank, east)

    ActionPlanFactory(branch=request.getfixturevalue(branch), checklist=version.checklist)
    download(hank, east)

    assert ScorecardBatch.objects.count() == zips


def test_an_action_plan_decided_since_the_zip_was_made_builds_a_new_one(
    download, hank, east, east_branch, version, renders
):
    plan = ActionPlanFactory(branch=east_branch, checklist=version.checklist)
    download(hank, east)
    made_before(minutes=30)

    plan.status = ActionPlan.Status.ACCEPTED
    plan.save()
    download(hank, east)

    assert ScorecardBatch.objects.count() == 2


def test_an_action_plan_turning_overdue_since_the_zip_was_made_builds_a_new_one(
    download, hank, east, east_branch, version, renders
):
    today = timezone.localdate()
    ActionPlanFactory(
        branch=east_branch, checklist=version.checklist, due_date=today - dt.timedelta(days=1)
    )
    download(hank, east)
    made_before(minutes=2 * 24 * 60)  # when the plan was not yet due

    download(hank, east)

    assert ScorecardBatch.objects.count() == 2


def test_the_language_comes_from_accept_language_too(download, hank, east, version, renders):
    response = download(hank, east, {"period": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en")

    assert 'filename="scorecards-east-2026-10-en.zip"' in response["Content-Disposition"]
    assert {card.lang for card in renders} == {"en"}


def test_a_regional_manager_downloads_their_own_region(download, erin, east, version, renders):
    assert download(erin, east).status_code == 200


def test_a_regional_manager_gets_404_for_another_region(client_for, erin, west, version, renders):
    response = client_for(erin).get(url(west.pk), OCTOBER)

    assert response.status_code == 404
    assert renders == []
    assert not ScorecardBatch.objects.exists()


def test_a_shopper_is_refused(client_for, alice, east, version):
    assert client_for(alice).get(url(east.pk), OCTOBER).status_code == 403


def test_anonymous_callers_must_sign_in(anon, east, version):
    assert anon.get(url(east.pk), OCTOBER).status_code == 401


def test_an_unknown_region_is_a_404(client_for, hank, version):
    assert client_for(hank).get(url(999999), OCTOBER).status_code == 404


def test_a_bad_period_is_a_400(client_for, hank, east, version):
    response = client_for(hank).get(url(east.pk), {"period": "October"})

    assert response.status_code == 400
    assert "period" in response.json()["errors"]
