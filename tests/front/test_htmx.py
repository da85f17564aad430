"""htmx on the league table and the review queue: for HX-Request the region it replaces, else the page.

The pages work without JavaScript exactly as before (tests/test_web_pages.py,
test_comparison_page.py); here, what htmx is given, and that htmx is ours: the
vendored file matches the sum its README records, and is loaded from this origin
with a configuration that needs no eval and no inline script.
"""

from __future__ import annotations

import hashlib
import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from audits.models import Visit
from front.views import review
from tests.report_data import report_checklist, visit

HTMX = {"HTTP_HX_REQUEST": "true"}
OCTOBER = {"period": "2026-10", "checklist": "branch-visit", "lang": "en"}
VENDOR = Path(__file__).resolve().parents[2] / "front" / "static" / "front" / "vendor"
HTMX_FILE = "htmx-2.0.11.min.js"


@pytest.fixture
def league(settings, east_branch, pudong, west_branch):
    settings.SMALL_SAMPLE_VISITS = 1
    version = report_checklist("branch-visit")
    visit(east_branch, version, "2026-10-05", 80.0, sections={"core": 75, "env": 85})
    visit(east_branch, version, "2026-10-20", 90.0, sections={"core": 85, "env": 95})
    visit(pudong, version, "2026-10-06", 80.0, sections={"core": 70, "env": 95})
    visit(west_branch, version, "2026-09-07", 90.0)
    return version


@pytest.fixture
def queue(east_branch, west_branch):
    """Three submitted visits: East flagged, East fine, West with its checks pending."""
    version = report_checklist("branch-visit")
    flagged = visit(east_branch, version, "2026-10-05", 60.0, status=Visit.Status.SUBMITTED)
    fine = visit(east_branch, version, "2026-10-06", 90.0, status=Visit.Status.SUBMITTED)
    pending = visit(west_branch, version, "2026-10-07", 85.0, status=Visit.Status.SUBMITTED)
    Visit.objects.filter(pk=flagged.pk).update(flagged=True, confidence=40)
    Visit.objects.filter(pk=fine.pk).update(confidence=95)
    return {"flagged": flagged, "fine": fine, "pending": pending}


def get(client, user, name: str, params: dict | None = None, **headers):
    client.force_login(user)
    return client.get(reverse(name), params or {}, **headers)


def is_whole_page(html: str) -> bool:
    return "<html" in html and 'class="site-nav"' in html and "<head>" in html


def visit_links(html: str) -> list[str]:
    return re.findall(r'href="/review/visits/([0-9a-f-]+)/"', html)


def varies_on_hx_request(response) -> bool:
    return "HX-Request" in [each.strip() for each in response.get("Vary", "").split(",")]


# --- the league table ----------------------------------------------------------------------


def test_a_normal_request_gets_the_whole_comparison_page_with_htmx_loaded(client, hank, league):
    response = get(client, hank, "comparison-page", OCTOBER)

    html = response.content.decode()
    assert response.status_code == 200
    assert is_whole_page(html)
    assert f'<script src="/static/front/vendor/{HTMX_FILE}" defer></script>' in html
    assert 'hx-get="/reports/comparison/" hx-target="#league" hx-push-url="true"' in html
    assert '<div id="league" tabindex="-1">' in html
    assert 'role="status" aria-live="polite"' in html
    # The sort headings stay plain links too: without JavaScript they load the page.
    assert re.search(r'<a href="([^"]+)" id="sort-visits" hx-get="\1"', html)
    assert varies_on_hx_request(response)


def test_an_htmx_request_gets_only_the_league_table_and_what_names_the_query(client, hank, league):
    response = get(client, hank, "comparison-page", {**OCTOBER, "sort": "visits"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert not is_whole_page(html)
    assert "<html" not in html and "<nav" not in html and "<form" not in html
    assert html.lstrip().startswith("<title>Branch comparison · 2026-10</title>")
    assert '<table class="league">' in html
    assert html.index("sh-jingan") < html.index("sh-pudong")  # by visits, most first
    # Out of band: the subtitle, the sort the form keeps, the period and export links,
    # and what the live region says.
    assert '<p class="muted" id="report-subtitle" hx-swap-oob="true">' in html
    assert (
        '<span id="league-order" hx-swap-oob="true"><input type="hidden" name="sort" '
        'value="visits"><input type="hidden" name="dir" value="desc"></span>'
    ) in html
    links = html[html.index('id="report-links"') :]
    assert (
        "/api/v1/reports/comparison/?period=2026-10&amp;checklist=branch-visit&amp;format=csv"
        in links
    )
    assert "sort=visits&amp;dir=desc" in links  # the period links keep the sort
    assert (
        '<p id="league-status" hx-swap-oob="innerHTML">3 of 3 branches, sorted by Visits, '
        "descending.</p>"
    ) in html
    assert varies_on_hx_request(response)


def test_the_htmx_answer_to_a_new_filter_names_the_new_period_everywhere(client, hank, league):
    html = get(
        client, hank, "comparison-page", {**OCTOBER, "period": "2026-09"}, **HTMX
    ).content.decode()

    assert "<title>Branch comparison · 2026-09</title>" in html
    subtitle = html[html.index('id="report-subtitle"') :]
    assert "2026-09" in subtitle[: subtitle.index("</p>")]
    assert (
        "format=csv" in html and "period=2026-09&amp;checklist=branch-visit&amp;format=xlsx" in html
    )


def test_the_status_is_said_in_chinese_on_a_chinese_page(client, hank, league):
    html = get(
        client, hank, "comparison-page", {**OCTOBER, "lang": "zh-Hans"}, **HTMX
    ).content.decode()

    assert (
        '<p id="league-status" hx-swap-oob="innerHTML">3 / 3 个网点，按排名升序排列。</p>' in html
    )


def test_a_history_restore_gets_the_whole_page(client, hank, league):
    response = get(
        client,
        hank,
        "comparison-page",
        OCTOBER,
        **HTMX,
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert is_whole_page(response.content.decode())


def test_a_bad_parameter_is_still_a_400_for_htmx(client, hank, league):
    # htmx_pages.js then loads the address itself, which shows this message as before.
    response = get(client, hank, "comparison-page", {**OCTOBER, "sort": "colour"}, **HTMX)

    assert response.status_code == 400
    assert "sort:" in response.content.decode()


def test_an_htmx_request_without_a_session_is_sent_to_log_in(client, league):
    response = client.get(reverse("comparison-page"), OCTOBER, **HTMX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the review queue ------------------------------------------------------------------------


def test_a_normal_request_gets_the_whole_review_queue_page(client, rita, queue):
    response = get(client, rita, "review-queue-page")

    html = response.content.decode()
    assert is_whole_page(html)
    assert f'<script src="/static/front/vendor/{HTMX_FILE}" defer></script>' in html
    assert 'hx-get="/review/" hx-target="#queue" hx-push-url="true"' in html
    assert '<span id="queue-count" role="status">3 waiting.</span>' in html
    assert len(visit_links(html)) == 3
    assert varies_on_hx_request(response)


def test_an_htmx_request_gets_only_the_list_and_the_count(client, rita, queue):
    response = get(client, rita, "review-queue-page", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert not is_whole_page(html)
    assert "<html" not in html and "site-nav" not in html and "<form" not in html
    assert '<table class="queue">' in html
    assert '<span id="queue-count" hx-swap-oob="innerHTML">3 waiting.</span>' in html
    assert visit_links(html) == [
        str(queue[name].pk) for name in ("flagged", "pending", "fine")
    ]  # the queue's order: flagged, checks pending, then the others
    assert varies_on_hx_request(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "east"}, ["flagged", "fine"]),
        ({"region": "west"}, ["pending"]),
        ({"flag": "flagged"}, ["flagged"]),
        ({"flag": "pending"}, ["pending"]),
        ({"region": "east", "flag": "pending"}, []),
    ],
)
def test_the_queue_is_filtered_by_region_and_flag(client, rita, queue, params, expected):
    html = get(client, rita, "review-queue-page", params, **HTMX).content.decode()

    assert visit_links(html) == [str(queue[name].pk) for name in expected]
    if not expected:
        assert "Nothing to review." in html


def test_the_filter_form_shows_what_is_filtered(client, rita, queue):
    html = get(client, rita, "review-queue-page", {"region": "west", "flag": "pending"}).content
    html = html.decode()

    assert '<option value="west" selected>West</option>' in html
    assert '<option value="pending" selected>checks pending</option>' in html


@pytest.fixture
def shops(east_branch, queue):
    """The queue, and a mystery call and a written shop waiting with it."""
    found = dict(queue)
    for name, channel in (("call", "phone"), ("letter", "written")):
        version = report_checklist(f"a-{name}")
        version.checklist.channel = channel
        version.checklist.save()
        found[name] = visit(east_branch, version, "2026-10-08", 80.0, status=Visit.Status.SUBMITTED)
        Visit.objects.filter(pk=found[name].pk).update(confidence=95)
    return found


@pytest.mark.parametrize(
    ("channel", "expected"),
    [("phone", ["call"]), ("written", ["letter"]), ("branch", ["flagged", "pending", "fine"])],
)
def test_the_queue_is_filtered_by_channel(client, rita, shops, channel, expected):
    html = get(client, rita, "review-queue-page", {"channel": channel}, **HTMX).content.decode()

    assert visit_links(html) == [str(shops[name].pk) for name in expected]


@pytest.mark.parametrize(
    ("lang", "badges"),
    [("en", ("In branch", "Phone call", "Written")), ("zh-hans", ("到店", "电话", "书面"))],
)
def test_each_queued_visit_shows_its_channel(client, rita, shops, lang, badges):
    client.force_login(rita)
    html = client.get(reverse("review-queue-page"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()

    shown = re.findall(r'<span class="channel channel-(\w+)">([^<]+)</span>', html)
    assert sorted(set(shown)) == sorted(zip(("branch", "phone", "written"), badges, strict=True))


def test_the_filter_form_and_the_page_links_keep_the_channel(client, rita, shops, monkeypatch):
    monkeypatch.setattr(review, "QUEUE_ROWS", 2)

    html = get(client, rita, "review-queue-page", {"channel": "branch"}).content.decode()

    assert '<option value="branch" selected>In branch</option>' in html
    assert 'id="queue-next" hx-get="/review/?channel=branch&amp;page=2"' in html


def test_the_queue_is_paged_and_the_page_links_keep_the_filter(client, rita, queue, monkeypatch):
    monkeypatch.setattr(review, "QUEUE_ROWS", 1)

    first = get(client, rita, "review-queue-page", {"region": "east"}, **HTMX).content.decode()
    second = get(
        client, rita, "review-queue-page", {"region": "east", "page": "2"}, **HTMX
    ).content.decode()

    assert visit_links(first) == [str(queue["flagged"].pk)]
    assert visit_links(second) == [str(queue["fine"].pk)]
    assert 'id="queue-next" hx-get="/review/?region=east&amp;page=2"' in first
    assert "queue-previous" not in first
    assert 'id="queue-previous" hx-get="/review/?region=east"' in second
    assert "queue-next" not in second
    assert "2 waiting. Page 2 of 2." in second


def test_a_page_past_the_end_shows_the_last_page(client, rita, queue, monkeypatch):
    monkeypatch.setattr(review, "QUEUE_ROWS", 2)

    html = get(client, rita, "review-queue-page", {"page": "9"}).content.decode()

    assert visit_links(html) == [str(queue["fine"].pk)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "atlantis"}, "region:"),
        ({"flag": "purple"}, "flag:"),
        ({"channel": "pigeon"}, "channel:"),
    ],
)
def test_an_unknown_filter_is_a_400_naming_it(client, rita, queue, params, message):
    response = get(client, rita, "review-queue-page", params)

    assert response.status_code == 400
    assert response.content.decode().startswith(message)


def test_the_queue_is_still_closed_to_shoppers_asking_through_htmx(client, alice, queue):
    assert get(client, alice, "review-queue-page", **HTMX).status_code == 403


# --- the vendored file ----------------------------------------------------------------------


def test_the_vendored_htmx_matches_the_sum_its_readme_records():
    readme = (VENDOR / "README.md").read_text()
    row = next(line for line in readme.splitlines() if f"`{HTMX_FILE}`" in line)
    recorded = re.search(r"`([0-9a-f]{64})`", row).group(1)

    assert hashlib.sha256((VENDOR / HTMX_FILE).read_bytes()).hexdigest() == recorded
    assert "htmx.org@2.0.11" in row


def test_htmx_is_configured_to_need_no_eval_and_no_inline_code(client, rita, queue):
    html = get(client, rita, "review-queue-page").content.decode()

    config = json.loads(
        unescape(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)[1])
    )
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert not re.search(r"\bhx-on|\bhx-vals=['\"]js:|\bhx-vars", html)
    for source in re.findall(r'<script src="([^"]+)"', html):
        assert source.startswith("/static/"), source


def test_an_htmx_view_switch_gets_the_league_with_the_new_lens_and_keeps_it_in_the_form(
    client, hank, league
):
    response = get(client, hank, "comparison-page", {**OCTOBER, "view": "rater"}, **HTMX)

    html = response.content.decode()
    assert not is_whole_page(html)
    assert re.search(r'id="view-rater"[^>]*aria-current="page"', html)
    assert "<h2>RATER</h2>" in html
    assert (
        '<span id="league-order" hx-swap-oob="true"><input type="hidden" name="view" '
        'value="rater"></span>'
    ) in html
    links = html[html.index('id="report-links"') :]
    assert "format=csv&amp;view=rater" in links
