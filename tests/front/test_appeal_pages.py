"""The appeal pages: /appeals/, /appeals/new/?visit=<id> and /appeals/<id>/, over the appeal services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appeals.models import Appeal
from appeals.services import appeal_decide
from tests.appeal_data import approved_visit, submitted_appeal


@pytest.fixture
def approved(alice, east_branch, rita):
    return approved_visit(shopper=alice, branch=east_branch, reviewer=rita)


@pytest.fixture
def page_as(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_a_regional_manager_picks_an_appealable_visit_by_id_period_and_score(
    page_as, erin, approved
):
    html = page_as(erin).get("/appeals/new/?lang=en").content.decode()

    assert str(approved.id) in html
    assert approved.visited_on.strftime("%Y-%m") in html
    assert "78.9" in html
    assert approved.visited_on.isoformat() not in html
    assert "alice" not in html


def test_a_regional_manager_appeals_an_item_from_the_form(page_as, erin, approved):
    response = page_as(erin).post(
        f"/appeals/new/?visit={approved.id}",
        {
            "visit": str(approved.id),
            "contest-wait": "1",
            "category-wait": "evidence_contradicts",
            "argument-wait": "CCTV shows 8 seconds.",
            "evidence-wait": "CCTV 10:42",
        },
    )

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appeals/{appeal.pk}/?done=submit"
    assert [(i.item_code, i.evidence) for i in appeal.items.all()] == [("wait", "CCTV 10:42")]


def test_a_bad_row_of_the_form_is_shown_next_to_its_item_with_a_400(page_as, erin, approved):
    response = page_as(erin).post(
        f"/appeals/new/?visit={approved.id}&lang=en",
        {"visit": str(approved.id), "contest-wait": "1", "category-wait": "", "argument-wait": ""},
    )

    assert response.status_code == 400
    assert "Say why the item is wrong." in response.content.decode()
    assert not Appeal.objects.exists()


def test_head_office_upholds_from_the_appeal_page(page_as, erin, hank, approved):
    appeal = submitted_appeal(approved, erin, "wait")

    response = page_as(hank).post(
        f"/appeals/{appeal.pk}/",
        {
            "outcome": "upheld",
            "reason": "The CCTV shows 8 seconds.",
            "outcome-wait": "upheld",
            "value-wait": "8",
        },
    )

    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.score == Decimal("87.8")


def test_the_regional_manager_sees_the_decision_but_no_decide_form(page_as, erin, hank, approved):
    appeal = submitted_appeal(approved, erin, "wait")

    html = page_as(erin).get(f"/appeals/{appeal.pk}/?lang=en").content.decode()

    assert "Save the decision" not in html
    assert "alice" not in html


@pytest.mark.parametrize("who", ["rita", "alice"])
def test_reviewers_and_shoppers_may_not_open_the_appeals(page_as, who, request):
    assert page_as(request.getfixturevalue(who)).get("/appeals/").status_code == 403


def test_head_office_may_not_open_the_new_appeal_form(page_as, hank):
    assert page_as(hank).get("/appeals/new/").status_code == 403


def test_an_appeal_of_another_region_is_not_found(page_as, erin, wes, approved):
    appeal = submitted_appeal(approved, erin, "wait")

    assert page_as(wes).get(f"/appeals/{appeal.pk}/").status_code == 404


def test_the_appeal_pages_speak_chinese(page_as, erin, hank, approved):
    appeal = submitted_appeal(approved, erin, "wait")

    pages = [
        page_as(erin).get("/appeals/?lang=zh-Hans"),
        page_as(erin).get(f"/appeals/new/?visit={approved.id}&lang=zh-Hans"),
        page_as(hank).get(f"/appeals/{appeal.pk}/?lang=zh-Hans"),
    ]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert "申诉理由" in pages[1].content.decode()
    assert "保存裁定" in pages[2].content.decode()


def test_head_office_lists_open_appeals_first(page_as, erin, hank, approved):
    decided = submitted_appeal(approved, erin, "wait")
    appeal_decide(appeal=decided, by=hank, outcome="rejected", reason="Not shown.")
    waiting = submitted_appeal(approved, erin, "attitude")

    html = page_as(hank).get("/appeals/?lang=en").content.decode()

    assert html.index(f"#{waiting.pk}<") < html.index(f"#{decided.pk}<")
