"""GET /api/v1/branches/{id}/scorecard.pdf — a branch's scorecard as an A4 PDF.

Real PDFs are rendered once for the module (``october``): a rich October at
上海静安支行 in Chinese and in English, and a branch without visits. Those tests
read the PDF the way a reader's viewer does (poppler's pdftotext, pdffonts,
pdfimages). Scoping and parameter tests stub the PDF engine: they are about who
gets what, not what is drawn.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.roles import Role
from audits.models import Photo, VisitScore
from audits.storage import private_storage
from checklists.models import Item
from tests.factories import BranchFactory, RegionFactory, UserFactory
from tests.report_data import report_checklist, visit

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfimages")),
    reason="poppler-utils (pdftotext, pdffonts, pdfimages) not installed",
)

SHOPPER = "zhang-wei-shopper"
OCTOBER = {"period": "2026-10"}


def url(branch_id: int) -> str:
    return f"/api/v1/branches/{branch_id}/scorecard.pdf"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def pdf_text(pdf: bytes) -> str:
    # -layout keeps reading order within each block, which the ordering tests rely on.
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 60, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def build_october() -> dict:
    """East: 上海静安支行 and 上海浦东支行 tie at 85.0, 上海徐汇支行 70.0; West: 成都锦江支行 95.0.

    At 上海静安支行 the critical item `clean` failed once (so it leads the item table
    although it comes fourth in the checklist), and the points lost per visit are
    clean 8.0, attitude 5.0, wait 3.0, resolved 1.0.
    """
    east = RegionFactory(code="east", name_zh="华东区", name_en="East")
    west = RegionFactory(code="west", name_zh="华西区", name_en="West")
    jingan = BranchFactory(
        region=east, code="sh-jingan", name_zh="上海静安支行", name_en="Shanghai Jing'an"
    )
    pudong = BranchFactory(
        region=east, code="sh-pudong", name_zh="上海浦东支行", name_en="Shanghai Pudong"
    )
    xuhui = BranchFactory(
        region=east, code="sh-xuhui", name_zh="上海徐汇支行", name_en="Shanghai Xuhui"
    )
    minhang = BranchFactory(
        region=east, code="sh-minhang", name_zh="上海闵行支行", name_en="Shanghai Minhang"
    )
    jinjiang = BranchFactory(
        region=west, code="cd-jinjiang", name_zh="成都锦江支行", name_en="Chengdu Jinjiang"
    )
    shopper = UserFactory(username=SHOPPER, first_name="伟", last_name="张", role=Role.SHOPPER)
    hank = UserFactory(username="hank-pdf", role=Role.HEAD_OFFICE)

    version = report_checklist("branch-visit")
    Item.objects.filter(version=version, code="clean").update(
        critical=True,
        good_practice_zh="营业厅地面、柜台随时保持整洁。",
        good_practice_en="Keep the floor and counters clean at all times.",
    )
    Item.objects.filter(version=version, code="attitude").update(
        good_practice_zh="始终热情、耐心地为顾客服务。",
        good_practice_en="Serve every customer warmly and patiently.",
    )
    Item.objects.filter(version=version, code="wait").update(
        good_practice_zh="顾客进门十秒内主动问候。",
        good_practice_en="Greet every customer within ten seconds.",
    )

    first = visit(
        jingan,
        version,
        "2026-10-08",
        80.0,
        sections={"core": 85, "env": 70},
        dimensions={"responsiveness": 90, "empathy": 70, "tangibles": 60, "reliability": 80},
        answers={
            "greet": 100,
            "attitude": {"score": 50, "gain": "6.00"},
            "wait": {"score": 60, "gain": "3.00"},
            "clean": {"score": 0, "gain": "16.00"},
            "resolved": {"score": 60, "gain": "2.00"},
        },
    )
    second = visit(
        jingan,
        version,
        "2026-10-21",
        90.0,
        sections={"core": 90, "env": 95},
        dimensions={"responsiveness": 100, "empathy": 80, "tangibles": 90, "reliability": 95},
        answers={
            "greet": 100,
            "attitude": {"score": 75, "gain": "4.00"},
            "wait": {"score": 60, "gain": "3.00"},
        },
    )
    for stored, people in ((first, 70), (second, 90)):
        VisitScore.objects.create(
            visit=stored, kind=VisitScore.Kind.AREA, key="people", score=people
        )
        VisitScore.objects.create(
            visit=stored, kind=VisitScore.Kind.AREA, key="environment", score=80
        )
        stored.shopper = shopper
        stored.comment = "柜员业务熟练，但等候区地面有纸屑。"
        stored.save(update_fields=["shopper", "comment"])
    photo = Photo.objects.create(
        visit=first, item_code="clean", sha256="0" * 64, received_at=timezone.now()
    )
    photo.print_name = private_storage().save(
        f"visits/{first.pk}/photos/{photo.pk}/print.jpg", ContentFile(jpeg())
    )
    photo.save(update_fields=["print_name"])

    for month, score in (("2026-05-10", 70.0), ("2026-07-10", 75.0), ("2026-09-10", 78.0)):
        visit(jingan, version, month, score)
    visit(pudong, version, "2026-10-03", 85.0)
    visit(xuhui, version, "2026-10-04", 70.0)
    visit(jinjiang, version, "2026-10-05", 95.0)
    visit(minhang, version, "2026-09-05", 88.0)

    return {"jingan": jingan.pk, "minhang": minhang.pk, "hank": Token.objects.create(user=hank).key}


@pytest.fixture(scope="module")
def october(django_db_setup, django_db_blocker, tmp_path_factory):
    """The module's real PDFs and responses, rendered once, in a transaction rolled back after."""
    media = tmp_path_factory.mktemp("scorecard-media")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Ranked although scored from one or two visits: the small-sample rule is off (1) here;
    # its own tests below set the threshold.
    with (
        override_settings(STORAGES=storages, SMALL_SAMPLE_VISITS=1),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        ids = build_october()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {ids['hank']}")
        zh = client.get(url(ids["jingan"]), {**OCTOBER, "lang": "zh-Hans"})
        zh_again = client.get(url(ids["jingan"]), {**OCTOBER, "lang": "zh-Hans"})
        en = client.get(url(ids["jingan"]), OCTOBER, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
        empty = client.get(url(ids["minhang"]), {**OCTOBER, "lang": "zh-Hans"})
        result = SimpleNamespace(
            zh=zh,
            en=en,
            zh_pdf=body(zh),
            zh_again=zh_again,
            zh_again_pdf=body(zh_again),
            en_pdf=body(en),
            empty_pdf=body(empty),
        )
        transaction.set_rollback(True)
    result.zh_text = pdf_text(result.zh_pdf)
    result.en_text = pdf_text(result.en_pdf)
    result.empty_text = pdf_text(result.empty_pdf)
    return result


# --- the PDF -----------------------------------------------------------------


def test_it_answers_with_an_inline_pdf_named_after_branch_period_and_language(october):
    response = october.zh

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'inline; filename="scorecard-sh-jingan-2026-10-zh-Hans.pdf"'
    )
    assert response["X-Scorecard-Cache"] == "miss"
    assert october.zh_pdf.startswith(b"%PDF")


def test_the_response_names_the_language_of_a_chinese_scorecard(october):
    assert october.zh["Content-Language"] == "zh-Hans"


def test_the_response_names_the_language_of_an_english_scorecard(october):
    assert october.en["Content-Language"] == "en"


def test_the_pdf_is_tagged_and_says_its_language(october, tmp_path):
    path = tmp_path / "card.pdf"
    path.write_bytes(october.zh_pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)

    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    assert b"/Lang (zh-Hans)" in b"".join(inflated_streams(october.zh_pdf))


def inflated_streams(pdf: bytes) -> list[bytes]:
    """Every compressed stream of the file, inflated (the catalog sits in one)."""
    streams = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            streams.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return streams


def test_the_same_request_again_is_served_from_the_cache(october):
    assert october.zh_again["X-Scorecard-Cache"] == "hit"
    assert october.zh_again_pdf == october.zh_pdf


def test_it_shows_branch_region_period_visits_score_and_band(october):
    text = october.zh_text

    for shown in ("上海静安支行", "sh-jingan", "华东区", "2026年10月", "85.0", "满足期望"):
        assert shown in text
    assert re.search(r"有效暗访次数\s*2", text)


def test_branches_with_equal_scores_share_a_rank(october):
    compact = re.sub(r"\s+", "", october.zh_text)

    # 上海静安支行 ties 上海浦东支行 for first of three ranked in East, behind 成都锦江支行
    # company-wide. (Pages are numbered "n / 2", so neither figure can be a page number.)
    assert "1/3" in compact
    assert "2/4" in compact


def test_a_zh_hans_scorecard_is_worded_in_chinese(october):
    for wording in (
        "网点服务质量评分卡",
        "得分趋势",
        "分项得分",
        "反应度",
        "改进重点",
        "检查项明细",
    ):
        assert wording in october.zh_text


def test_accept_language_en_gives_an_english_scorecard(october):
    text = october.en_text

    for wording in ("Branch service scorecard", "Shanghai Jing'an", "Oct 2026", "What to work on"):
        assert wording in text
    assert "网点服务质量评分卡" not in text


def test_it_embeds_a_cjk_font(october, tmp_path):
    path = tmp_path / "card.pdf"
    path.write_bytes(october.zh_pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)

    # The compact subset of Noto Sans CJK SC (reports.scorecard_fonts).
    cjk = [row for row in fonts.stdout.splitlines()[2:] if "Scorecard-Sans-SC" in row]
    assert cjk
    assert all(re.search(r"\syes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row) for row in cjk)


def test_critical_failures_lead_the_item_table(october):
    table = between(october.zh_text, "检查项明细", "现场照片")

    # 清洁的环境 is fourth in the checklist but failed as a critical item.
    assert table.index("清洁的环境") < table.index("主动问候") < table.index("热情的服务")


def test_what_to_work_on_is_the_three_items_that_cost_the_most_points(october):
    focus = between(october.zh_text, "改进重点", "RATER")

    assert focus.index("清洁的环境") < focus.index("热情的服务") < focus.index("等候问候的秒数")
    assert "问题如何解决" not in focus
    assert "营业厅地面、柜台随时保持整洁。" in focus
    assert re.search(r"8\.0\s*分", focus)


def test_evidence_shows_the_photo_and_the_shoppers_comments(october, tmp_path):
    path = tmp_path / "card.pdf"
    path.write_bytes(october.zh_pdf)
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    )

    assert len(images.stdout.splitlines()[2:]) == 1
    assert "清洁的环境" in october.zh_text
    # The caption names the item, never the day: a regional manager reads this card.
    assert "2026-10-08" not in october.zh_text
    assert "等候区地面有纸屑" in october.zh_text


def test_the_shopper_is_never_named(october):
    for text in (october.zh_text, october.en_text):
        assert SHOPPER not in text
        assert "张伟" not in text and "伟 张" not in text


def test_a_branch_without_approved_visits_gets_a_scorecard_saying_so(october):
    text = october.empty_text

    assert "上海闵行支行" in text
    assert "本期无已审核的暗访记录" in text
    assert "88.0" in text  # September's visit, still on the trend line


# --- who may fetch it, and how it is asked for ---------------------------------


@pytest.fixture
def stub_pdf(monkeypatch):
    drawn = []

    def fake_render(card):
        drawn.append(card)
        return b"%PDF-stub"

    monkeypatch.setattr("reports.pdf.render_scorecard_pdf", fake_render)
    return drawn


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


def test_a_regional_manager_gets_their_own_regions_branch(
    client_for, erin, east_branch, version, stub_pdf
):
    response = client_for(erin).get(url(east_branch.pk), OCTOBER)

    assert response.status_code == 200
    assert body(response) == b"%PDF-stub"


def test_a_regional_manager_gets_404_for_another_regions_branch(
    client_for, erin, west_branch, version, stub_pdf
):
    response = client_for(erin).get(url(west_branch.pk), OCTOBER)

    assert response.status_code == 404
    assert stub_pdf == []


def test_a_shopper_is_refused(client_for, alice, east_branch, version):
    assert client_for(alice).get(url(east_branch.pk), OCTOBER).status_code == 403


def test_anonymous_callers_must_sign_in(anon, east_branch, version):
    assert anon.get(url(east_branch.pk), OCTOBER).status_code == 401


def test_a_reviewer_may_fetch_any_branch(client_for, rita, west_branch, version, stub_pdf):
    assert client_for(rita).get(url(west_branch.pk), OCTOBER).status_code == 200


def test_a_session_login_works_too(client, hank, east_branch, version, stub_pdf):
    client.force_login(hank)

    assert client.get(url(east_branch.pk), OCTOBER).status_code == 200


@pytest.mark.parametrize(
    ("params", "filename_period", "label"),
    [
        ({"period": "2026-Q3"}, "2026-Q3", "2026年第3季度"),
        (
            {"from": "2026-10-01", "to": "2026-10-15"},
            "2026-10-01_2026-10-15",
            "2026-10-01–2026-10-15",
        ),
    ],
)
def test_a_quarter_or_a_date_range_is_a_period_too(
    client_for, hank, east_branch, version, stub_pdf, params, filename_period, label
):
    response = client_for(hank).get(url(east_branch.pk), {**params, "lang": "zh-Hans"})

    assert response.status_code == 200
    assert (
        f'filename="scorecard-sh-jingan-{filename_period}-zh-Hans.pdf"'
        in response["Content-Disposition"]
    )
    assert stub_pdf[0].period_label == label


def test_without_a_period_it_shows_the_last_complete_month(
    client_for, hank, east_branch, version, stub_pdf
):
    today = timezone.localdate()
    last = today.replace(day=1) - timezone.timedelta(days=1)

    response = client_for(hank).get(url(east_branch.pk), {"lang": "en"})

    assert f"-{last:%Y-%m}-en.pdf" in response["Content-Disposition"]


def test_a_bad_period_is_a_400_naming_it(client_for, hank, east_branch, version):
    response = client_for(hank).get(url(east_branch.pk), {"period": "2026-13"})

    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_an_unknown_checklist_is_a_400(client_for, hank, east_branch, version):
    response = client_for(hank).get(url(east_branch.pk), {**OCTOBER, "checklist": "nope"})

    assert response.status_code == 400
    assert "checklist" in response.json()["errors"]


def test_the_checklist_parameter_picks_the_checklist(
    client_for, hank, east_branch, version, stub_pdf
):
    other = report_checklist("other-visit")
    visit(east_branch, version, "2026-10-02", 80.0)
    visit(east_branch, other, "2026-10-03", 60.0)

    client_for(hank).get(url(east_branch.pk), {**OCTOBER, "checklist": "other-visit"})

    assert stub_pdf[0].score == Decimal("60.0")


def test_an_accept_header_asking_only_for_pdf_still_gets_json_errors(
    client_for, erin, west_branch, version
):
    response = client_for(erin).get(url(west_branch.pk), OCTOBER, HTTP_ACCEPT="application/pdf")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_period_whose_trend_would_reach_before_year_one_is_a_400(client_for, hank, east_branch):
    response = client_for(hank).get(url(east_branch.pk), {"period": "0001-03"})

    assert response.status_code == 400
    assert "period" in response.json()["errors"]
