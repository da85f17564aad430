"""The checklist builder in the Django admin: items reached and reordered from their
version, thresholds and options edited as rows, and the one-draft rule."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission

from checklists.admin_forms import ItemAdminForm
from checklists.models import ChecklistVersion, Item, Section
from checklists.services import checklist_version_new_draft
from tests.factories import UserFactory, VersionFactory, small_checklist


@pytest.fixture
def hq_admin(db, client):
    """hank of head office, staff with the checklist permissions, signed in to the admin."""
    group, _ = Group.objects.get_or_create(name="Head office")
    group.permissions.set(Permission.objects.filter(content_type__app_label="checklists"))
    user = UserFactory(username="hank", role="head_office", is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    return client


@pytest.fixture
def draft(db):
    return small_checklist(status=ChecklistVersion.Status.DRAFT)


@pytest.fixture
def published(db):
    return small_checklist()


class FormValues(HTMLParser):
    """The values a browser would post from the page's main form, as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button"}:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value") or "on")
            else:
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            # Django writes a newline after <textarea>, which browsers drop.
            text = self.values[self._textarea][0] + data
            self.values[self._textarea][0] = text.removeprefix("\n")


def rendered_form(client, url: str) -> dict[str, list[str]]:
    parser = FormValues()
    parser.feed(client.get(url).content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def item_url(item: Item) -> str:
    return f"/admin/checklists/item/{item.pk}/change/"


def section_url(section: Section) -> str:
    return f"/admin/checklists/section/{section.pk}/change/"


# Items reachable and reorderable from their version


def test_the_version_page_links_every_item_and_each_sections_item_page(hq_admin, draft):
    page = hq_admin.get(f"/admin/checklists/checklistversion/{draft.pk}/change/").content.decode()
    for item in Item.objects.filter(version=draft):
        assert item_url(item) in page
    for section in Section.objects.filter(version=draft):
        assert section_url(section) in page


def test_the_version_page_orders_sections_by_an_editable_position(hq_admin, draft):
    data = rendered_form(hq_admin, f"/admin/checklists/checklistversion/{draft.pk}/change/")
    assert (data["sections-0-code"], data["sections-0-position"]) == (["core"], ["1"])
    assert (data["sections-1-code"], data["sections-1-position"]) == (["env"], ["2"])


def test_a_draft_sections_page_lists_its_items_with_an_editable_position(hq_admin, draft):
    core = Section.objects.get(version=draft, code="core")
    page = hq_admin.get(section_url(core)).content.decode()
    assert 'name="items-0-position"' in page
    assert [code in page for code in ("greet", "attitude", "wait")] == [True, True, True]


def test_items_are_reordered_from_their_sections_page(hq_admin, draft):
    core = Section.objects.get(version=draft, code="core")
    data = rendered_form(hq_admin, section_url(core))
    positions = {"greet": "3", "attitude": "1", "wait": "2"}
    for index in range(3):
        code = data[f"items-{index}-code"][0]
        data[f"items-{index}-position"] = [positions[code]]
    response = hq_admin.post(section_url(core), {**data, "_save": "Save"})
    assert response.status_code == 302
    assert list(core.items.order_by("position").values_list("code", flat=True)) == [
        "attitude",
        "wait",
        "greet",
    ]


def test_an_item_added_with_a_code_the_version_already_uses_is_refused(hq_admin, draft):
    core = Section.objects.get(version=draft, code="core")
    data = rendered_form(hq_admin, section_url(core))
    data.update(
        {
            "items-TOTAL_FORMS": ["4"],
            "items-3-position": ["4"],
            "items-3-code": ["clean"],  # the env section's item
            "items-3-text_zh": ["清洁"],
            "items-3-text_en": ["Clean"],
            "items-3-answer_type": ["yes_no"],
            "items-3-weight": ["1"],
        }
    )
    response = hq_admin.post(section_url(core), data)
    assert response.status_code == 200
    assert "Row 4: item &#x27;clean&#x27; already exists in this version." in (
        response.content.decode()
    )
    assert core.items.count() == 3


def test_a_published_versions_section_page_is_read_only(hq_admin, published):
    core = Section.objects.get(version=published, code="core")
    page = hq_admin.get(section_url(core))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b"greet" in page.content


def test_reordering_the_items_of_a_published_version_is_refused(hq_admin, published):
    core = Section.objects.get(version=published, code="core")
    response = hq_admin.post(section_url(core), {"items-0-position": "9"})
    assert response.status_code == 403


# Thresholds and options edited as rows


def test_an_items_thresholds_are_shown_as_rows_not_json(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    page = hq_admin.get(item_url(wait)).content.decode()
    assert 'name="thresholds-0-max" value="10"' in page
    assert 'name="thresholds-2-score" value="0"' in page
    assert '<textarea name="thresholds"' not in page


def test_the_add_a_row_script_is_a_file_from_this_origin(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    page = hq_admin.get(item_url(wait)).content.decode()
    assert 'src="/static/checklists/rows.js"' in page


def test_saving_an_item_unchanged_keeps_its_stored_json_exactly(hq_admin, draft):
    for code in ("wait", "resolved"):
        item = Item.objects.get(version=draft, code=code)
        before = (item.thresholds, item.options)
        response = hq_admin.post(item_url(item), {**rendered_form(hq_admin, item_url(item))})
        assert response.status_code == 302, code
        item.refresh_from_db()
        assert (item.thresholds, item.options) == before


def test_threshold_rows_are_stored_in_the_scoring_format(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    data = rendered_form(hq_admin, item_url(wait))
    data.update(
        {
            "thresholds-0-min": [""],
            "thresholds-0-max": ["15"],
            "thresholds-0-score": ["100"],
            "thresholds-1-min": ["15.5"],
            "thresholds-1-max": ["45"],
            "thresholds-1-score": ["50"],
            "thresholds-2-min": [""],
            "thresholds-2-max": [""],
            "thresholds-2-score": ["0"],
        }
    )
    assert hq_admin.post(item_url(wait), data).status_code == 302
    wait.refresh_from_db()
    assert wait.thresholds == [
        {"max": "15", "score": "100"},
        {"min": "15.5", "max": "45", "score": "50"},
        {"score": "0"},
    ]


def test_blank_threshold_rows_are_dropped(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    data = rendered_form(hq_admin, item_url(wait))
    data.update({f"thresholds-1-{key}": [""] for key in ("min", "max", "score")})
    assert hq_admin.post(item_url(wait), data).status_code == 302
    wait.refresh_from_db()
    assert wait.thresholds == [{"max": "10", "score": "100"}, {"score": "0"}]


def test_a_bad_threshold_is_refused_naming_its_row(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    data = rendered_form(hq_admin, item_url(wait))
    data["thresholds-1-score"] = ["120"]
    response = hq_admin.post(item_url(wait), data)
    assert response.status_code == 200
    assert "Row 2: score 120 must be from 0 to 100." in response.content.decode()
    wait.refresh_from_db()
    assert wait.thresholds[1] == {"max": "30", "score": "60"}


def test_a_refused_form_shows_the_rows_as_typed(hq_admin, draft):
    resolved = Item.objects.get(version=draft, code="resolved")
    data = rendered_form(hq_admin, item_url(resolved))
    data["options-1-value"] = ["on_the_spot"]
    page = hq_admin.post(item_url(resolved), data).content.decode()
    assert 'name="options-1-value" value="on_the_spot"' in page
    assert 'name="options-1-label_en" value="Follow-up promised"' in page


def test_a_min_above_its_max_is_refused_naming_its_row(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    data = rendered_form(hq_admin, item_url(wait))
    data["thresholds-0-min"] = ["20"]
    response = hq_admin.post(item_url(wait), data)
    assert "Row 1: min 20 is greater than max 10." in response.content.decode()


def test_a_number_that_is_not_plain_is_refused_naming_its_row(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    data = rendered_form(hq_admin, item_url(wait))
    data["thresholds-1-max"] = ["1e2"]
    response = hq_admin.post(item_url(wait), data)
    assert "Row 2: max &#x27;1e2&#x27; is not a number" in response.content.decode()


def test_a_number_item_without_thresholds_is_refused(hq_admin, draft):
    wait = Item.objects.get(version=draft, code="wait")
    data = rendered_form(hq_admin, item_url(wait))
    for index in range(5):
        data.update({f"thresholds-{index}-{key}": [""] for key in ("min", "max", "score")})
    response = hq_admin.post(item_url(wait), data)
    assert "A number item needs at least one threshold row." in response.content.decode()


def test_option_rows_are_stored_in_the_scoring_format(hq_admin, draft):
    resolved = Item.objects.get(version=draft, code="resolved")
    data = rendered_form(hq_admin, item_url(resolved))
    data.update(
        {
            "options-3-value": ["escalated"],
            "options-3-label_zh": ["已上报"],
            "options-3-label_en": ["Escalated"],
            "options-3-score": ["30"],
        }
    )
    assert hq_admin.post(item_url(resolved), data).status_code == 302
    resolved.refresh_from_db()
    assert resolved.options[-1] == {
        "value": "escalated",
        "label": {"zh-Hans": "已上报", "en": "Escalated"},
        "score": "30",
    }
    assert len(resolved.options) == 4


def test_an_unscored_choice_stores_null_scores(hq_admin, draft):
    resolved = Item.objects.get(version=draft, code="resolved")
    data = rendered_form(hq_admin, item_url(resolved))
    data.update({f"options-{index}-score": [""] for index in range(3)})
    assert hq_admin.post(item_url(resolved), data).status_code == 302
    resolved.refresh_from_db()
    assert [option["score"] for option in resolved.options] == [None, None, None]


def test_a_repeated_option_value_is_refused_naming_both_rows(hq_admin, draft):
    resolved = Item.objects.get(version=draft, code="resolved")
    data = rendered_form(hq_admin, item_url(resolved))
    data["options-2-value"] = ["on_the_spot"]
    response = hq_admin.post(item_url(resolved), data)
    assert "Row 3: value &#x27;on_the_spot&#x27; is already used by row 1." in (
        response.content.decode()
    )


def test_scoring_only_some_options_is_refused_naming_the_rows_without_a_score(hq_admin, draft):
    resolved = Item.objects.get(version=draft, code="resolved")
    data = rendered_form(hq_admin, item_url(resolved))
    data["options-1-score"] = [""]
    response = hq_admin.post(item_url(resolved), data)
    assert "Row 2: no score." in response.content.decode()


def test_an_option_without_a_label_is_refused_naming_its_row(hq_admin, draft):
    resolved = Item.objects.get(version=draft, code="resolved")
    data = rendered_form(hq_admin, item_url(resolved))
    data["options-0-label_en"] = [""]
    response = hq_admin.post(item_url(resolved), data)
    assert "Row 1: the English label is missing." in response.content.decode()


def test_a_published_items_rows_are_shown_as_a_read_only_table(hq_admin, published):
    wait = Item.objects.get(version=published, code="wait")
    page = hq_admin.get(item_url(wait)).content.decode()
    assert 'name="thresholds-0-max"' not in page
    assert "<td>10</td>" in page
    assert "From (min)" in page


def test_the_item_form_edits_every_item_field_but_the_version():
    editable = {f.name for f in Item._meta.get_fields() if f.concrete and f.editable}
    assert set(ItemAdminForm.Meta.fields) == editable - {"id", "version"}


# One draft per checklist, through the admin's actions


def test_the_new_draft_action_refuses_a_second_draft_and_says_which_exists(hq_admin, published):
    checklist_version_new_draft(source=published)
    response = hq_admin.post(
        "/admin/checklists/checklistversion/",
        {"action": "new_draft", "_selected_action": [published.pk]},
        follow=True,
    )
    assert "already has a draft (version" in response.content.decode()
    assert (
        ChecklistVersion.objects.filter(checklist=published.checklist, status="draft").count() == 1
    )


def test_the_publish_action_refuses_an_outdated_draft(hq_admin, published):
    draft = checklist_version_new_draft(source=published)
    VersionFactory(checklist=published.checklist, number=draft.number + 1)
    response = hq_admin.post(
        "/admin/checklists/checklistversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "is an outdated draft" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ChecklistVersion.Status.DRAFT
