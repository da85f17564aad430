"""The review desk's trail shows every appeal of the visit and how it was decided."""

from __future__ import annotations

from appeals.services import appeal_decide
from tests.appeal_data import approved_visit, submitted_appeal


def review_page(client, user, visit) -> str:
    client.force_login(user)
    response = client.get(f"/review/visits/{visit.pk}/?lang=en")
    assert response.status_code == 200
    return response.content.decode()


def test_a_rejected_appeal_is_in_the_visits_trail_with_its_reason(
    client, alice, rita, erin, hank, east_branch
):
    visit = approved_visit(shopper=alice, branch=east_branch, reviewer=rita)
    appeal = submitted_appeal(visit, erin, "wait")
    appeal_decide(appeal=appeal, by=hank, outcome="rejected", reason="The CCTV is not conclusive.")

    page = review_page(client, rita, visit)

    assert 'id="appeals"' in page
    assert f"Appeal {appeal.pk} on wait by erin" in page
    assert "rejected by hank" in page
    assert "The CCTV is not conclusive." in page


def test_an_appeal_awaiting_a_decision_says_so(client, alice, rita, erin, east_branch):
    visit = approved_visit(shopper=alice, branch=east_branch, reviewer=rita)
    submitted_appeal(visit, erin, "wait")

    assert "awaiting a decision" in review_page(client, rita, visit)


def test_a_visit_never_appealed_has_no_appeals_section(client, alice, rita, east_branch):
    visit = approved_visit(shopper=alice, branch=east_branch, reviewer=rita)

    assert 'id="appeals"' not in review_page(client, rita, visit)
