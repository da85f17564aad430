"""What every server-rendered page shares: the header and its menu, the language, the
error pages and the icon (front/templates/base.html, front/templatetags/).

Each role's menu leads only where the role may go; the pages speak the browser's
language (zh-Hans or en) until the switch in the header says otherwise; people are
named as they write their names; errors outside /api/ are pages of the site, with a
way on, while /api/ keeps answering JSON.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse, set_urlconf
from django.utils import translation

from accounts.roles import Role
from audits.models import Visit, VisitCheck
from backend import errors
from checklists.languages import language_for
from front.templatetags.people import full_name
from tests.browser import DESKTOP, PHONE, scroll_width, shoot
from tests.factories import PASSWORD, BranchFactory, UserFactory
from tests.report_data import report_checklist, visit


def signed_in(client, user):
    client.force_login(user)
    return client


def menu(page: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the header's menu, in order."""
    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', page, re.S)
    if nav is None:
        return []
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))


def menu_targets(page: str) -> list[str]:
    return [href for href, _ in menu(page)]


def header(page: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', page, re.S).group(0)


# --- error pages ---------------------------------------------------------------------


def test_a_missing_page_is_a_404_in_the_sites_layout_with_the_menu_and_a_way_home(client, hank):
    response = signed_in(client, hank).get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<header class="site-header">' in page
    assert reverse("review-queue-page") in menu_targets(page)
    assert "Page not found" in page
    assert f'<a href="{reverse("home")}">Go to the home page</a>' in page


def test_a_missing_page_offers_a_visitor_who_is_not_signed_in_to_sign_in(client, db):
    page = client.get("/no-such-page/").content.decode()

    assert menu(page) == []
    assert f'<a href="{reverse("login")}">Sign in</a>' in page


def test_a_missing_page_offers_a_reviewer_the_way_back_to_the_queue(client, rita):
    page = signed_in(client, rita).get("/no-such-page/").content.decode()

    assert f'<a href="{reverse("review-queue-page")}">Back to the review queue</a>' in page


def test_under_the_api_a_missing_url_is_still_json(client, hank):
    response = signed_in(client, hank).get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_the_role_may_not_open_is_a_403_page_naming_the_user_and_role(client, alice):
    alice.first_name, alice.last_name = "Alice", "Wang"
    alice.save()

    response = signed_in(client, alice).get(reverse("review-queue-page"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not for your role" in page
    assert "You are signed in as Alice Wang (Shopper)" in page
    assert f'<a href="{reverse("mobile:shell")}">Open the phone app</a>' in page


def test_a_request_django_refuses_outside_the_api_is_a_400_page(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3

    response = client.post(reverse("login"), {"a": 1, "b": 2, "c": 3, "d": 4})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The request could not be understood" in page
    assert '<header class="site-header">' in page


def test_the_500_page_renders_without_a_database_or_a_user():
    # No db fixture: pytest-django fails any query this test makes.
    request = RequestFactory().get("/reports/comparison/")

    response = errors.server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert '<header class="site-header">' in page
    assert "Something went wrong on our side" in page
    assert f'<a href="{reverse("home")}">Go to the home page</a>' in page
    assert menu(page) == []


def test_the_500_page_renders_even_when_the_urls_are_what_broke():
    no_routes = ModuleType("no_routes")
    no_routes.urlpatterns = []
    set_urlconf(no_routes)  # no route of the site can be reversed
    try:
        response = errors.server_error(RequestFactory().get("/"))
    finally:
        set_urlconf(None)

    assert response.status_code == 500
    assert '<a href="/">Go to the home page</a>' in response.content.decode()


def test_the_500_page_speaks_the_active_language():
    with translation.override("zh-hans"):
        page = errors.server_error(RequestFactory().get("/")).content.decode()

    assert "系统出现了问题" in page
    assert '<html lang="zh-Hans">' in page


def test_the_500_handler_still_answers_json_under_the_api():
    response = errors.server_error(RequestFactory().get("/api/v1/config/"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


# --- language ------------------------------------------------------------------------


def test_a_chinese_browser_gets_the_chinese_menu(client, hank):
    response = signed_in(client, hank).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")

    page = response.content.decode()
    assert '<html lang="zh-Hans">' in page
    labels = [text for _, text in menu(page)]
    assert labels[:3] == ["首页", "审核队列", "网点对比"]
    assert "退出登录" in header(page)


def test_an_english_browser_gets_the_english_menu(client, hank):
    page = signed_in(client, hank).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB")

    labels = [text for _, text in menu(page.content.decode())]
    assert labels[:3] == ["Home", "Review queue", "Comparison"]


def test_the_login_page_speaks_the_browsers_language(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert "<h1>登录</h1>" in page
    assert "用户名" in page


def test_the_header_offers_the_other_language(client, db):
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert 'name="language" value="zh-hans"' in english
    assert 'name="language" value="en"' in chinese


def test_the_language_switch_changes_the_language_of_the_next_pages(client, hank):
    signed_in(client, hank)

    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("home")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # The switch outweighs what the browser asks for.
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "审核队列" in header(page)


def test_the_language_switch_comes_back_to_the_same_page_without_its_lang_parameter(client, rita):
    page = (
        signed_in(client, rita)
        .get(reverse("review-queue-page"), {"lang": "en", "page": "2"})
        .content.decode()
    )

    assert f'name="next" value="{reverse("review-queue-page")}?page=2"' in page


def test_the_report_language_follows_the_switch_when_the_address_names_none():
    request = RequestFactory(HTTP_ACCEPT_LANGUAGE="en").get("/reports/comparison/")
    request.COOKIES["django_language"] = "zh-hans"

    assert language_for(request, fallback="en") == "zh-Hans"


def test_the_lang_parameter_still_outweighs_the_switch():
    request = RequestFactory().get("/reports/comparison/", {"lang": "en"})
    request.COOKIES["django_language"] = "zh-hans"

    assert language_for(request, fallback="zh-Hans") == "en"


def test_without_lang_switch_or_header_the_report_keeps_its_own_language():
    request = RequestFactory().get("/reports/comparison/")

    assert language_for(request, fallback="zh-Hans") == "zh-Hans"


# --- names ---------------------------------------------------------------------------


def test_a_chinese_name_is_written_family_name_first_without_a_space(client, db):
    user = UserFactory(username="lina", role=Role.REVIEWER, first_name="娜", last_name="李")

    page = signed_in(client, user).get(reverse("home")).content.decode()

    assert '<span class="who">李娜 · Reviewer</span>' in header(page)
    assert "<h1>Welcome, 李娜</h1>" in page


def test_a_western_name_keeps_the_given_name_first():
    assert full_name("Anna", "Li") == "Anna Li"


def test_a_name_with_only_a_chinese_family_name_is_that_name():
    assert full_name("", "王") == "王"


def test_without_a_name_the_header_shows_the_username(client, rita):
    page = signed_in(client, rita).get(reverse("home")).content.decode()

    assert '<span class="who">rita · Reviewer</span>' in header(page)


def test_the_role_is_named_in_the_page_language(client, rita):
    page = signed_in(client, rita).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert '<span class="who">rita · 审核员</span>' in header(page.content.decode())


# --- regions by name -----------------------------------------------------------------


def test_the_home_page_names_regions_in_english_for_an_english_reader(client, hank, east_branch):
    page = signed_in(client, hank).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<td>East</td>" in page
    assert "华东区" not in page
    assert ">east<" not in page


def test_the_home_page_names_regions_in_chinese_for_a_chinese_reader(client, hank, east_branch):
    page = signed_in(client, hank).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert "<td>华东区</td>" in page.content.decode()


# --- the menu of each role -----------------------------------------------------------


def test_a_reviewer_is_offered_the_review_queue(client, rita):
    targets = menu_targets(signed_in(client, rita).get(reverse("home")).content.decode())

    assert targets == [reverse("home"), reverse("review-queue-page")]


def test_head_office_is_offered_the_queue_the_comparison_and_the_admin(client, hank):
    targets = menu_targets(signed_in(client, hank).get(reverse("home")).content.decode())

    assert reverse("review-queue-page") in targets
    assert reverse("comparison-page") in targets
    assert reverse("admin:index") in targets


def test_a_regional_manager_is_offered_the_comparison_and_their_regions_scorecards(
    client, erin, east, west
):
    targets = menu_targets(signed_in(client, erin).get(reverse("home")).content.decode())

    assert reverse("comparison-page") in targets
    assert reverse("region-scorecards-zip", args=[east.pk]) in targets
    assert reverse("region-scorecards-zip", args=[west.pk]) not in targets
    assert reverse("review-queue-page") not in targets
    assert reverse("admin:index") not in targets


def test_a_regional_managers_zip_link_names_the_region(client, erin, east):
    page = signed_in(client, erin).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")

    zip_url = reverse("region-scorecards-zip", args=[east.pk])
    assert (zip_url, "华东区评分卡（ZIP）") in menu(page.content.decode())


def test_a_shopper_is_offered_the_phone_app_and_nothing_they_may_not_open(client, alice):
    targets = menu_targets(signed_in(client, alice).get(reverse("home")).content.decode())

    assert targets == [reverse("home"), reverse("mobile:shell")]


def test_the_menu_marks_the_page_being_shown(client, rita):
    page = signed_in(client, rita).get(reverse("review-queue-page")).content.decode()

    assert f'<a href="{reverse("review-queue-page")}" aria-current="page">' in page


# --- the icon ------------------------------------------------------------------------


def test_every_page_links_the_sites_icon(client, db):
    page = client.get(reverse("login")).content.decode()

    assert '<link rel="icon" href="/static/front/favicon.svg" type="image/svg+xml">' in page


def test_favicon_ico_leads_to_the_svg_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/front/favicon.svg"


def test_the_icon_is_served_by_the_site(client, db, settings):
    settings.WHITENOISE_USE_FINDERS = True  # tests run without collectstatic

    response = client.get("/static/front/favicon.svg")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert Path(finders.find("front/favicon.svg")).read_bytes().startswith(b"<svg")


# --- phones: no sideways scrolling ---------------------------------------------------


@pytest.fixture
def busy_site(hank, east_branch, west_branch):
    """Branches, October scores and a queue with long failed-check messages."""
    version = report_checklist("branch-visit")
    pudong = BranchFactory(
        region=east_branch.region,
        code="sh-pudong",
        name_zh="上海浦东支行",
        name_en="Shanghai Pudong",
    )
    for branch, score in ((east_branch, 85.0), (pudong, 80.0), (west_branch, 90.0)):
        visit(branch, version, "2026-10-05", score, sections={"core": score, "env": score})
    doubtful = visit(east_branch, version, "2026-10-06", 60.0, status=Visit.Status.SUBMITTED)
    doubtful.flagged, doubtful.confidence = True, 40
    doubtful.save(update_fields=["flagged", "confidence"])
    VisitCheck.objects.create(
        visit=doubtful,
        code="gps_far",
        passed=False,
        message="Photos taken 3.2 km from the branch, outside the 300 m the rules allow.",
        penalty=40,
    )
    visit(west_branch, version, "2026-10-07", 90.0, status=Visit.Status.SUBMITTED)
    return version


@pytest.mark.slow
def test_the_pages_fit_a_390_pixel_phone_without_sideways_scrolling(
    browser, live_server, busy_site
):
    pages = {
        "home": "/",
        "review-queue": reverse("review-queue-page"),
        "comparison": reverse("comparison-page") + "?period=2026-10&checklist=branch-visit",
    }
    widths = {}
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{reverse('login')}")
        shoot(page, "login-390.png")
        widths["login"] = scroll_width(page)
        page.get_by_label("Username").fill("hank")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            shoot(page, f"{name}-390.png")
            widths[name] = scroll_width(page)
        page.goto(f"{live_server.url}/no-such-page/")
        shoot(page, "not-found-390.png")
        widths["not-found"] = scroll_width(page)
        page.goto(f"{live_server.url}/")
        page.get_by_role("button", name="中文").click()
        page.get_by_role("heading", name="欢迎，hank").wait_for()
        shoot(page, "home-zh-390.png")
        widths["home-zh"] = scroll_width(page)
        page.set_viewport_size(DESKTOP)
        page.goto(f"{live_server.url}{pages['review-queue']}")
        shoot(page, "review-queue-1366.png")
    finally:
        context.close()

    assert widths == {name: min(width, 390) for name, width in widths.items()}
