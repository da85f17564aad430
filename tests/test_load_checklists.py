"""python manage.py load_checklists — the bundled library."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from checklists.management.commands import load_checklists as command_module
from checklists.models import Channel, Checklist, ChecklistVersion, Item, Section
from checklists.rules import library_rules, version_rules
from checklists.scoring import AnswerInput, score_visit
from checklists.selectors import LIBRARY_DIR
from checklists.services import checklist_version_new_draft, checklist_version_publish
from tests.factories import ItemFactory, SectionFactory, VersionFactory
from tests.report_data import visit

pytestmark = pytest.mark.django_db

UNSCORED_TYPES = ["text", "datetime", "photo"]
# The service-recovery checklists (issue 10) and the channel each is shopped through.
SERVICE_RECOVERY = {
    "return-refund": "branch",
    "phone-enquiry": "phone",
    "ask-for-manager": "branch",
    "written-complaint-reply": "written",
}


def load() -> str:
    out = StringIO()
    call_command("load_checklists", stdout=out)
    return out.getvalue()


def test_it_loads_ten_published_checklists():
    load()
    assert Checklist.objects.count() == 10
    assert set(ChecklistVersion.objects.values_list("status", flat=True)) == {"published"}


def test_the_service_recovery_checklists_load_with_their_channels():
    load()
    channels = dict(Checklist.objects.values_list("code", "channel"))
    assert {code: channels[code] for code in SERVICE_RECOVERY} == SERVICE_RECOVERY


def test_a_file_without_a_channel_is_a_branch_visit():
    load()
    assert Checklist.objects.get(code="standard-branch-visit").channel == Channel.BRANCH


def test_loading_the_service_recovery_checklists_again_adds_no_version():
    load()
    before = list(
        ChecklistVersion.objects.filter(checklist__code__in=SERVICE_RECOVERY).values_list(
            "checklist__code", "number"
        )
    )
    output = load()
    after = list(
        ChecklistVersion.objects.filter(checklist__code__in=SERVICE_RECOVERY).values_list(
            "checklist__code", "number"
        )
    )
    assert sorted(after) == sorted(before) == sorted((code, 1) for code in SERVICE_RECOVERY)
    assert all(f"unchanged: {code} v1" in output for code in SERVICE_RECOVERY)


def test_a_library_file_with_an_unknown_channel_is_refused_naming_the_field(library_copy):
    edit(library_copy, "phone-enquiry", lambda data: data.update(channel="carrier-pigeon"))
    with pytest.raises(ValidationError) as refused:
        load()
    assert "channel" in refused.value.message_dict
    assert not Checklist.objects.filter(code="phone-enquiry").exists()


def test_a_phone_shop_records_the_number_called_and_the_calls_time_and_length():
    load()
    items = library_items("phone-enquiry")
    assert [items[code].answer_type for code in ("CALL_NUMBER", "CALL_TIME", "CALL_MINUTES")] == [
        "text",
        "datetime",
        "number",
    ]
    assert (items["CALL_MINUTES"].unit_en, items["CALL_MINUTES"].weight) == ("minutes", 0)


def test_a_written_shop_records_when_it_was_sent_and_when_the_answer_came():
    load()
    items = library_items("written-complaint-reply")
    assert (items["SENT_AT"].answer_type, items["ANSWERED_AT"].answer_type) == (
        "datetime",
        "datetime",
    )
    assert (items["TM02"].answer_type, items["TM02"].unit_en) == ("number", "days")


def test_the_length_of_a_call_is_recorded_and_never_moves_the_score():
    rules = library_rules(
        json.loads((LIBRARY_DIR / "phone-enquiry.json").read_text(encoding="utf-8"))
    )
    answers = [AnswerInput("PC01", 5), AnswerInput("PG02", 4)]
    short, long = (
        score_visit(rules, [*answers, AnswerInput("CALL_MINUTES", minutes)]) for minutes in (1, 90)
    )
    assert (short.score, short.sections) == (long.score, long.sections)
    assert short.items["CALL_MINUTES"].failed is False
    assert short.items["CALL_MINUTES"].gain == 0


def test_the_written_complaint_reply_plays_one_of_the_references_four_complainant_types():
    load()
    item = library_items("written-complaint-reply")["TYPE"]
    assert [o["label"]["zh-Hans"] for o in item.options] == [
        "问题解决型",
        "表现不满型",
        "自我表现型",
        "撒娇倚赖型",
    ]
    assert all(option["score"] is None for option in item.options)


def test_running_it_twice_changes_nothing():
    load()
    counts = (ChecklistVersion.objects.count(), Section.objects.count(), Item.objects.count())
    output = load()
    assert (
        ChecklistVersion.objects.count(),
        Section.objects.count(),
        Item.objects.count(),
    ) == counts
    assert "loaded:" not in output


def test_every_text_exists_in_both_languages():
    load()
    for item in Item.objects.all():
        assert item.text_zh and item.text_en, item.code


def test_every_scored_item_carries_a_rater_and_an_area_tag():
    load()
    # Weight 0 is a record (the length of a mystery call): it never moves a score.
    scored = [
        item
        for item in Item.objects.exclude(answer_type__in=UNSCORED_TYPES).exclude(weight=0)
        if not any(option["score"] is None for option in item.options)
    ]
    assert all(item.rater and item.area for item in scored)


def test_the_standard_visit_has_the_three_basic_actions():
    load()
    version = ChecklistVersion.objects.get(checklist__code="standard-branch-visit")
    types = set(Item.objects.filter(version=version).values_list("answer_type", flat=True))
    assert {"yes_no", "scale5", "number", "photo", "text"} <= types
    assert Item.objects.filter(version=version, critical=True).exists()


# --- new library versions ----------------------------------------------------


@pytest.fixture
def library_copy(tmp_path, monkeypatch):
    """A copy of the bundled library that the command loads instead of the real one."""
    for path in LIBRARY_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(command_module, "LIBRARY_DIR", tmp_path)
    return tmp_path


def edit(library: Path, code: str, change) -> None:
    path = library / f"{code}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def retitle(data: dict) -> None:
    data["sections"][0]["items"][0]["text"]["en"] = "An earlier wording"


def versions(code: str) -> list[ChecklistVersion]:
    return list(ChecklistVersion.objects.filter(checklist__code=code).order_by("number"))


def test_a_changed_library_file_is_published_as_the_next_version(library_copy):
    edit(library_copy, "rater", retitle)
    load()
    shutil.copy(LIBRARY_DIR / "rater.json", library_copy / "rater.json")
    output = load()
    old, new = versions("rater")
    assert (new.number, new.status, new.based_on) == (2, "published", old)
    assert "loaded: rater v2" in output


def as_text_times(data: dict) -> None:
    """The file as it was before the date-time answer type: its times were free text."""
    for section in data["sections"]:
        for item in section["items"]:
            if item["answer_type"] == "datetime":
                item["answer_type"] = "text"


def test_times_turned_into_date_times_are_published_as_new_versions_leaving_the_text_ones(
    library_copy,
):
    for code in ("phone-enquiry", "written-complaint-reply"):
        edit(library_copy, code, as_text_times)
    load()
    before = {code: versions(code)[0] for code in ("phone-enquiry", "written-complaint-reply")}
    for code in before:
        shutil.copy(LIBRARY_DIR / f"{code}.json", library_copy / f"{code}.json")
    output = load()
    for code, old in before.items():
        first, new = versions(code)
        assert (first.pk, new.number, new.status, new.based_on) == (old.pk, 2, "published", old)
        assert f"loaded: {code} v2" in output
        assert not first.items.filter(answer_type="datetime").exists()
        assert new.items.filter(answer_type="datetime").exists()
    assert [v.number for v in versions("rater")] == [1]


def test_loading_a_changed_file_leaves_the_published_version_as_it_was(library_copy):
    edit(library_copy, "rater", retitle)
    load()
    first = versions("rater")[0]
    items = list(first.items.values_list("code", "text_en", "weight", "critical"))
    shutil.copy(LIBRARY_DIR / "rater.json", library_copy / "rater.json")
    load()
    first.refresh_from_db()
    assert first.status == "published"
    assert list(first.items.values_list("code", "text_en", "weight", "critical")) == items


def test_a_visit_keeps_pointing_at_the_version_it_used(library_copy, east_branch):
    edit(library_copy, "rater", retitle)
    load()
    first = versions("rater")[0]
    stored = visit(east_branch, first, "2026-10-02", 80)
    shutil.copy(LIBRARY_DIR / "rater.json", library_copy / "rater.json")
    load()
    stored.refresh_from_db()
    assert stored.checklist_version == first


def test_loading_the_new_library_twice_adds_one_version_per_changed_file(library_copy):
    edit(library_copy, "rater", retitle)
    load()
    shutil.copy(LIBRARY_DIR / "rater.json", library_copy / "rater.json")
    load()
    output = load()
    assert [v.number for v in versions("rater")] == [1, 2]
    assert [v.number for v in versions("sales-visit")] == [1]
    assert "loaded:" not in output


def test_a_file_changed_back_to_earlier_content_is_published_again(library_copy):
    shutil.copy(LIBRARY_DIR / "rater.json", library_copy / "rater.json")
    load()
    edit(library_copy, "rater", retitle)
    load()
    shutil.copy(LIBRARY_DIR / "rater.json", library_copy / "rater.json")
    load()
    first, _, third = versions("rater")
    assert third.library_hash == first.library_hash
    assert third.status == "published"


def test_a_draft_head_office_made_from_a_library_version_does_not_trigger_a_reload():
    load()
    checklist_version_new_draft(source=versions("rater")[0])
    output = load()
    assert [v.number for v in versions("rater")] == [1, 2]
    assert "loaded:" not in output


def test_every_loaded_version_scores_exactly_like_its_library_file():
    load()
    for path in LIBRARY_DIR.glob("*.json"):
        if path.name == "scales.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        version = ChecklistVersion.objects.get(checklist__code=data["code"])
        assert version_rules(version)[0] == library_rules(data), data["code"]


# --- the library's content ---------------------------------------------------

REFERENCE_FACTORS = (
    "物美价廉的感觉",
    "优雅的礼貌",
    "清洁的环境",
    "令人感觉愉快的环境",
    "温馨的感觉",
    "可以帮助顾客成长的事物",
    "让顾客得到满足",
    "方便",
    "提供售前和售后服务",
    "认识并熟悉顾客",
    "商品具有吸引力",
    "兴趣",
    "提供完整的选择",
    "站在顾客的角度看问题",
    "没有刁难顾客的隐藏制度",
    "倾听",
    "全心处理个别顾客的问题",
    "效率和安全的兼顾",
    "放心",
    "显示自我尊严",
    "能被认同与接受",
    "受到重视",
    "有合理的能迅速处理顾客抱怨的渠道",
    "不想等待太久",
    "专业的人员",
    "前后一致的待客态度",
)


def library_items(code: str) -> dict[str, Item]:
    version = ChecklistVersion.objects.filter(checklist__code=code).latest("number")
    return {item.code: item for item in Item.objects.filter(version=version)}


def test_the_26_key_factors_are_numbered_and_worded_as_in_the_reference():
    load()
    factors = sorted(library_items("key-factors-26").values(), key=lambda item: item.position)
    assert [(item.code, item.factor, item.text_zh) for item in factors] == [
        (f"F{number:02}", number, text) for number, text in enumerate(REFERENCE_FACTORS, start=1)
    ]


def test_the_26_key_factors_share_one_section_so_each_counts_the_same_whatever_is_na():
    load()
    factors = library_items("key-factors-26").values()
    assert {item.section.code for item in factors} == {"factors"}
    assert {item.weight for item in factors} == {Decimal(1)}


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("F20", "The customer can keep face and feels their self-esteem affirmed"),
        ("F23", "A reasonable channel that handles complaints quickly"),
        ("F26", "A consistent attitude toward the customer throughout"),
    ],
)
def test_the_key_factors_english_follows_the_chinese(code, english):
    load()
    assert library_items("key-factors-26")[code].text_en == english


def test_an_item_is_a_knock_out_exactly_when_it_is_basic_or_punishment():
    load()
    for item in Item.objects.exclude(answer_type__in=UNSCORED_TYPES):
        assert item.critical == (item.bpmp in {"basic", "punishment"}), item.code


def test_every_knock_out_asks_for_a_comment_when_it_fails():
    load()
    assert not Item.objects.filter(critical=True, comment_on_failure=False).exists()


def test_no_reward_item_is_a_knock_out_or_asks_for_a_comment_on_failure():
    load()
    rewards = Item.objects.filter(bpmp="motivation")
    assert rewards.exists()
    assert not rewards.filter(critical=True).exists()
    assert not rewards.filter(comment_on_failure=True).exists()


def test_minutes_in_the_queue_are_scored_the_same_everywhere():
    load()
    queues = Item.objects.filter(text_en="Minutes in the queue")
    assert queues.count() == 2
    assert len({json.dumps(item.thresholds) for item in queues}) == 1


def test_the_complainant_type_is_a_choice_of_the_references_four_types():
    load()
    item = library_items("complaint-handling")["TYPE"]
    assert item.answer_type == "choice"
    assert [(o["label"]["zh-Hans"], o["label"]["en"]) for o in item.options] == [
        ("问题解决型", "Problem-driven"),
        ("表现不满型", "Venting"),
        ("自我表现型", "Wants to feel important"),
        ("撒娇倚赖型", "Dependent/unreasonable"),
    ]


def test_the_complainant_type_is_recorded_but_not_scored():
    load()
    item = library_items("complaint-handling")["TYPE"]
    assert all(option["score"] is None for option in item.options)


def test_the_sales_visit_asks_about_the_customers_preconceptions_after_the_customer_type():
    load()
    content = sorted(
        (i for i in library_items("sales-visit").values() if i.section.code == "content"),
        key=lambda item: item.position,
    )
    codes = [item.code for item in content]
    assert codes[codes.index("CN09") + 1] == "CN14"
    assert "预定心理的差异" in content[codes.index("CN14")].text_zh


def test_knowing_competitors_keeps_their_future_moves():
    load()
    assert "未来动态" in library_items("sales-visit")["PR05"].text_zh


def test_no_item_opens_with_a_negation_except_the_verbatim_key_factors():
    # "No unfriendly tone? — Yes" is a double negative; the 26 factors keep the reference's words.
    load()
    for item in Item.objects.exclude(version__checklist__code="key-factors-26"):
        assert not item.text_zh.startswith(("没", "未", "无", "不要", "不会")), item.text_zh
        assert not item.text_en.startswith(("No ", "Not ", "Did not", "Never")), item.text_en


def test_knock_outs_are_called_否决项_never_关键项():
    texts = " ".join(path.read_text(encoding="utf-8") for path in LIBRARY_DIR.glob("*.json"))
    assert "否决项" in texts
    assert "关键项" not in texts


def test_the_library_says_company_not_bank():
    texts = " ".join(path.read_text(encoding="utf-8") for path in LIBRARY_DIR.glob("*.json"))
    assert "全行" not in texts


def test_the_six_level_scale_has_the_same_poles_as_the_five_level_scale():
    scales = json.loads((LIBRARY_DIR / "scales.json").read_text(encoding="utf-8"))
    poles = [
        scales[name][index]["label"]["zh-Hans"]
        for name in ("scale5", "scale6")
        for index in (0, -1)
    ]
    assert poles == ["完全不满意", "完全满意", "完全不满意", "完全满意"]


# --- publishing rules the library is held to ---------------------------------


def draft_with(**item_fields) -> ChecklistVersion:
    version = VersionFactory(status=ChecklistVersion.Status.DRAFT, published_at=None)
    ItemFactory(section=SectionFactory(version=version), **item_fields)
    return version


def test_publishing_refuses_a_reward_item_marked_critical():
    version = draft_with(bpmp="motivation", critical=True, comment_on_failure=True)
    with pytest.raises(ValidationError, match="cannot be critical"):
        checklist_version_publish(version=version)


def test_publishing_refuses_a_reward_item_that_asks_for_a_comment_on_failure():
    version = draft_with(bpmp="motivation", comment_on_failure=True)
    with pytest.raises(ValidationError, match="never fails"):
        checklist_version_publish(version=version)


def test_publishing_accepts_a_choice_whose_options_have_no_scores():
    options = [{"value": "a", "score": None}, {"value": "b", "score": None}]
    version = draft_with(answer_type="choice", options=options)
    assert checklist_version_publish(version=version).is_published


def test_publishing_refuses_a_choice_with_scores_on_some_options_only():
    options = [{"value": "a", "score": "100"}, {"value": "b", "score": None}]
    version = draft_with(answer_type="choice", options=options)
    with pytest.raises(ValidationError, match="or none for an unscored choice"):
        checklist_version_publish(version=version)


def test_publishing_refuses_a_critical_unscored_choice():
    options = [{"value": "a", "score": None}, {"value": "b", "score": None}]
    version = draft_with(answer_type="choice", options=options, critical=True)
    with pytest.raises(ValidationError, match="unscored item cannot be critical"):
        checklist_version_publish(version=version)
