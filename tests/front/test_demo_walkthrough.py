"""The demo, walked through in headless Chromium as its own users.

The module loads Demo Bank the way `make run` does (load_checklists, seed_demo,
drain_outbox) into a live server of its own, once (tests/front/demo_server.py
says why not `live_server`, and how nothing leaks into the next module), and
signs in with the logins seed_demo prints. Every test picks its own visits,
branches or plans, and reads the numbers it compares before acting, so the
tests pass in any order. Screenshots at 1366 px go to docs/web/demo-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

from tests.browser import DESKTOP, PHONE, shoot, sign_in_on_the_web, violations
from tests.front.demo_server import seeded_demo, visit_through_services

pytestmark = pytest.mark.slow

CHECKLIST = "standard-branch-visit"


@pytest.fixture(scope="module")
def demo(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Demo Bank seeded as `make run` seeds it, on a live server of the module's own."""
    yield from seeded_demo(request, django_db_blocker, tmp_path_factory)


@pytest.fixture(autouse=True)
def _private_media():
    """Overrides tests/conftest.py's: the demo's photos and scorecards stay in the module's folder."""
    yield


# --- helpers ------------------------------------------------------------------------------


def user(username: str):
    from audits.models import User

    return User.objects.get(username=username)


def signed_in(browser, demo, username: str):
    """A desktop browser context signed in through the login page as a demo user."""
    return sign_in_on_the_web(browser, demo, user(username), DESKTOP, demo.password(username))


def month_of(day: dt.date):
    from reports.periods import month

    return month(day.year, day.month)


def comparison_row(period, branch, *, region=None):
    """The head office's league table row of `branch`, from the server's own selector."""
    from checklists.models import Checklist
    from reports.selectors.comparison import branch_comparison

    comparison = branch_comparison(
        user=user("hq"),
        checklist=Checklist.objects.get(code=CHECKLIST),
        period=period,
        region=region,
    )
    return next(row for row in comparison.rows if row.branch_id == branch.pk)


def comparison_url(demo, period, **extra) -> str:
    query = "&".join(f"{key}={value}" for key, value in extra.items())
    return f"{demo.url}/reports/comparison/?period={period.label}&checklist={CHECKLIST}&lang=en" + (
        f"&{query}" if query else ""
    )


def league_row(page, branch):
    return page.get_by_role("row").filter(has=page.get_by_text(branch.code, exact=True))


def shown_score(page, branch) -> str:
    return league_row(page, branch).locator(".score-pill").inner_text().strip()


def shown_rank(page, branch) -> str:
    return league_row(page, branch).get_by_role("cell").first.inner_text().strip()


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


# --- 1. the review desk ---------------------------------------------------------------------


def test_a_reviewer_returns_the_most_doubtful_visit_with_a_note_on_one_question(browser, demo):
    from audits.models import Review, Visit
    from audits.selectors.review import review_queue

    most_doubtful = review_queue().first()
    assert most_doubtful is not None and most_doubtful.flagged, "the demo queue has doubtful visits"

    context, page = signed_in(browser, demo, "reviewer")
    page.goto(f"{demo.url}/review/?lang=en")
    rows = page.get_by_role("table").get_by_role("row")
    top = rows.nth(1)  # under the heading row
    assert "flagged" in top.inner_text()
    shoot(page, "demo-review-queue-1366.png")
    top.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/review/visits/{most_doubtful.pk}/"))

    # Its evidence: the failed checks, and the photo, loaded.
    checks = page.locator("#checks")
    assert checks.get_by_role("heading", name="Failed checks").is_visible()
    failed_codes = {c.code for c in most_doubtful.checks.filter(passed=False)}
    assert failed_codes
    assert page.locator("#checks .check").count() == len(failed_codes)
    for code in failed_codes:
        assert checks.locator(f"[data-check='{code}']").is_visible()
    photos = page.locator("#photos").get_by_role("img")
    assert photos.count() == most_doubtful.photos.count() >= 1
    photos.first.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photos.first.element_handle()
    )
    shoot(page, "demo-review-visit-1366.png")

    # Returned with a note on one question only.
    question = page.locator("#q-CS04")
    question.get_by_label("Note on this question (return)").fill(
        "Say what the teller said when you asked about the rates."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Return to the shopper").click()
    context.close()

    most_doubtful.refresh_from_db()
    assert most_doubtful.status == Visit.Status.RETURNED
    review = Review.objects.filter(visit=most_doubtful).latest("created_at")
    assert review.decision == Review.Decision.RETURN
    assert review.question_notes == {
        "CS04": "Say what the teller said when you asked about the rates."
    }


def test_approving_a_visit_changes_its_branchs_score_on_the_comparison_page(browser, demo):
    from audits.models import Visit
    from audits.selectors.review import review_queue
    from reports.charts import format_score

    # The league table is the standard branch visit's: a waiting call or letter is not in it.
    waiting = [v for v in review_queue() if v.checklist.code == CHECKLIST]
    assert len(waiting) >= 2

    # Another visit than the most doubtful: the one that moves its branch's score most.
    def shown_change(visit) -> float:
        """About how far approving the visit moves its branch's score for the month."""
        row = comparison_row(month_of(visit.visited_on), visit.branch)
        if row.score is None:
            return 0.5  # from "—" to the visit's own score
        return float(abs(visit.score - row.score)) / (row.visits + 1)

    visit = max(waiting[1:], key=shown_change)
    branch, period = visit.branch, month_of(visit.visited_on)

    context, hq_page = signed_in(browser, demo, "hq")
    hq_page.goto(comparison_url(demo, period))
    before = shown_score(hq_page, branch)
    assert before == format_score(comparison_row(period, branch).score)

    _, page = signed_in(browser, demo, "reviewer")
    page.goto(f"{demo.url}/review/visits/{visit.pk}/?lang=en")
    page.once("dialog", lambda dialog: dialog.accept())  # "Approve this visit?"
    page.get_by_label("Note (optional)").fill("Checked against the photo.")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED

    hq_page.reload()
    after = shown_score(hq_page, branch)
    assert after == format_score(comparison_row(period, branch).score)
    assert after != before
    shoot(hq_page, "demo-comparison-after-approval-1366.png")
    context.close()


# --- 2. what a regional manager can and cannot reach -------------------------------------


def test_a_regional_manager_is_refused_another_regions_branch_in_the_sites_layout(browser, demo):
    from audits.models import Branch

    north = Branch.objects.filter(region__code="north", active=True).order_by("code").first()
    context, page = signed_in(browser, demo, "rm-east")
    response = page.goto(f"{demo.url}/branches/{north.pk}/?lang=en")
    assert response.status == 403
    nav = page.get_by_role("navigation", name="Main menu")
    assert nav.get_by_role("link", name="Home").is_visible()
    assert nav.get_by_role("link", name="Comparison").is_visible()
    assert page.get_by_role("heading").first.is_visible()
    assert north.name_en not in page.content() and north.name_zh not in page.content()
    shoot(page, "demo-forbidden-branch-1366.png")
    context.close()


class _Page(HTMLParser):
    """A page's links and the text a reader sees (no scripts, styles or attributes);
    the text of figure captions (the scorecard's photos) apart."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self.captions: list[str] = []
        self._skip = 0
        self._caption = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "figcaption":
            self._caption += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "figcaption" and self._caption:
            self._caption -= 1

    def handle_data(self, data):
        if not self._skip:
            (self.captions if self._caption else self.text).append(data)


DOWNLOADS = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "zip",
}


def _download_text(kind: str, body: bytes) -> list[tuple[str, str]]:
    """(name, text) of a download, or of each file in a zip."""
    if kind == "pdf":
        assert body.startswith(b"%PDF")
        return [("", pdf_text(body))]
    if kind == "csv":
        return [("", body.decode("utf-8-sig"))]
    if kind == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return [("", "\n".join(cells))]
    files = []
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            inner = name.rsplit(".", 1)[-1].lower()
            files += [(name, text) for _, text in _download_text(inner, archive.read(name))]
    return files


DOWNLOADS_PER_SHAPE = 1
PAGES_PER_SHAPE = 8
DOWNLOAD_TIMEOUT_MS = 180_000


def _shape(url: str) -> tuple:
    """A link's kind: its path with ids left out, and the names of its parameters."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|\.|$)", "/<id>", parts.path)
    pairs = [pair.partition("=") for pair in parts.query.split("&") if pair]
    # A format is a kind of download of its own (csv, xlsx); other values are not.
    keys = tuple(sorted({key if key != "format" else f"format={value}" for key, _, value in pairs}))
    return path, keys


def _shopper_names() -> dict[str, str]:
    """The demo shoppers' usernames and display names (family name first, with or without a space)."""
    from accounts.roles import Role
    from audits.demo import USERS

    secrets = {}
    for spec in USERS:
        if spec.role == Role.SHOPPER:
            secrets[spec.username] = f"username {spec.username}"
            for name in {spec.last_name + spec.first_name, f"{spec.last_name} {spec.first_name}"}:
                secrets[name] = f"name of {spec.username}"
    return secrets


def _visit_dates(region_code: str) -> dict[str, str]:
    """Every day the region's assignments open or close, or one of its visits was made."""
    from audits.models import Assignment, Visit

    days = set()
    for a in Assignment.objects.filter(branch__region__code=region_code):
        days |= {a.window_from, a.window_to}
    days |= set(
        Visit.objects.filter(branch__region__code=region_code).values_list("visited_on", flat=True)
    )
    # Today is also the day every page is drawn ("generated on", a form's earliest due date),
    # and a month's first and last days bound every report period (the API's JSON): none
    # of them says anything about a visit.
    days.discard(timezone.localdate())
    days = {day for day in days if day.day != 1 and (day + dt.timedelta(days=1)).day != 1}
    secrets = {}
    for day in days:
        for text in (day.isoformat(), f"{day:%Y/%m/%d}", f"{day.year}年{day.month}月{day.day}日"):
            secrets[text] = f"date {day.isoformat()}"
    return secrets


@dataclass
class Crawl:
    """What a regional manager read: (where, text) of each page and of each download."""

    pages: list[tuple[str, str]] = field(default_factory=list)
    captions: list[tuple[str, str]] = field(default_factory=list)  # the pages' figure captions
    downloads: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, where, text)
    skipped: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def east_managers_crawl(browser, demo) -> Crawl:
    """Every same-origin link from rm-east's home page, two links deep, read as rm-east.

    Links are followed from the home page (depth 1) and from those pages (depth 2).
    Pages are read up to PAGES_PER_SHAPE per kind of link (path without ids, names of
    its parameters): the league tables' sort links, periods and heatmap cells make
    some 600 links that differ only in parameter values. Downloads are read once per
    kind (each scorecard is a PDF render; the region's zip holds every branch's).
    """
    context, page = signed_in(browser, demo, "rm-east")
    origin = urlsplit(demo.url).netloc
    start = f"{demo.url}/"
    queue = deque([(start, 0)])
    seen = {start}
    crawl = Crawl()
    read: dict[tuple, int] = {}
    while queue:
        url, depth = queue.popleft()
        shape = _shape(url)
        download = shape[0].endswith((".pdf", ".zip")) or "format=" in url
        if read.get(shape, 0) >= (DOWNLOADS_PER_SHAPE if download else PAGES_PER_SHAPE):
            crawl.skipped += 1
            continue
        read[shape] = read.get(shape, 0) + 1
        began = time.monotonic()
        # A download may be rendered while we wait (the embedded default builds a region's
        # zip in-process): on a busy 2-core machine that outlasts Playwright's 30 s default.
        response = context.request.get(
            url, max_redirects=0, timeout=DOWNLOAD_TIMEOUT_MS if download else None
        )
        if response.status == 202:  # a region's zip is being built: ask again
            for _ in range(240):
                page.wait_for_timeout(500)
                response = context.request.get(url)
                if response.status != 202:
                    break
        assert response.status in (200, 302, 400, 403, 404), (url, response.status)
        content_type = response.headers.get("content-type", "").split(";")[0]
        kind = DOWNLOADS.get(content_type)
        crawl.seconds[kind or "page"] = (
            crawl.seconds.get(kind or "page", 0) + time.monotonic() - began
        )
        if kind:
            for name, text in _download_text(kind, response.body()):
                crawl.downloads.append((kind, f"{url} {name}".strip(), text))
            continue
        links = []
        if response.status == 302:
            location = urljoin(url, response.headers["location"])
            assert "/accounts/login/" not in location, f"{url} signed the manager out"
            links = [location]
        elif content_type == "text/html":
            parsed = _Page()
            parsed.feed(response.text())
            crawl.pages.append((url, " ".join(parsed.text)))
            crawl.captions.append((url, " ".join(parsed.captions)))
            links = parsed.links
        else:
            crawl.pages.append((url, response.text()))
        if depth == 2:
            continue
        for href in links:
            target = urljoin(url, href).split("#")[0]
            if urlsplit(target).netloc != origin or target in seen:
                continue
            seen.add(target)
            queue.append((target, depth + 1))
    context.close()
    print(
        f"\n[crawl] {len(crawl.pages)} pages, {len(crawl.downloads)} downloaded files, "
        f"{crawl.skipped} links of a kind already read; seconds "
        + ", ".join(f"{kind} {spent:.1f}" for kind, spent in crawl.seconds.items())
    )
    return crawl


def _leaks(read: list[tuple[str, str]], secrets: dict[str, str]) -> list[str]:
    return [
        f"{where}: {what} ({secret!r})"
        for where, text in read
        for secret, what in secrets.items()
        if secret in text
    ]


def test_no_page_a_regional_manager_reaches_names_a_shopper(east_managers_crawl):
    crawl = east_managers_crawl
    assert any("/branches/" in url for url, _ in crawl.pages)
    assert any("/reports/visits/" in url for url, _ in crawl.pages)
    assert any("/action-plans/" in url for url, _ in crawl.pages)
    leaks = _leaks(crawl.pages + crawl.captions, _shopper_names())
    assert not leaks, "\n".join(leaks[:30])


def test_no_page_a_regional_manager_reaches_shows_when_a_visit_is_planned(
    east_managers_crawl,
):
    """Every page's text but its figure captions, which the test below covers."""
    leaks = _leaks(east_managers_crawl.pages, _visit_dates("east"))
    assert not leaks, "\n".join(leaks[:30])


def test_no_download_a_regional_manager_reaches_names_a_shopper(east_managers_crawl):
    downloads = east_managers_crawl.downloads
    assert {kind for kind, _, _ in downloads} >= {"pdf", "csv", "xlsx", "zip"}
    leaks = _leaks([(where, text) for _, where, text in downloads], _shopper_names())
    assert not leaks, "\n".join(leaks[:30])


def test_no_scorecard_a_regional_manager_reaches_shows_when_a_visit_was_made(
    east_managers_crawl,
):
    crawl = east_managers_crawl
    read = crawl.captions + [(where, text) for _, where, text in crawl.downloads]
    assert {kind for kind, _, _ in crawl.downloads} >= {"pdf", "zip"}
    leaks = _leaks(read, _visit_dates("east"))
    assert not leaks, "\n".join(leaks[:30])


# --- 3. head office's reports ------------------------------------------------------------


def last_month():
    from reports.selectors.scorecard import last_complete_month

    return last_complete_month()


def test_head_office_sorts_and_searches_the_league_table(browser, demo):
    period = last_month()
    context, page = signed_in(browser, demo, "hq")
    page.goto(comparison_url(demo, period))
    table = page.locator("table.league")
    body_rows = table.locator("tbody").get_by_role("row")
    assert body_rows.count() == 23  # every active branch

    # Sort by score, highest first, then turn the sort round.
    table.get_by_role("link", name="Score", exact=True).click()
    page.wait_for_url(re.compile(r"sort=score&dir=desc"))
    scores = [float(s) for s in table.locator("tbody .score-pill").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    table.get_by_role("link", name=re.compile("^Score")).click()
    page.wait_for_url(re.compile(r"sort=score&dir=asc"))
    scores = [float(s) for s in table.locator("tbody .score-pill").all_inner_texts()]
    assert scores == sorted(scores)

    # Only the North region, then a search within it.
    page.get_by_label("Region").select_option("north")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"region=north"))
    assert body_rows.count() == 7  # North's active branches
    page.get_by_role("searchbox").fill("北京")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"q=%E5%8C%97%E4%BA%AC"))
    codes = [c.strip() for c in table.locator("tbody td:nth-child(2) .muted").all_inner_texts()]
    assert sorted(c for c in codes if c.startswith("bj-")) == [
        "bj-guomao",
        "bj-wangjing",
        "bj-xidan",
        "bj-zhongguancun",
    ]
    assert body_rows.count() == 4
    shoot(page, "demo-comparison-filtered-1366.png")
    context.close()


def test_a_heatmap_cell_opens_the_visits_behind_it(browser, demo):
    from audits.models import Branch, Visit

    period = last_month()
    branch = Branch.objects.get(code="gz-tianhe")
    context, page = signed_in(browser, demo, "hq")
    page.goto(comparison_url(demo, period))
    cell = page.get_by_role("link", name=re.compile(rf"^{branch.code} .* · 1\. "))
    cell.scroll_into_view_if_needed()
    cell.click()
    page.wait_for_url(re.compile(rf"/reports/visits/\?branch={branch.pk}&"))
    expected = Visit.objects.filter(
        branch=branch,
        status=Visit.Status.APPROVED,
        visited_on__range=(period.start, period.end),
        checklist__code=CHECKLIST,
    ).count()
    assert page.locator("table.visits tbody").get_by_role("row").count() == expected >= 3
    assert branch.code in page.get_by_role("main").inner_text()
    shoot(page, "demo-heatmap-visits-1366.png")
    context.close()


def test_head_office_exports_the_league_table_as_a_workbook_with_every_branch(browser, demo):
    import openpyxl

    from audits.models import Branch

    period = last_month()
    context, page = signed_in(browser, demo, "hq")
    page.goto(comparison_url(demo, period))
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = {
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    active = set(Branch.objects.filter(active=True).values_list("code", flat=True))
    assert active <= cells, active - cells
    context.close()


def test_head_office_downloads_a_branch_scorecard_as_a_pdf(browser, demo):
    from audits.models import Branch

    branch = Branch.objects.get(code="sz-futian")
    period = last_month()
    context, page = signed_in(browser, demo, "hq")
    page.goto(f"{demo.url}/branches/{branch.pk}/?period={period.label}&lang=en")
    link = page.get_by_role("link", name="PDF", exact=True).first
    assert link.is_visible()
    # Shown inline by the browser's viewer (no download event): fetched with the page's session.
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert data.startswith(b"%PDF")
    assert branch.code in pdf_text(data)
    context.close()


# --- 4. an action plan, from a critical failure to its check ------------------------------


def critical_plan(branch_code: str):
    """A plan opened by an approved visit of today that failed CS01 (a critical item)."""
    from actions.models import ActionPlan
    from audits.models import Branch

    branch = Branch.objects.get(code=branch_code)
    failed = visit_through_services(
        branch=branch, shopper=user("shopper2"), reviewer=user("reviewer"), failing={"CS01"}
    )
    assert failed.critical_failure
    plan = ActionPlan.objects.get(visit=failed, reason=ActionPlan.Reason.CRITICAL_FAILURE)
    assert plan.status == ActionPlan.Status.OPEN
    return branch, plan


def plan_submitted_and_accepted_in_the_browser(browser, demo, plan, screenshots: bool = False):
    context, page = signed_in(browser, demo, "rm-north")
    page.goto(f"{demo.url}/action-plans/?lang=en")
    page.locator(f"a[data-plan='{plan.pk}']").click()
    page.wait_for_url(re.compile(rf"/action-plans/{plan.pk}/"))
    page.get_by_label("Root cause").fill("The greeter was moved to the counter at lunchtime.")
    page.get_by_label("Actions").fill("A second greeter on the rota from 11:30 to 14:00.")
    page.get_by_label("Owner").fill("王芳, branch manager")
    page.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=10)).isoformat())
    if screenshots:
        shoot(page, "demo-action-plan-form-1366.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the plan").click()
    assert page.locator("#plan-status").inner_text() == "Submitted"
    context.close()

    context, page = signed_in(browser, demo, "hq")
    page.goto(f"{demo.url}/action-plans/{plan.pk}/?lang=en")
    assert "王芳, branch manager" in page.get_by_role("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Accept").click()
    assert page.locator("#plan-status").inner_text() == "Accepted"
    return context, page


def test_an_accepted_plan_is_verified_by_the_next_approved_visit_that_passes(browser, demo):
    branch, plan = critical_plan("bj-xidan")
    context, page = plan_submitted_and_accepted_in_the_browser(browser, demo, plan, True)

    passing = visit_through_services(
        branch=branch, shopper=user("shopper2"), reviewer=user("reviewer")
    )
    page.reload()
    assert page.locator("#plan-status").inner_text() == "Verified"
    assert "Verified by a later visit" in page.get_by_role("main").inner_text()
    shoot(page, "demo-action-plan-verified-1366.png")
    context.close()
    plan.refresh_from_db()
    assert plan.checked_by_visit_id == passing.pk


def test_an_accepted_plan_is_reopened_by_the_next_approved_visit_that_fails(browser, demo):
    branch, plan = critical_plan("tj-heping")
    context, page = plan_submitted_and_accepted_in_the_browser(browser, demo, plan)

    visit_through_services(
        branch=branch, shopper=user("shopper2"), reviewer=user("reviewer"), failing={"CS01"}
    )
    page.reload()
    assert page.locator("#plan-status").inner_text() == "Reopened"
    assert "did not fix" in page.get_by_role("main").inner_text()
    context.close()

    # Back with the regional manager, who may submit it again.
    context, page = signed_in(browser, demo, "rm-north")
    page.goto(f"{demo.url}/action-plans/{plan.pk}/?lang=en")
    assert page.get_by_role("button", name="Submit the plan").is_visible()
    context.close()


# --- 5. appeals --------------------------------------------------------------------------


def appealable(region_code: str, *, rank_must_move: bool):
    """(visit, failed answer) of last month in the region, for an appeal of that answer.

    With `rank_must_move`, the one whose correction lifts its branch furthest past
    the branch ranked just above it (the visit's gain spread over the month's visits).
    """
    from audits.models import Answer, Visit
    from checklists.models import Checklist
    from reports.selectors.comparison import branch_comparison

    period = last_month()
    rows = branch_comparison(
        user=user("hq"), checklist=Checklist.objects.get(code=CHECKLIST), period=period
    ).rows
    by_branch = {row.branch_id: row for row in rows}
    by_rank = {row.rank: row for row in rows if row.rank}
    candidates = []
    visits = Visit.objects.filter(
        branch__region__code=region_code,
        status=Visit.Status.APPROVED,
        visited_on__range=(period.start, period.end),
        checklist__code=CHECKLIST,
        appeals__isnull=True,
    ).order_by("pk")
    for visit in visits:
        answer = (
            Answer.objects.filter(visit=visit, failed=True, item__answer_type="yes_no")
            .order_by("-gain", "item_code")
            .first()
        )
        row = by_branch.get(visit.branch_id)
        if answer is None or not answer.gain or row is None or not row.rank:
            continue
        above = by_rank.get(row.rank - 1)
        if not rank_must_move:
            candidates.append((0, visit, answer))
        elif above is not None:
            candidates.append((answer.gain / row.visits - (above.score - row.score), visit, answer))
    candidates.sort(key=lambda c: (-c[0], str(c[1].pk)))
    if not rank_must_move:
        return candidates[0][1], candidates[0][2]
    # The estimate above ignores section caps: try the best few in a transaction rolled back.
    for _, visit, answer in candidates[:8]:
        if _rank_after_correction(visit, answer, period) < by_branch[visit.branch_id].rank:
            return visit, answer
    raise AssertionError("no appeal in the demo moves a rank")


def _rank_after_correction(visit, answer, period) -> int:
    """The branch's rank if `answer` were corrected to a pass, found and then rolled back."""
    from django.db import transaction

    from audits.services.amendments import visit_answer_amend

    with transaction.atomic():
        visit_answer_amend(
            visit=visit, by=user("hq"), question=answer.item_code, value=True, reason="dry run"
        )
        rank = comparison_row(period, visit.branch).rank
        transaction.set_rollback(True)
    return rank


def scorecard_pdf(page, demo, branch, period) -> bytes:
    from django.urls import reverse

    path = reverse("scorecard-pdf", args=[branch.pk])
    response = page.request.get(f"{demo.url}{path}?period={period.label}&lang=en")
    assert response.status == 200
    body = response.body()
    assert body.startswith(b"%PDF")
    return body


def appeal_in_the_browser(browser, demo, visit, answer) -> int:
    """rm-east appeals `answer` of `visit`; returns the appeal's id."""
    from appeals.models import Appeal

    context, page = signed_in(browser, demo, "rm-east")
    page.goto(f"{demo.url}/appeals/new/?lang=en")
    page.get_by_role("row").filter(has_text=str(visit.pk)).get_by_role("link").click()
    page.wait_for_url(re.compile(r"/appeals/new/\?visit="))
    item = page.locator(f"#item-{answer.item_code}")
    item.get_by_label("Contest this item").check()
    item.get_by_label("Category").select_option("evidence_contradicts")
    item.get_by_label("Argument").fill("The CCTV shows the greeting at the door.")
    item.get_by_label("Evidence (optional)").fill("CCTV camera 1, 10:02")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the appeal").click()
    assert "Appeal sent to head office." in page.content()
    context.close()
    return Appeal.objects.get(visit=visit).pk


def decide_in_the_browser(browser, demo, appeal_id, answer, *, outcome: str):
    context, page = signed_in(browser, demo, "hq")
    page.goto(f"{demo.url}/appeals/{appeal_id}/?lang=en")
    item = page.locator(f"#item-{answer.item_code}")
    if outcome == "upheld":
        item.get_by_role("radiogroup", name="This item").get_by_label("Uphold").check()
        item.get_by_label("Corrected value").select_option("true")
        page.get_by_role("radiogroup", name="Outcome").get_by_label("Upheld", exact=True).check()
        page.get_by_label("Reason (required)").fill("The recording shows the greeting.")
    else:
        page.get_by_role("radiogroup", name="Outcome").get_by_label("Rejected", exact=True).check()
        page.get_by_label("Reason (required)").fill("The recording starts after the visit.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the decision").click()
    return context, page


def test_an_upheld_appeal_changes_the_visit_score_the_branch_rank_and_the_scorecard(browser, demo):
    from reports.charts import format_score
    from reports.models import Scorecard

    period = last_month()
    visit, answer = appealable("east", rank_must_move=True)
    branch = visit.branch
    rank_before = comparison_row(period, branch).rank
    score_before = visit.score

    context, page = signed_in(browser, demo, "hq")
    page.goto(comparison_url(demo, period))
    assert shown_rank(page, branch) == str(rank_before)
    pdf_before = scorecard_pdf(page, demo, branch, period)
    cached_before = set(Scorecard.objects.filter(branch=branch).values_list("key", flat=True))
    context.close()

    appeal_id = appeal_in_the_browser(browser, demo, visit, answer)
    context, page = decide_in_the_browser(browser, demo, appeal_id, answer, outcome="upheld")
    visit.refresh_from_db()
    assert visit.score > score_before
    assert page.locator(".visit-score").inner_text() == str(visit.score)
    trail = page.locator("ol.trail").inner_text()
    assert "The recording shows the greeting." in trail
    shoot(page, "demo-appeal-upheld-1366.png")

    # The branch moved up the league table, as the selector ranks it.
    rank_after = comparison_row(period, branch).rank
    assert rank_after < rank_before
    page.goto(comparison_url(demo, period))
    assert shown_rank(page, branch) == str(rank_after)
    assert shown_score(page, branch) == format_score(comparison_row(period, branch).score)

    # A new scorecard is drawn; the old file is no longer served.
    pdf_after = scorecard_pdf(page, demo, branch, period)
    assert pdf_after != pdf_before
    cached_after = set(Scorecard.objects.filter(branch=branch).values_list("key", flat=True))
    assert cached_after - cached_before
    text = pdf_text(pdf_after)
    assert format_score(comparison_row(period, branch).score) in text
    context.close()

    # The correction is in the visit's audit trail on the review desk.
    context, page = signed_in(browser, demo, "reviewer")
    page.goto(f"{demo.url}/review/visits/{visit.pk}/?lang=en")
    corrections = page.locator("#corrections").inner_text()
    assert answer.item_code in corrections and "The recording shows the greeting." in corrections
    context.close()


def rejected_appeal(browser, demo):
    period = last_month()
    visit, answer = appealable("east", rank_must_move=False)
    appeal_id = appeal_in_the_browser(browser, demo, visit, answer)
    return period, visit, answer, appeal_id


def test_a_rejected_appeal_changes_nothing_and_is_in_the_appeals_trail(browser, demo):
    from reports.models import Scorecard

    period = last_month()
    visit, answer = appealable("east", rank_must_move=False)
    branch = visit.branch
    context, page = signed_in(browser, demo, "hq")
    rank_before = comparison_row(period, branch).rank
    score_before = visit.score
    pdf_before = scorecard_pdf(page, demo, branch, period)
    cached_before = set(Scorecard.objects.filter(branch=branch).values_list("key", flat=True))
    context.close()

    appeal_id = appeal_in_the_browser(browser, demo, visit, answer)
    context, page = decide_in_the_browser(browser, demo, appeal_id, answer, outcome="rejected")
    assert "Rejected" in page.get_by_role("heading", level=1).inner_text()
    assert "The recording starts after the visit." in page.locator("ol.trail").inner_text()
    visit.refresh_from_db()
    assert visit.score == score_before
    assert page.locator(".visit-score").inner_text() == str(score_before)
    assert comparison_row(period, branch).rank == rank_before
    # The same scorecard, from the cache.
    assert scorecard_pdf(page, demo, branch, period) == pdf_before
    assert set(Scorecard.objects.filter(branch=branch).values_list("key", flat=True)) == (
        cached_before
    )
    context.close()


def test_a_rejected_appeal_is_in_the_audit_trail_on_the_visits_review_page(browser, demo):
    period, visit, answer, appeal_id = rejected_appeal(browser, demo)
    context, page = decide_in_the_browser(browser, demo, appeal_id, answer, outcome="rejected")
    context.close()

    context, page = signed_in(browser, demo, "reviewer")
    page.goto(f"{demo.url}/review/visits/{visit.pk}/?lang=en")
    text = page.get_by_role("main").inner_text()
    context.close()
    assert "The recording starts after the visit." in text


# --- 7. on a phone, for everyone ------------------------------------------------------------


def test_the_main_pages_fit_a_phone_and_have_no_serious_accessibility_violations(browser, demo):
    """The demo's real names, long Chinese branch names and full tables, at 390 px."""
    from actions.models import ActionPlan
    from appeals.models import Appeal
    from audits.models import Branch, Visit

    branch = Branch.objects.filter(region__code="east", active=True).order_by("code").first()
    in_review = Visit.objects.filter(status=Visit.Status.SUBMITTED).order_by("submitted_at").first()
    plan = ActionPlan.objects.filter(branch__region__code="east").order_by("pk").first()
    appeal = Appeal.objects.filter(branch__region__code="east").order_by("pk").first()
    shared = [
        "/",
        "/reports/comparison/",
        "/reports/drivers/",
        f"/branches/{branch.pk}/",
        "/action-plans/",
        "/appeals/",
        "/assignments/",
    ]
    shared += [f"/action-plans/{plan.pk}/"] if plan else []
    shared += [f"/appeals/{appeal.pk}/"] if appeal else []
    head_office = shared + ["/review/"] + ([f"/review/visits/{in_review.pk}/"] if in_review else [])

    found = {
        "hq": violations(browser, demo.url, "hq", demo.password("hq"), PHONE, head_office),
        "rm-east": violations(
            browser, demo.url, "rm-east", demo.password("rm-east"), PHONE, shared
        ),
    }

    assert found == {"hq": {}, "rm-east": {}}
