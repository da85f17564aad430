"""/review/visits/<id>/ — the review desk's visit page: a submitted visit's answers, photos and
failed checks, and the reviewer's approve / return / reject / correct, through the review services.

Session login, as in a browser. The visits are uploaded through the API as the phone does, so
their scores and automatic checks are the real ones.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageDraw

from audits.models import AnswerCorrection, Review, Visit, VisitCheck
from checklists.models import AnswerType
from tests.browser import DESKTOP, PHONE, scroll_width, shoot
from tests.factories import PASSWORD, AssignmentFactory, ItemFactory, small_checklist
from tests.report_data import report_checklist
from tests.report_data import visit as report_visit
from tests.visit_bodies import receive_photos, sha256, visit_body

FAR = {"lat": 31.2404, "lng": 121.4737, "accuracy_m": 12}  # about 1.1 km north of the branch


@pytest.fixture
def submit(client_for, alice, east_branch, django_capture_on_commit_callbacks):
    """Upload a visit of alice's at the East branch and receive its photos; the checks run."""

    def make(*, taken_at=None, **overrides) -> Visit:
        assignment = AssignmentFactory(shopper=alice, branch=east_branch)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(alice).post(
                "/api/v1/visits/", visit_body(assignment, **overrides), format="json"
            )
            assert response.status_code == 201, response.json()
            visit = Visit.objects.get(pk=response.json()["id"])
            receive_photos(visit, taken_at=taken_at)
        visit.refresh_from_db()
        assert visit.status == Visit.Status.SUBMITTED
        return visit

    return make


@pytest.fixture
def visit(submit):
    return submit()


def page_url(visit, **query) -> str:
    url = reverse("review-visit-page", args=[visit.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def signed_in(client, user) -> Client:
    client.force_login(user)
    return client


def show(client, user, visit, **query) -> str:
    response = signed_in(client, user).get(page_url(visit, **query))
    assert response.status_code == 200
    return response.content.decode()


def act(client, user, visit, action: str, **fields):
    return signed_in(client, user).post(page_url(visit), {"action": action, **fields})


def jpeg(seed: int = 0) -> bytes:
    """A photo-like JPEG; each seed draws a different scene, so no two look alike to the checks."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), "#dfe7ef")
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(0, 560), rng.randrange(0, 400)
        w, h = rng.randrange(40, 320), rng.randrange(40, 260)
        colour = tuple(rng.randrange(0, 256) for _ in range(3))
        draw.rectangle((x, y, x + w, y + h), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def upload_photo(client, visit_id, photo_id, data: bytes, taken_at: dt.datetime):
    file = SimpleUploadedFile("entrance.jpg", data, content_type="application/octet-stream")
    response = client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo_id}/",
        {"file": file, "taken_at": taken_at.isoformat()},
        format="multipart",
    )
    assert response.status_code == 201, response.json()


# --- what the page shows ----------------------------------------------------------------


def test_the_page_shows_each_answer_with_its_label_and_score_under_its_section(client, rita, visit):
    page = show(client, rita, visit, lang="en")

    assert "Core service" in page and "Environment" in page
    assert "Warm, willing service" in page
    assert "4 · Satisfied" in page  # scale5 value with its label
    assert "Follow-up promised" in page  # the choice's label, not its code
    assert "Friendly but slow." in page
    assert re.search(r'class="pts">60\.0<small>/100', page)  # the choice's item score


def test_the_page_shows_the_visit_comment_score_and_band(client, rita, visit):
    page = show(client, rita, visit, lang="en")

    assert "Busy Saturday morning." in page
    assert f">{visit.score:.1f}</span>" in page
    assert {"below": "Below expectation", "meets": "Meets expectation"}.get(
        visit.band, "Exceeds expectation"
    ) in page


def test_the_page_shows_na_and_the_comment_given_on_an_item(client, rita, submit):
    answers = [
        {"question": "greet", "value": False, "comment": "Nobody looked up."},
        {"question": "attitude", "value": None, "na": True},
        {"question": "wait", "value": 25},
        {"question": "clean", "value": 6},
        {"question": "resolved", "value": "follow_up"},
    ]
    visit = submit(answers=answers)

    page = show(client, rita, visit, lang="en")

    assert "Nobody looked up." in page
    assert '<span class="tag tag-na">N/A</span>' in page
    assert '<span class="tag tag-failed">failed</span>' in page


def test_the_page_follows_the_request_language(client, rita, visit):
    page = show(client, rita, visit, lang="zh-Hans")

    assert "热情的服务" in page
    assert "4 · 满意" in page
    assert "承诺跟进" in page
    assert "审核决定" in page and "驳回原因（必填）" in page


@pytest.mark.parametrize(
    ("channel", "lang", "badge"),
    [
        ("branch", "en", "In branch"),
        ("branch", "zh-Hans", "到店"),
        ("phone", "en", "Phone call"),
        ("phone", "zh-Hans", "电话"),
        ("written", "en", "Written"),
        ("written", "zh-Hans", "书面"),
    ],
)
def test_the_page_shows_the_visits_channel_next_to_its_checklist(
    client, rita, visit, channel, lang, badge
):
    visit.checklist.channel = channel
    visit.checklist.save()

    page = show(client, rita, visit, lang=lang)

    assert (
        f'class="tag tag-channel tag-channel-{channel}" id="visit-channel">{badge}</span>' in page
    )


@pytest.fixture
def timed_visit(client_for, alice, east_branch, django_capture_on_commit_callbacks):
    """A submitted visit whose checklist also asks when the shopper called (a date-time)."""
    version = small_checklist()
    ItemFactory(
        section=version.sections.get(code="env"),
        code="called",
        position=9,
        answer_type=AnswerType.DATETIME,
    )
    assignment = AssignmentFactory(shopper=alice, branch=east_branch, checklist_version=version)
    body = visit_body(assignment)
    body["answers"].append({"question": "called", "value": "2026-10-02T14:30"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post("/api/v1/visits/", body, format="json")
        assert response.status_code == 201, response.json()
        visit = Visit.objects.get(pk=response.json()["id"])
        receive_photos(visit)
    return visit


def test_a_date_time_answer_is_shown_as_people_write_it_and_corrected_with_a_picker(
    client, rita, timed_visit
):
    page = show(client, rita, timed_visit)

    assert "2026-10-02 14:30" in page
    assert '<input type="datetime-local" name="value" value="2026-10-02T14:30">' in page


def test_a_corrected_date_time_is_stored_as_the_picker_sent_it(client, rita, timed_visit):
    response = act(
        client,
        rita,
        timed_visit,
        "correct",
        question="called",
        value="2026-10-02T15:05",
        reason="The call log says 15:05.",
    )

    assert response.status_code == 302
    assert timed_visit.answers.get(item_code="called").value == "2026-10-02T15:05"


def test_a_date_time_correction_that_is_not_one_is_a_400_naming_the_item(client, rita, timed_visit):
    response = act(
        client, rita, timed_visit, "correct", question="called", value="tomorrow", reason="x"
    )

    assert response.status_code == 400
    assert "called: must be a local date and time" in response.content.decode()


def test_the_page_shows_photos_as_thumbnails_linking_to_the_full_copy(client, rita, visit):
    photo = visit.photos.get()
    photo_url = reverse("visit-photo", args=[visit.pk, photo.pk])

    page = show(client, rita, visit)

    assert f'<a href="{photo_url}?size=full"' in page
    assert f'<img src="{photo_url}?size=thumb"' in page


def test_a_signed_in_reviewer_gets_the_thumbnail_without_a_token(
    client, client_for, rita, alice, east_branch
):
    data = jpeg(0)
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    photo = {"id": str(uuid.uuid4()), "sha256": sha256(data), "question": "entrance"}
    body = visit_body(assignment, photos=[photo])
    assert client_for(alice).post("/api/v1/visits/", body, format="json").status_code == 201
    upload_photo(client_for(alice), body["id"], photo["id"], data, dt.datetime.now(dt.UTC))

    response = signed_in(client, rita).get(
        reverse("visit-photo", args=[body["id"], photo["id"]]) + "?size=thumb"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    b"".join(response.streaming_content)  # read to the end, which closes the file


def test_the_page_shows_a_failed_distance_check_with_the_distance_in_metres(client, rita, submit):
    visit = submit(location=FAR)
    evidence = visit.checks.get(code="location_far").evidence

    page = show(client, rita, visit, lang="en")

    assert "Far from the branch" in page
    assert f"<dd>{evidence['distance_m']:,.0f} m</dd>" in page
    assert "<dd>300 m</dd>" in page  # the limit
    assert "−40" in page  # the penalty


def test_the_page_shows_when_a_photo_was_taken_outside_the_visit(client, rita, submit):
    taken = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)  # long before the visit
    visit = submit(taken_at=taken)

    page = show(client, rita, visit, lang="en")

    assert "Photos taken outside the visit" in page
    assert "2026-01-02 11:04:05" in page  # the capture time, in the company's time zone
    assert "outside the visit" in page


def test_passed_checks_are_not_listed_as_failed(client, rita, visit):
    page = show(client, rita, visit, lang="en")

    assert "Every check passed." in page
    assert 'data-check="' not in page


def test_a_visit_whose_checks_have_not_run_says_so_and_shows_its_unanswered_questions(
    client, rita, east_branch
):
    stored = report_visit(east_branch, report_checklist(), "2026-10-05", None, status="submitted")

    page = show(client, rita, stored, lang="en")

    assert "The checks have not run yet." in page
    assert '<span class="tag tag-pending">checks pending</span>' in page
    assert page.count("Not answered") == 6  # every question but the photo one


def test_a_check_the_page_does_not_know_shows_its_message_and_evidence(client, rita, east_branch):
    stored = report_visit(east_branch, report_checklist(), "2026-10-05", 60.0, status="submitted")
    VisitCheck.objects.create(
        visit=stored,
        code="gps_far",
        passed=False,
        message="Photos taken 3.2 km from the branch.",
        evidence={"km": 3.2},
        penalty=40,
    )

    page = show(client, rita, stored, lang="en")

    assert "Photos taken 3.2 km from the branch." in page
    assert "<dt>km</dt><dd>3.2</dd>" in page


def test_the_shortcuts_come_from_a_static_script_and_no_script_is_inline(client, rita, visit):
    page = show(client, rita, visit)

    assert '<script src="/static/front/review_desk.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<kbd>a</kbd>" in page and "<kbd>j</kbd>" in page


# --- who may open it ----------------------------------------------------------------------


def test_head_office_may_review_a_visit(client, hank, visit):
    assert signed_in(client, hank).get(page_url(visit)).status_code == 200


@pytest.mark.parametrize("persona", ["alice", "erin"])
def test_shoppers_and_regional_managers_may_neither_open_nor_decide(
    client, request, persona, visit
):
    user = request.getfixturevalue(persona)

    assert signed_in(client, user).get(page_url(visit)).status_code == 403
    assert act(client, user, visit, "approve").status_code == 403
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED


def test_an_anonymous_visitor_is_sent_to_log_in(client, visit):
    response = client.get(page_url(visit))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_decision_without_the_csrf_token_is_refused(rita, visit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)

    assert client.post(page_url(visit), {"action": "approve"}).status_code == 403


# --- the decisions ------------------------------------------------------------------------


def test_approving_approves_the_visit_through_the_review_service(client, rita, visit):
    response = act(client, rita, visit, "approve", note="Well documented.")

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.reviewed_by, visit.review_note) == (
        Visit.Status.APPROVED,
        rita,
        "Well documented.",
    )
    assert Review.objects.get(visit=visit).decision == Review.Decision.APPROVE


def test_returning_sends_the_notes_per_question_and_drops_the_blank_ones(client, rita, visit):
    response = act(
        client,
        rita,
        visit,
        "return",
        note="Two things to fix.",
        **{"qnote-wait": "Did you time it?", "qnote-greet": "  ", "qnote-clean": ""},
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.RETURNED
    review = Review.objects.get(visit=visit)
    assert (review.note, review.question_notes) == (
        "Two things to fix.",
        {"wait": "Did you time it?"},
    )


def test_a_return_with_only_a_note_on_one_question_is_enough(client, rita, visit):
    act(client, rita, visit, "return", **{"qnote-wait": "Did you time it?"})

    visit.refresh_from_db()
    assert visit.status == Visit.Status.RETURNED


def test_rejecting_with_a_reason_rejects_the_visit(client, rita, visit):
    response = act(client, rita, visit, "reject", note="The photos are of another branch.")

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.review_note) == (
        Visit.Status.REJECTED,
        "The photos are of another branch.",
    )


def test_rejecting_without_a_reason_is_a_400_naming_the_field(client, rita, visit):
    response = act(client, rita, visit, "reject", note="   ")

    assert response.status_code == 400
    page = response.content.decode()
    assert "<strong>note</strong>: Give the reason for the rejection." in page
    assert 'aria-invalid="true"' in page
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED


def test_a_return_that_says_nothing_is_a_400_and_keeps_what_was_typed(client, rita, visit):
    response = act(client, rita, visit, "return", note=" ", **{"qnote-wait": " "})

    assert response.status_code == 400
    assert "<strong>note</strong>" in response.content.decode()


def test_deciding_a_visit_no_longer_in_review_is_a_400_with_the_reason(client, rita, visit):
    act(client, rita, visit, "approve")

    response = act(client, rita, visit, "reject", note="Too late.")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Only a submitted visit can be reviewed; this one is approved." in page
    assert 'id="approve-form"' not in page  # no decision offered on a decided visit
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED


def test_an_unknown_action_is_a_400(client, rita, visit):
    assert act(client, rita, visit, "publish").status_code == 400


def test_a_decided_visit_shows_its_status_and_no_decision_forms(client, rita, visit):
    act(client, rita, visit, "approve")

    page = show(client, rita, visit, lang="en")

    assert "This visit is approved" in page
    assert 'id="approve-form"' not in page and 'name="qnote-' not in page


# --- correcting an answer -----------------------------------------------------------------


def test_correcting_an_answer_rescores_the_visit_and_records_why(client, rita, visit):
    before = visit.score

    response = act(
        client, rita, visit, "correct", question="resolved", value="on_the_spot", reason="Audio."
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"{page_url(visit)}#q-resolved")
    correction = AnswerCorrection.objects.get(visit=visit)
    assert (correction.item_code, correction.old_value, correction.new_value) == (
        "resolved",
        "follow_up",
        "on_the_spot",
    )
    visit.refresh_from_db()
    assert visit.score > before
    assert visit.status == Visit.Status.SUBMITTED  # still waiting for the decision


def test_a_corrected_number_is_stored_as_a_number(client, rita, visit):
    act(client, rita, visit, "correct", question="wait", value="8", reason="Timed on video.")

    assert visit.answers.get(item_code="wait").value == 8


def test_the_page_lists_the_corrections_made(client, rita, visit):
    act(client, rita, visit, "correct", question="greet", value="false", reason="Not greeted.")

    page = show(client, rita, visit, lang="en")

    assert "greet: Yes → No" in page
    assert "by rita: Not greeted." in page


def test_a_correction_without_a_reason_is_a_400_naming_the_field(client, rita, visit):
    response = act(client, rita, visit, "correct", question="greet", value="false", reason=" ")

    assert response.status_code == 400
    assert "<strong>reason</strong>" in response.content.decode()
    assert not AnswerCorrection.objects.filter(visit=visit).exists()


def test_a_correction_out_of_range_is_a_400_naming_the_value(client, rita, visit):
    response = act(client, rita, visit, "correct", question="attitude", value="9", reason="x")

    assert response.status_code == 400
    assert "<strong>value</strong>" in response.content.decode()


@pytest.mark.parametrize("typed", ["NaN", "sNaN", "Infinity", "1e999999", "ten"])
def test_a_correction_to_something_not_a_number_is_a_400_naming_the_value(
    client, rita, visit, typed
):
    response = act(client, rita, visit, "correct", question="wait", value=typed, reason="x")

    assert response.status_code == 400
    assert "<strong>value</strong>" in response.content.decode()


# --- withdrawing an approval ---------------------------------------------------------------

FABRICATED = "The receipt photo is from another visit: fabricated."


@pytest.fixture
def approved(client, rita, visit):
    act(client, rita, visit, "approve")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED
    return visit


def withdraw(client, user, visit, **fields):
    return act(client, user, visit, "withdraw_approval", **{"confirm": "on", **fields})


def test_an_approved_visit_offers_to_withdraw_its_approval_with_a_required_reason(
    client, rita, approved
):
    page = show(client, rita, approved, lang="en")

    form = page[page.index('<form method="post" id="withdraw-form">') :]
    form = form[: form.index("</form>")]
    assert "Withdraw approval" in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<textarea id="withdraw-note" name="note"' in form and "required" in form
    assert '<input type="checkbox" name="confirm" required>' in form
    assert "Its approval can still be withdrawn" in page


def test_the_withdrawal_form_speaks_chinese_to_a_chinese_reviewer(client, rita, approved):
    page = show(client, rita, approved, lang="zh-Hans")

    assert "撤销通过" in page and "撤销通过的原因（必填）" in page


def test_head_office_is_offered_the_withdrawal_too(client, hank, approved):
    assert 'id="withdraw-form"' in show(client, hank, approved)


@pytest.mark.parametrize("status", ["submitted", "rejected"])
def test_a_visit_not_approved_offers_no_withdrawal(client, rita, visit, status):
    if status == "rejected":
        act(client, rita, visit, "reject", note="Wrong branch.")

    assert 'id="withdraw-form"' not in show(client, rita, visit)


@pytest.mark.parametrize("persona", ["alice", "erin"])
def test_shoppers_and_regional_managers_may_not_withdraw_an_approval(
    client, request, persona, approved
):
    user = request.getfixturevalue(persona)

    assert withdraw(client, user, approved, note=FABRICATED).status_code == 403
    approved.refresh_from_db()
    assert approved.status == Visit.Status.APPROVED


def test_withdrawing_with_a_reason_rejects_the_visit_and_comes_back_to_it(client, rita, approved):
    response = withdraw(client, rita, approved, note=FABRICATED)

    assert response.status_code == 302
    assert response["Location"] == page_url(approved)
    approved.refresh_from_db()
    assert (approved.status, approved.review_note) == (Visit.Status.REJECTED, FABRICATED)


def test_a_withdrawn_visit_shows_as_rejected_with_the_reason_in_its_review_trail(
    client, rita, approved
):
    withdraw(client, rita, approved, note=FABRICATED)

    page = show(client, rita, approved, lang="en")

    assert "This visit is rejected" in page
    trail = page[page.index('id="reviews"') :]
    assert "<li>Approved by rita, " in trail
    assert "<li>Approval withdrawn (rejected) by rita, " in trail
    assert f"(revision 1): {FABRICATED}</li>" in trail
    assert 'id="withdraw-form"' not in page


def test_withdrawing_without_a_reason_shows_the_form_again_with_the_error(client, rita, approved):
    response = withdraw(client, rita, approved, note="   ")

    assert response.status_code == 400
    form = response.content.decode().split('id="withdraw-form"')[1].split("</form>")[0]
    assert "note: Give the reason for the rejection." in form
    assert 'aria-invalid="true"' in form
    approved.refresh_from_db()
    assert approved.status == Visit.Status.APPROVED


def test_withdrawing_without_ticking_the_confirmation_keeps_the_reason_and_says_so(
    client, rita, approved
):
    response = signed_in(client, rita).post(
        page_url(approved, lang="en"), {"action": "withdraw_approval", "note": FABRICATED}
    )

    assert response.status_code == 400
    form = response.content.decode().split('id="withdraw-form"')[1].split("</form>")[0]
    assert "confirm: Tick the box to confirm the withdrawal." in form
    assert f">{FABRICATED}</textarea>" in form
    approved.refresh_from_db()
    assert approved.status == Visit.Status.APPROVED


def test_withdrawing_an_approval_already_withdrawn_is_a_400_with_the_reason(
    client, rita, hank, approved
):
    withdraw(client, rita, approved, note=FABRICATED)

    response = withdraw(client, hank, approved, note="Also fabricated.")

    assert response.status_code == 400
    assert "Only an approved visit can have its approval withdrawn" in response.content.decode()
    assert Review.objects.filter(visit=approved).count() == 2


# --- moving through the queue -------------------------------------------------------------


@pytest.fixture
def two_waiting(submit):
    """Two unflagged visits: the first submitted comes first in the queue."""
    first = submit()
    second = submit()
    Visit.objects.filter(pk=second.pk).update(
        submitted_at=first.submitted_at + dt.timedelta(minutes=1)
    )
    return first, second


def test_the_next_in_queue_link_opens_the_following_visit(client, rita, two_waiting):
    first, second = two_waiting

    page = show(client, rita, first)

    assert f'<a href="{page_url(second)}" id="next-in-queue"' in page


def test_after_a_decision_the_reviewer_is_sent_to_the_next_visit_in_the_queue(
    client, rita, two_waiting
):
    first, second = two_waiting

    response = act(client, rita, first, "approve")

    assert response["Location"] == page_url(second)


def test_after_the_last_decision_the_reviewer_is_sent_back_to_the_queue(client, rita, visit):
    response = act(client, rita, visit, "reject", note="Fake.")

    assert response["Location"] == reverse("review-queue-page")


def test_the_language_asked_for_is_kept_on_the_way_to_the_next_visit(client, rita, two_waiting):
    first, second = two_waiting

    response = signed_in(client, rita).post(page_url(first, lang="zh-Hans"), {"action": "approve"})

    assert response["Location"] == page_url(second, lang="zh-Hans")


def test_the_queue_links_each_visit_to_its_review_page(client, rita, visit):
    page = signed_in(client, rita).get(reverse("review-queue-page")).content.decode()

    assert f'href="{page_url(visit)}"' in page


# --- in a browser -------------------------------------------------------------------------


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page, problems
    context.close()


def thumbnails_loaded(page, timeout_s: float = 10) -> None:
    """Wait until every thumbnail has loaded (polled from here: the CSP forbids the eval
    that page.wait_for_function would run in the page)."""
    loaded = "Array.from(document.querySelectorAll('#photos img')).every(i => i.complete && i.naturalWidth > 0)"
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(loaded):
        assert time.monotonic() < deadline, "a thumbnail did not load"
        time.sleep(0.1)


def uploaded_visit(client, alice, branch, *, location, photos: list[tuple[bytes, dt.timedelta]]):
    """A visit uploaded with real photos (taken at started_at + offset), its checks run."""
    assignment = AssignmentFactory(shopper=alice, branch=branch)
    declared = [
        {"id": str(uuid.uuid4()), "sha256": sha256(data), "question": "entrance"}
        for data, _ in photos
    ]
    body = visit_body(assignment, photos=declared, location=location)
    answers = body["answers"]
    answers[0] = {
        "question": "greet",
        "value": False,
        "comment": "Nobody looked up from the phone.",
    }
    assert client.post("/api/v1/visits/", body, format="json").status_code == 201
    started = dt.datetime.fromisoformat(body["started_at"])
    for photo, (data, offset) in zip(declared, photos, strict=True):
        upload_photo(client, body["id"], photo["id"], data, started + offset)
    visit = Visit.objects.get(pk=body["id"])
    assert visit.status == Visit.Status.SUBMITTED and visit.confidence is not None
    return visit


@pytest.mark.slow
def test_the_review_desk_in_a_browser_on_a_laptop_and_a_phone(
    transactional_db, live_server, browser_page, client_for, alice, rita, east_branch
):
    page, problems = browser_page
    shopper = client_for(alice)
    doubtful = uploaded_visit(
        shopper,
        alice,
        east_branch,
        location=FAR,
        photos=[
            (jpeg(1), dt.timedelta(minutes=3)),
            (jpeg(2), dt.timedelta(hours=-3)),
            (jpeg(3), dt.timedelta(minutes=12)),
        ],
    )
    following = uploaded_visit(
        shopper,
        alice,
        east_branch,
        location={"lat": 31.2304, "lng": 121.4737, "accuracy_m": 12},
        photos=[(jpeg(4), dt.timedelta(minutes=5))],
    )
    assert doubtful.flagged and not following.flagged  # so the doubtful one comes first
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next={page_url(doubtful)}")
    page.fill("input[name=username]", rita.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}{page_url(doubtful)}")

    # A laptop: answers beside the evidence and the decision.
    answers = page.locator(".desk-answers").bounding_box()
    evidence = page.locator(".desk-evidence").bounding_box()
    assert evidence["x"] > answers["x"] + answers["width"] - 1
    assert page.locator("#photos img").count() == 3
    thumbnails_loaded(page)
    shoot(page, "review-desk-1366.png")

    # r: to the notes on the questions, one after the other; Esc leaves the box.
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == "qnote-greet"
    page.keyboard.press("r")  # typed into the box, not a shortcut
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == "qnote-attitude"
    assert page.locator("textarea[name=qnote-greet]").input_value() == "r"
    page.keyboard.press("Escape")

    # j: the next visit in the queue.
    page.keyboard.press("j")
    page.wait_for_url(f"{base}{page_url(following)}")
    page.goto(f"{base}{page_url(doubtful)}")

    # A phone: one column, nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.reload()
    thumbnails_loaded(page)
    assert scroll_width(page) <= PHONE["width"]
    answers = page.locator(".desk-answers").bounding_box()
    evidence = page.locator(".desk-evidence").bounding_box()
    assert answers["y"] > evidence["y"]
    shoot(page, "review-desk-390.png")

    # a: approve after confirming, then on to the next visit in the queue.
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("a")
    page.wait_for_url(f"{base}{page_url(following)}")
    doubtful.refresh_from_db()
    assert doubtful.status == Visit.Status.APPROVED
    assert "Visit approved." in page.content()
    assert page.locator("#next-in-queue").count() == 0  # nothing else is waiting
    assert problems == []
