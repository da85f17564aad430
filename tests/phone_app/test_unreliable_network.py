"""Must show 2 and 3: lost responses, a 500 and a reset connection are retried to one visit,
each photo once; a 409 is settled by asking the server, never with a new id."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from audits.models import Photo
from tests.phone_app.conftest import (
    add_photo,
    fill_small_checklist,
    finalize,
    keep_sending,
    open_section,
    sign_in,
    start_visit,
    stored_original,
    the_visit,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]

VISITS = "**/api/v1/visits/"
PHOTOS = "**/api/v1/visits/*/photos/*/"


def photo_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def make_visit(page, app_url, photo_file, visit_photos: int) -> None:
    sign_in(page, app_url)
    start_visit(page)
    fill_small_checklist(page, photo_file(seed=1))
    open_section(page, "Finish")
    for seed in range(visit_photos):
        add_photo(page, "Photos of the visit", photo_file(seed=seed + 2), camera=False)


def test_lost_responses_to_the_visit_and_a_photo_store_each_once(
    page, context, app_url, assignment, photo_file
):
    lost = Counter()
    calls = Counter()

    def lose_the_first_response(route):
        kind = "visit" if route.request.method == "POST" else "photo"
        calls[kind] += 1
        if lost[kind]:
            route.continue_()
            return
        lost[kind] += 1
        route.fetch()  # the server stores it…
        route.abort("connectionreset")  # …and the phone never hears back

    context.route(VISITS, lose_the_first_response)
    context.route(PHOTOS, lose_the_first_response)
    make_visit(page, app_url, photo_file, visit_photos=1)
    finalize(page)
    keep_sending(page)

    assert lost == {"visit": 1, "photo": 1}
    assert calls["visit"] == 2  # the retry after the lost response, answered 200
    visit = the_visit()  # exactly one
    assert visit.status == "submitted"
    photos = Photo.objects.filter(visit=visit)
    assert photos.count() == 2 and all(p.received for p in photos)


def test_a_500_and_a_connection_reset_on_photos_are_retried_to_completion(
    page, context, app_url, assignment, photo_file
):
    order: list[str] = []
    tries = Counter()

    def flaky(route):
        photo = photo_id(route.request.url)
        if photo not in order:
            order.append(photo)
        tries[photo] += 1
        position = order.index(photo)
        if position == 1 and tries[photo] == 1:
            route.fulfill(status=500, json={"detail": "Internal server error."})
        elif position == 2 and tries[photo] == 1:
            route.abort("connectionreset")  # cut mid-upload: the server never got the photo
        else:
            route.continue_()

    context.route(PHOTOS, flaky)
    make_visit(page, app_url, photo_file, visit_photos=2)
    finalize(page)
    keep_sending(page)

    assert len(order) == 3 and [tries[p] for p in order] == [1, 2, 2]
    visit = the_visit()
    assert visit.status == "submitted"
    photos = list(Photo.objects.filter(visit=visit))
    assert {str(p.id) for p in photos} == set(order)
    for photo in photos:
        assert photo.received and hashlib.sha256(stored_original(photo)).hexdigest() == photo.sha256


def test_a_409_is_settled_by_fetching_the_visit_not_by_a_new_id(
    page, context, app_url, assignment, photo_file
):
    posted = []

    def stored_but_answered_409(route):
        posted.append(json.loads(route.request.post_data)["id"])
        if len(posted) == 1:
            route.fetch()  # the server stores the visit; the phone hears "stored with another body"
            route.fulfill(
                status=409,
                json={"detail": "Stored with a different body.", "code": "different_body"},
            )
        else:
            route.continue_()

    context.route(VISITS, stored_but_answered_409)
    make_visit(page, app_url, photo_file, visit_photos=0)
    finalize(page)
    keep_sending(page)

    assert posted == posted[:1]  # never posted again, let alone under another id
    visit = the_visit()
    assert str(visit.id) == posted[0] and visit.status == "submitted"
