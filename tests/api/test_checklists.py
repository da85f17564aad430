"""GET /api/v1/checklists/ and /api/v1/checklists/{id}/ — what the phone downloads."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from checklists.models import ChecklistVersion

LIST = "/api/v1/checklists/"


@pytest.fixture
def library(db):
    call_command("load_checklists", verbosity=0)


@pytest.fixture
def factors(library):
    return ChecklistVersion.objects.get(checklist__code="key-factors-26")


def detail(version) -> str:
    return f"/api/v1/checklists/{version.pk}/"


def items_of(tree: dict) -> list[dict]:
    """Every item, in factor order (the library groups factors by area)."""
    items = [item for section in tree["sections"] for item in section["items"]]
    return sorted(items, key=lambda i: (i["tags"]["factor"] or 0, i["code"]))


def test_it_lists_the_published_library_for_a_shopper(client_for, alice, library):
    response = client_for(alice).get(LIST)
    assert response.status_code == 200
    codes = {row["checklist"] for row in response.json()}
    assert codes == {
        "standard-branch-visit",
        "key-factors-26",
        "rater",
        "complaint-handling",
        "sales-visit",
        "service-temperature",
        "return-refund",
        "phone-enquiry",
        "ask-for-manager",
        "written-complaint-reply",
    }


def test_it_hides_drafts_from_shoppers(client_for, alice, factors):
    ChecklistVersion.objects.create(checklist=factors.checklist, number=2)
    versions = [
        row["version"]
        for row in client_for(alice).get(LIST).json()
        if row["checklist"] == "key-factors-26"
    ]
    assert versions == [1]


def test_it_refuses_anonymous_callers(anon, library):
    assert anon.get(LIST).status_code == 401


def test_it_serves_the_26_factors_in_chinese(client_for, alice, factors):
    response = client_for(alice).get(detail(factors), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-Hans"
    items = items_of(response.json())
    assert [i["code"] for i in items] == [f"F{n:02d}" for n in range(1, 27)]
    assert items[23]["text"] == "不想等待太久"
    assert items[0]["text"] == "物美价廉的感觉"


def test_it_serves_the_26_factors_in_english(client_for, alice, factors):
    response = client_for(alice).get(detail(factors), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert response["Content-Language"] == "en"
    items = items_of(response.json())
    assert items[23]["text"] == "No long wait"
    assert response.json()["scales"]["scale5"][0]["label"] == "Very dissatisfied"


def test_it_falls_back_to_the_checklists_own_language(client_for, alice, factors):
    response = client_for(alice).get(detail(factors), HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert response["Content-Language"] == "zh-Hans"


def test_the_lang_parameter_wins_over_accept_language(client_for, alice, factors):
    response = client_for(alice).get(detail(factors) + "?lang=en", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"


def test_every_factor_carries_its_tags(client_for, alice, factors):
    items = items_of(client_for(alice).get(detail(factors)).json())
    assert [i["tags"]["factor"] for i in items] == list(range(1, 27))
    assert all(
        i["tags"]["rater"] in {"reliability", "assurance", "tangibles", "empathy", "responsiveness"}
        for i in items
    )
    assert all(i["tags"]["area"] in {"procedure", "people", "environment"} for i in items)
    assert all(i["answer_type"] == "scale5" and i["allow_na"] for i in items)


def test_it_answers_304_when_the_phone_already_has_this_version(client_for, alice, factors):
    client = client_for(alice)
    first = client.get(detail(factors), HTTP_ACCEPT_LANGUAGE="en")
    again = client.get(detail(factors), HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert not again.content


def test_the_etag_differs_between_languages(client_for, alice, factors):
    client = client_for(alice)
    zh = client.get(detail(factors), HTTP_ACCEPT_LANGUAGE="zh-Hans")
    en = client.get(detail(factors), HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=zh["ETag"])
    assert en.status_code == 200
    assert en["ETag"] != zh["ETag"]


def test_a_stale_etag_gets_the_full_body(client_for, alice, factors):
    response = client_for(alice).get(detail(factors), HTTP_IF_NONE_MATCH='"stale"')
    assert response.status_code == 200
    assert response.json()["checklist"] == "key-factors-26"


def test_an_unscored_choice_serves_null_option_scores(client_for, alice, library):
    version = ChecklistVersion.objects.get(checklist__code="complaint-handling", status="published")
    tree = client_for(alice).get(detail(version)).json()
    [complainant_type] = [i for s in tree["sections"] for i in s["items"] if i["code"] == "TYPE"]
    assert complainant_type["options"]
    assert all(option["score"] is None for option in complainant_type["options"])
