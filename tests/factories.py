"""factory_boy factories for the test suite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.roles import Role
from actions.models import ActionPlan, ActionPlanItem
from audits.models import Assignment, Branch, Region, ShopperProfile, User
from checklists.models import AnswerType, Checklist, ChecklistVersion, Item, Section

PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name_zh = factory.Sequence(lambda n: f"区域{n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"br-{n:04d}")
    name_zh = factory.Sequence(lambda n: f"第{n}支行")
    name_en = factory.Sequence(lambda n: f"Branch {n}")
    address_zh = "上海市静安区南京西路1号"
    address_en = "1 West Nanjing Road, Jing'an, Shanghai"
    latitude = Decimal("31.230400")
    longitude = Decimal("121.473700")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.SHOPPER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)
        if create:
            self.save()


class ShopperFactory(UserFactory):
    role = Role.SHOPPER
    profile = factory.RelatedFactory(
        "tests.factories.ShopperProfileFactory", factory_related_name="user"
    )


class ShopperProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShopperProfile

    phone = "+86 138 0000 0000"
    languages = "zh-Hans, en"
    home_city = "Shanghai"


class ChecklistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checklist

    code = factory.Sequence(lambda n: f"checklist-{n}")
    language = "zh-Hans"
    title_zh = "标准网点检查"
    title_en = "Standard branch visit"


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistVersion

    checklist = factory.SubFactory(ChecklistFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = ChecklistVersion.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    expected_score = Decimal("80.0")
    tolerance = Decimal("5.0")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    version = factory.SubFactory(VersionFactory)
    code = factory.Sequence(lambda n: f"s{n}")
    position = factory.Sequence(lambda n: n)
    title_zh = "核心服务"
    title_en = "Core service"
    weight = Decimal(1)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    section = factory.SubFactory(SectionFactory)
    version = factory.SelfAttribute("section.version")
    code = factory.Sequence(lambda n: f"q{n}")
    position = factory.Sequence(lambda n: n)
    text_zh = "主动问候"
    text_en = "Greeted without being prompted"
    answer_type = AnswerType.YES_NO
    weight = Decimal(1)


def small_checklist(*, status: str = ChecklistVersion.Status.PUBLISHED) -> ChecklistVersion:
    """A two-section checklist with one item of every answer type.

    Item codes: greet (yes/no, critical, comment on failure), attitude (scale5,
    N/A allowed), wait (number, seconds), clean (scale6), resolved (choice),
    remark (text, optional), entrance (photo, photo required).
    """
    version = VersionFactory(
        status=status, published_at=timezone.now() if status == "published" else None
    )
    core = SectionFactory(version=version, code="core", position=1, weight=Decimal(2))
    env = SectionFactory(
        version=version, code="env", position=2, title_zh="环境", title_en="Environment"
    )
    ItemFactory(
        section=core,
        code="greet",
        position=1,
        critical=True,
        comment_on_failure=True,
        rater="responsiveness",
        area="people",
        factor=24,
        bpmp="basic",
    )
    ItemFactory(
        section=core,
        code="attitude",
        position=2,
        answer_type=AnswerType.SCALE5,
        allow_na=True,
        text_en="Warm, willing service",
        text_zh="热情的服务",
        rater="empathy",
        area="people",
        factor=5,
    )
    ItemFactory(
        section=core,
        code="wait",
        position=3,
        answer_type=AnswerType.NUMBER,
        text_en="Seconds until greeted",
        text_zh="等候问候的秒数",
        thresholds=[{"max": "10", "score": "100"}, {"max": "30", "score": "60"}, {"score": "0"}],
        rater="responsiveness",
        area="procedure",
        factor=24,
    )
    ItemFactory(
        section=env,
        code="clean",
        position=1,
        answer_type=AnswerType.SCALE6,
        text_en="A clean environment",
        text_zh="清洁的环境",
        rater="tangibles",
        area="environment",
        factor=3,
    )
    ItemFactory(
        section=env,
        code="resolved",
        position=2,
        answer_type=AnswerType.CHOICE,
        text_en="How was the question resolved?",
        text_zh="问题如何解决？",
        options=[
            {
                "value": "on_the_spot",
                "label": {"zh-Hans": "当场解决", "en": "On the spot"},
                "score": "100",
            },
            {
                "value": "follow_up",
                "label": {"zh-Hans": "承诺跟进", "en": "Follow-up promised"},
                "score": "60",
            },
            {
                "value": "not_resolved",
                "label": {"zh-Hans": "未解决", "en": "Not resolved"},
                "score": "0",
            },
        ],
        rater="reliability",
        area="procedure",
    )
    ItemFactory(
        section=env,
        code="remark",
        position=3,
        answer_type=AnswerType.TEXT,
        required=False,
        text_en="Overall impression",
        text_zh="总体印象",
    )
    ItemFactory(
        section=env,
        code="entrance",
        position=4,
        answer_type=AnswerType.PHOTO,
        photo_required=True,
        text_en="Photo of the entrance",
        text_zh="入口照片",
    )
    return version


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    branch = factory.SubFactory(BranchFactory)
    checklist_version = factory.LazyFunction(small_checklist)
    shopper = factory.SubFactory(ShopperFactory)
    scenario = "Ask about opening a savings account."
    window_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7))
    window_to = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    status = Assignment.Status.OPEN


class ActionPlanFactory(factory.django.DjangoModelFactory):
    """A plan for a month below standard (a critical-failure plan needs its `visit`)."""

    class Meta:
        model = ActionPlan

    branch = factory.SubFactory(BranchFactory)
    checklist = factory.SubFactory(ChecklistFactory)
    reason = ActionPlan.Reason.BELOW_STANDARD
    period = "2026-10"
    score = Decimal("70.0")
    expected_score = Decimal("80.0")


class ActionPlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlanItem

    plan = factory.SubFactory(ActionPlanFactory)
    item_code = factory.Sequence(lambda n: f"q{n}")
    text_zh = "主动问候"
    text_en = "Greeted without being prompted"
