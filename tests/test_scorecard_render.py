"""The branch scorecard's presentation: charts, HTML, and the PDF it becomes.

PDF checks go through poppler's pdftotext/pdffonts, i.e. what a reader's
viewer sees, not WeasyPrint internals.
"""

from __future__ import annotations

import dataclasses
import gc
import http.server
import re
import shutil
import subprocess
import threading
import zlib
from decimal import Decimal

import pytest
from weasyprint import CSS, HTML

from reports import pdf as pdf_module
from reports.charts import (
    FONT_FAMILY,
    area_bars,
    radar_chart,
    section_bars,
    trend_chart,
)
from reports.labels import LABELS, labels_for
from reports.pdf import (
    DataURIAndFontFetcher,
    URLRefusedError,
    render_pdf,
    render_scorecard_pdf,
)
from reports.scorecard_data import NamedScore, SectionRow, TrendPoint
from reports.scorecard_fonts import FONT_DIR, FONT_FILES
from reports.scorecard_render import render_scorecard_html
from reports.scorecard_samples import sample_empty_scorecard, sample_scorecard

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) not installed",
)

D = Decimal


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdf_file(pdf: bytes, tmp_path) -> str:
    """`pdf` written to a file in `tmp_path`, for the poppler tools that cannot read standard input."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    return str(path)


def pdf_fonts(pdf: bytes, tmp_path) -> list[str]:
    path = pdf_file(pdf, tmp_path)
    result = subprocess.run(["pdffonts", path], capture_output=True, check=True, text=True)
    return result.stdout.splitlines()[2:]


def page_images(pdf: bytes, tmp_path) -> list[bytes]:
    """Every page as poppler draws it (PNG at 60 dpi), in order."""
    path = pdf_file(pdf, tmp_path)
    subprocess.run(["pdftoppm", "-r", "60", "-png", path, str(tmp_path / "page")], check=True)
    return [page.read_bytes() for page in sorted(tmp_path.glob("page*.png"))]


# Rendering takes a fraction of a second each; render each variant once per module,
# as production does (render_scorecard_pdf: the stylesheet given parsed, not inlined).
@pytest.fixture(scope="module")
def zh_pdf() -> bytes:
    return render_scorecard_pdf(sample_scorecard("zh-Hans"))


@pytest.fixture(scope="module")
def en_pdf() -> bytes:
    return render_scorecard_pdf(sample_scorecard("en"))


@pytest.fixture(scope="module")
def empty_pdf() -> bytes:
    return render_scorecard_pdf(sample_empty_scorecard("zh-Hans"))


# --- the PDF -----------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_the_stylesheet_parsed_once_draws_every_page_as_the_inlined_one_does(
    lang, zh_pdf, en_pdf, tmp_path
):
    inlined = render_pdf(render_scorecard_html(sample_scorecard(lang)))
    given = zh_pdf if lang == "zh-Hans" else en_pdf

    assert page_images(given, tmp_path / "given") == page_images(inlined, tmp_path / "inlined")


def test_the_pdfs_document_leaves_the_stylesheet_out():
    html = render_scorecard_html(sample_scorecard("en"), inline_css=False)

    assert "<style>" not in html
    assert "<style>" in render_scorecard_html(sample_scorecard("en"))


def test_a_stylesheet_given_again_is_not_parsed_again(monkeypatch):
    parsed = []
    monkeypatch.setattr(pdf_module, "CSS", lambda **kw: parsed.append(kw) or CSS(**kw))
    html = '<html lang="en"><body><p>hi</p></body></html>'

    render_pdf(html, stylesheet="p { color: #123456 }")
    render_pdf(html, stylesheet="p { color: #123456 }")

    assert [kw["string"] for kw in parsed] == ["p { color: #123456 }"]


def page_size(pdf: bytes, tmp_path) -> tuple[int, int]:
    """The first page's width and height in points, as pdfinfo reads them."""
    width, height = re.search(
        r"Page size:\s+([\d.]+) x ([\d.]+) pts", pdf_info(pdf, tmp_path)
    ).groups()
    return round(float(width)), round(float(height))


@needs_poppler
def test_a_changed_stylesheet_takes_effect_without_a_restart(tmp_path):
    html = '<html lang="en"><body><p>hi</p></body></html>'

    a5 = render_pdf(html, stylesheet="@page { size: A5 }")
    a4 = render_pdf(html, stylesheet="@page { size: A4 }")

    assert page_size(a5, tmp_path) == (420, 595)
    assert page_size(a4, tmp_path) == (595, 842)


def test_a_render_runs_the_collector_less_often_and_puts_it_back(monkeypatch):
    before = gc.get_threshold()
    seen = []

    class Recording(HTML):
        def write_pdf(self, *args, **kwargs):
            seen.append(gc.get_threshold())
            return super().write_pdf(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "HTML", Recording)

    render_pdf('<html lang="en"><body><p>hi</p></body></html>')

    assert seen == [(pdf_module.RENDER_GC_THRESHOLD, *before[1:])]
    assert gc.get_threshold() == before


def test_overlapping_renders_put_the_collector_back_when_the_last_one_ends():
    before = gc.get_threshold()
    first, second = pdf_module._collector_relaxed(), pdf_module._collector_relaxed()

    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    during = gc.get_threshold()
    second.__exit__(None, None, None)

    assert during[0] == pdf_module.RENDER_GC_THRESHOLD
    assert gc.get_threshold() == before


@needs_poppler
def test_it_prints_the_branch_name_score_and_ranks(zh_pdf):
    text = pdf_text(zh_pdf)

    assert "上海静安支行" in text
    assert "82.4" in text
    # pdftotext keeps or drops the spaces around "/" depending on glyph spacing.
    compact = re.sub(r"\s+", "", text)
    assert "3/8" in compact
    assert "12/46" in compact


@needs_poppler
def test_it_uses_chinese_wording_for_a_zh_hans_card(zh_pdf):
    text = pdf_text(zh_pdf)

    for wording in ("网点服务质量评分卡", "信赖度", "反应度", "满足期望", "改进重点", "程序"):
        assert wording in text


@needs_poppler
def test_it_uses_english_wording_for_an_en_card(en_pdf):
    text = pdf_text(en_pdf)

    for wording in (
        "Branch service scorecard",
        "Reliability",
        "Meets expectation",
        "What to work on",
    ):
        assert wording in text
    assert "网点服务质量评分卡" not in text


@needs_poppler
def test_it_embeds_a_cjk_font(zh_pdf, tmp_path):
    rows = pdf_fonts(zh_pdf, tmp_path)

    # The compact subset of Noto Sans CJK SC (reports.scorecard_fonts).
    cjk_rows = [row for row in rows if "Scorecard-Sans-SC" in row]
    assert cjk_rows
    # Columns: name type encoding emb sub uni object-id; type has a space in it ("CID Type 0C").
    assert all(re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row) for row in cjk_rows)


@needs_poppler
def test_it_says_there_were_no_approved_visits_for_an_empty_period(empty_pdf):
    text = pdf_text(empty_pdf)

    assert "本期无已审核的暗访记录" in text
    assert "上海静安支行" in text
    assert "2025年6月" in text


@needs_poppler
def test_it_still_draws_the_trend_for_an_empty_period_with_earlier_visits(empty_pdf):
    text = pdf_text(empty_pdf)

    assert "84.5" in text  # May's score, from an earlier period


def pdf_info(pdf: bytes, tmp_path) -> str:
    path = pdf_file(pdf, tmp_path)
    return subprocess.run(["pdfinfo", path], capture_output=True, check=True, text=True).stdout


def catalog_language(pdf: bytes) -> str | None:
    """The document catalog's /Lang, wherever the catalog is: in the file or in a
    compressed object stream (PDF 1.5+ packs small objects into those)."""
    pieces = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            pieces.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    for piece in pieces:
        found = re.search(rb"/Type /Catalog.*?/Lang \(([^)]*)\)", piece, re.S)
        if found:
            return found.group(1).decode()
    return None


A4_HEIGHT_PT = 842
MARGIN_TOP_PT, MARGIN_BOTTOM_PT = 15 * 72 / 25.4, 18 * 72 / 25.4  # the @page margins


def page_fill(pdf: bytes) -> list[float]:
    """How far down each page's text reaches, as a share of the page's content area."""
    words = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    bottom = A4_HEIGHT_PT - MARGIN_BOTTOM_PT  # below it, only the running footer
    fills = []
    for page in words.split("<page ")[1:]:
        lowest = max(float(y) for y in re.findall(r'yMax="([\d.]+)"', page) if float(y) < bottom)
        fills.append((lowest - MARGIN_TOP_PT) / (bottom - MARGIN_TOP_PT))
    return fills


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_the_pdf_is_tagged_for_screen_readers(lang, zh_pdf, en_pdf, tmp_path):
    info = pdf_info(zh_pdf if lang == "zh-Hans" else en_pdf, tmp_path)

    assert re.search(r"^Tagged:\s+yes$", info, re.M)


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_the_pdf_names_the_documents_language(lang, zh_pdf, en_pdf):
    assert catalog_language(zh_pdf if lang == "zh-Hans" else en_pdf) == lang


@needs_poppler
@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_no_page_of_a_full_scorecard_is_mostly_empty(lang, zh_pdf, en_pdf):
    # The sample carries what a full card does: a long item table, three photos, as
    # many comments as a card shows, the BPMP classes and 18 key factors.
    fills = page_fill(zh_pdf if lang == "zh-Hans" else en_pdf)

    assert len(fills) == 4
    assert min(fills) >= 0.5, fills


@needs_poppler
def test_it_prints_the_branchs_action_plans_in_chinese(zh_pdf):
    text = pdf_text(zh_pdf)

    for wording in ("整改计划", "未完成的整改计划", "已逾期", "已由下次暗访验证", "未解决：已重开"):
        assert wording in text


@needs_poppler
def test_it_prints_the_branchs_action_plans_in_english(en_pdf):
    text = pdf_text(en_pdf)

    for wording in (
        "Action plans",
        "Open plans",
        "Overdue",
        "Verified by the next visit",
        "Did not fix: reopened",
    ):
        assert wording in text


@needs_poppler
def test_an_empty_period_still_shows_the_branchs_open_plans(empty_pdf):
    text = pdf_text(empty_pdf)

    assert "未完成的整改计划" in text
    assert "2025-07-31" in text  # a plan's due date


def test_it_leaves_the_scores_out_of_an_empty_period():
    html = render_scorecard_html(sample_empty_scorecard("en"))

    assert "No approved visits in this period" in html
    assert '<table class="item-table"' not in html
    assert 'class="chart-half chart-radar"' not in html


def test_the_header_names_the_channel_of_a_mystery_call():
    card = dataclasses.replace(sample_scorecard("en"), channel_label="Phone call (mystery call)")
    html = render_scorecard_html(card)

    assert '<td class="channel">Phone call (mystery call)</td>' in html


def test_the_header_of_a_branch_visit_names_no_channel():
    assert 'class="channel"' not in render_scorecard_html(sample_scorecard("en"))


@pytest.mark.parametrize(
    "url", ["http://example.com/logo.png", "https://example.com/logo.png", "ftp://example.com/x"]
)
def test_it_refuses_to_fetch_from_the_network(url):
    with pytest.raises(URLRefusedError):
        DataURIAndFontFetcher().fetch(url)


def test_it_refuses_to_read_local_files():
    with pytest.raises(URLRefusedError):
        DataURIAndFontFetcher().fetch("file:///etc/passwd")


def test_it_refuses_other_files_beside_the_vendored_fonts():
    with pytest.raises(URLRefusedError):
        DataURIAndFontFetcher().fetch((FONT_DIR / "OFL.txt").as_uri())


@pytest.mark.parametrize(
    "spelling",
    [
        lambda path: path.as_uri().replace("/fonts/", "/fonts/../fonts/"),
        lambda path: path.as_uri().replace("file:///", "file://localhost/"),
        lambda path: path.as_uri() + "?x",
        lambda path: path.as_uri().upper(),
    ],
    ids=["dot-dot", "host", "query", "case"],
)
def test_it_serves_a_vendored_font_only_under_its_exact_url(spelling):
    with pytest.raises(URLRefusedError):
        DataURIAndFontFetcher().fetch(spelling(FONT_FILES[400]))


@pytest.mark.parametrize("weight", sorted(FONT_FILES))
def test_it_serves_the_vendored_fonts(weight):
    response = DataURIAndFontFetcher().fetch(FONT_FILES[weight].as_uri())

    assert response.read() == FONT_FILES[weight].read_bytes()


def test_it_serves_data_uris():
    response = DataURIAndFontFetcher().fetch("data:text/plain;base64,aGVsbG8=")

    assert response.read() == b"hello"


def test_a_remote_image_in_the_html_is_never_requested():
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - name fixed by http.server
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        html = f'<html><head><link rel="stylesheet" href="{url}/x.css"></head><body><img src="{url}/x.png"><p>hi</p></body></html>'
        pdf = render_pdf(html)
    finally:
        server.shutdown()
        server.server_close()

    assert pdf.startswith(b"%PDF")
    assert requests == []


# --- the HTML ----------------------------------------------------------------


def test_it_inlines_the_stylesheet_instead_of_linking_it():
    html = render_scorecard_html(sample_scorecard("en"))

    assert "@page" in html
    assert "<link" not in html


def test_it_highlights_each_item_with_a_critical_failure():
    html = render_scorecard_html(sample_scorecard("en"))

    assert html.count('class="row-critical"') == 2


def test_it_shows_each_photo_as_an_inline_image():
    card = sample_scorecard("en")
    html = render_scorecard_html(card)

    assert html.count('<img src="data:image/jpeg;base64,') == len(card.photos)


def test_it_escapes_text_from_the_data():
    card = dataclasses.replace(sample_scorecard("en"), comments=("<script>alert(1)</script>",))
    html = render_scorecard_html(card)

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_it_marks_each_overdue_plan():
    card = sample_scorecard("en")
    html = render_scorecard_html(card)

    overdue = sum(plan.overdue for plan in card.action_plans.open)
    assert overdue == 1
    assert html.count('class="row-overdue"') == overdue
    assert html.count('<span class="tag-overdue">Overdue</span>') == overdue


def test_it_names_the_period_whose_plans_the_next_visit_checked():
    html = render_scorecard_html(sample_scorecard("en"))

    assert "Last period&#x27;s plans (May 2025): checked by the next visit" in html


def test_it_says_how_many_open_plans_it_leaves_out():
    card = sample_scorecard("zh-Hans")
    card = dataclasses.replace(
        card, action_plans=dataclasses.replace(card.action_plans, more_open=4)
    )

    assert "另有 4 项未列出。" in render_scorecard_html(card)


def test_it_shows_the_scores_90_percent_interval():
    html = render_scorecard_html(sample_scorecard("en"))

    assert "90% confidence interval 76.1–88.7" in html


def test_a_card_from_one_visit_says_it_has_no_interval():
    card = dataclasses.replace(sample_scorecard("zh-Hans"), visit_count=1, interval=None)

    assert "仅一次暗访，无置信区间" in render_scorecard_html(card)


def test_a_small_sample_says_so_instead_of_a_rank():
    card = dataclasses.replace(
        sample_scorecard("en"), small_sample=True, rank_region=None, rank_company=None
    )
    html = render_scorecard_html(card)

    assert html.count('<div class="kpi-value small-sample">Small sample</div>') == 2
    assert "Fewer than 3 visits: not ranked" in html
    assert "3 / 8" not in html


def test_a_small_sample_is_named_in_chinese_on_a_chinese_card():
    card = dataclasses.replace(
        sample_scorecard("zh-Hans"), small_sample=True, rank_region=None, rank_company=None
    )

    assert "暗访少于 3 次，不参与排名" in render_scorecard_html(card)


def test_a_change_within_the_intervals_is_shown_uncoloured_and_called_not_significant():
    html = render_scorecard_html(sample_scorecard("en"))  # −2.1, not significant

    assert 'class="kpi-value change-down change-noise"' in html
    assert "Not significant: the intervals overlap" in html


def test_a_significant_change_is_coloured_and_called_significant():
    card = dataclasses.replace(sample_scorecard("en"), change_significant=True)
    html = render_scorecard_html(card)

    assert 'class="kpi-value change-down"' in html
    assert "Significant change" in html


# --- charts ------------------------------------------------------------------

TREND = (
    TrendPoint("Jan", D("70")),
    TrendPoint("Feb", D("72.5")),
    TrendPoint("Mar", None),
    TrendPoint("Apr", D("75")),
    TrendPoint("May", D("80")),
    TrendPoint("Jun", D("82.4")),
)
RATER = (
    NamedScore("reliability", "Reliability", D("84")),
    NamedScore("assurance", "Assurance", D("78.5")),
    NamedScore("tangibles", "Tangibles", D("92")),
    NamedScore("empathy", "Empathy", None),
    NamedScore("responsiveness", "Responsiveness", D("80.5")),
)
SECTIONS = (
    SectionRow("Arrival", D("88"), D("84.5"), D("82.1")),
    SectionRow("Counter", None, D("81.2"), D("80.4")),
)


def test_it_draws_a_gap_for_a_period_without_visits():
    svg = trend_chart(TREND, expected=D("80"), tolerance=D("5"))

    assert svg.count('class="trend-line"') == 2  # Jan–Feb and Apr–Jun, not joined across March
    assert svg.count('class="trend-dot"') == 5
    assert svg.count('class="trend-missing"') == 1


def test_it_joins_consecutive_periods_into_one_line():
    points = [TrendPoint(p.label, p.score or D("74")) for p in TREND]

    svg = trend_chart(points, expected=D("80"), tolerance=D("5"))

    assert svg.count('class="trend-line"') == 1


def test_it_shades_the_expected_band_and_labels_it():
    svg = trend_chart(TREND, expected=D("80"), tolerance=D("5"))

    assert 'class="expected-band"' in svg
    assert "80.0 ± 5.0" in svg


def test_it_labels_all_five_rater_axes():
    svg = radar_chart(RATER)

    labels = re.findall(r'class="radar-label">([^<]*)<', svg)
    assert labels == ["Reliability", "Assurance", "Tangibles", "Empathy", "Responsiveness"]
    assert svg.count('class="radar-ring"') == 4


def test_it_marks_a_missing_rater_dimension_with_a_hollow_dot():
    svg = radar_chart(RATER)

    assert svg.count('fill="#ffffff" stroke="#9aa5b1"') == 1


def test_it_puts_the_translated_legend_on_the_section_chart():
    svg = section_bars(SECTIONS, labels=labels_for("zh-Hans"))

    for legend in ("本网点", "区域平均", "全公司平均"):
        assert legend in svg


def test_it_wraps_a_long_section_label_onto_a_second_line_instead_of_cutting_it():
    rows = (
        SectionRow("Greeting and core service: the three basic actions", D("95.5"), None, None),
        SectionRow("Waiting: in the queue, during processing, at payment", D("80"), None, None),
        SectionRow("Leaving", D("77.8"), None, None),
    )

    svg = section_bars(rows, labels=labels_for("en"))

    assert "…" not in svg
    assert ">Greeting and core service: the three basic</text>" in svg
    assert ">actions</text>" in svg
    assert ">payment</text>" in svg


def test_a_short_section_label_stays_on_one_line():
    svg = section_bars(SECTIONS, labels=labels_for("en"))

    assert ">Arrival</text>" in svg


def test_it_draws_no_bar_for_a_section_without_a_score():
    svg = section_bars(SECTIONS, labels=labels_for("en"))

    assert svg.count('class="section-bar"') == 1


def test_it_draws_one_bar_per_area():
    areas = (NamedScore("procedure", "程序", D("79.5")), NamedScore("people", "个人", D("82")))

    assert area_bars(areas).count('class="area-bar"') == 2


def test_it_escapes_chart_labels():
    svg = radar_chart((NamedScore("x", "<b>&", D("50")), *RATER[1:]))

    assert "&lt;b&gt;&amp;" in svg
    assert "<b>" not in svg


@pytest.mark.parametrize(
    "draw",
    [
        lambda: trend_chart(TREND, expected=D("80"), tolerance=D("5")),
        lambda: section_bars(SECTIONS, labels=labels_for("en")),
        lambda: radar_chart(RATER),
        lambda: area_bars(RATER[:3]),
    ],
    ids=["trend", "sections", "radar", "areas"],
)
def test_it_draws_the_same_svg_for_the_same_input(draw):
    assert draw() == draw()


@pytest.mark.parametrize(
    "svg",
    [
        trend_chart(TREND, expected=D("80"), tolerance=D("5")),
        section_bars(SECTIONS, labels=labels_for("en")),
        radar_chart(RATER),
        area_bars(RATER[:3]),
    ],
    ids=["trend", "sections", "radar", "areas"],
)
def test_every_chart_has_an_explicit_size_and_the_embedded_font(svg):
    root = re.match(r"<svg [^>]*>", svg).group(0)

    assert re.search(r'width="\d+" height="\d+" viewBox="0 0 \d+ \d+"', root)
    assert f'font-family="{FONT_FAMILY}"' in root
    assert FONT_FAMILY.startswith("Scorecard Sans SC, Noto Sans CJK SC,")


# --- labels ------------------------------------------------------------------


def test_both_languages_have_the_same_label_keys():
    assert LABELS["zh-Hans"].keys() == LABELS["en"].keys()


def test_it_falls_back_to_english_labels_for_an_unknown_language():
    assert labels_for("fr")["title"] == "Branch service scorecard"


def test_the_chinese_labels_say_否决项_and_全公司():
    from reports.labels import LABELS

    texts = " ".join(str(value) for value in LABELS["zh-Hans"].values())
    assert "否决项" in texts
    assert "全公司" in texts
    assert "关键项" not in texts
    assert "全行" not in texts


@needs_poppler
def test_the_pdf_prints_the_figures_shoppers_recorded_in_chinese(zh_pdf):
    text = pdf_text(zh_pdf)

    for wording in ("实测数据", "从进门到被问候的秒数", "中位数", "90% 分位", "21.5"):
        assert wording in text


@needs_poppler
def test_the_pdf_prints_the_figures_shoppers_recorded_in_english(en_pdf):
    text = pdf_text(en_pdf)

    for wording in ("Figures", "Seconds until greeted", "Median", "90th pct", "21.5"):
        assert wording in text


def test_a_weight_0_figure_is_marked_as_recorded_not_scored():
    card = sample_scorecard("en")
    unscored = dataclasses.replace(card.figures[0], scored=False)
    html = render_scorecard_html(dataclasses.replace(card, figures=(unscored,), choices=()))

    assert html.count("Recorded, not scored") == 1


@needs_poppler
def test_the_pdf_prints_the_complainant_types_played_in_chinese(zh_pdf):
    text = pdf_text(zh_pdf)

    for wording in (
        "扮演的投诉者类型",
        "撒娇倚赖型",
        "暗访平均得分",
        "全公司平均（暗访数）",
        "82.3",
    ):
        assert wording in text


@needs_poppler
def test_the_pdf_prints_the_complainant_types_played_in_english(en_pdf):
    text = pdf_text(en_pdf)

    for wording in ("The complainant type you played", "Wants to feel important", "82.3"):
        assert wording in text
    assert "Mean visit score" in text and "Company mean (visits)" in text


def test_a_complainant_type_nobody_played_shows_0_visits_and_no_mean():
    html = render_scorecard_html(sample_scorecard("en"))
    row = re.search(r'<tr data-option="dependent">.*?</tr>', html, re.S).group(0)

    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[1:3] == ["0", "—"]
    assert cells[4] == "66.0 (5)"  # the company's, beside it


def test_a_card_with_choices_but_no_number_items_still_has_the_figures_section():
    html = render_scorecard_html(dataclasses.replace(sample_scorecard("en"), figures=()))

    assert 'class="block figures"' in html and 'data-choice="TYPE"' in html
    assert "figure-table choice-table" in html and "data-figure=" not in html


def test_a_weight_0_item_in_the_item_table_has_no_score_bar_and_no_failures():
    card = sample_scorecard("en")
    recorded = dataclasses.replace(card.items[0], scored=False)
    html = render_scorecard_html(
        dataclasses.replace(card, items=(recorded,), figures=(), choices=())
    )
    table = html[html.index('<section class="block items">') :]
    table = table[: table.index("</section>")]

    assert "Recorded, not scored" in table
    assert "meter-fill" not in table and 'class="col-num failed"' not in table


def test_a_card_without_figures_has_no_figures_section():
    html = render_scorecard_html(
        dataclasses.replace(sample_scorecard("en"), figures=(), choices=())
    )
    assert 'class="block figures"' not in html


def test_it_prints_the_bpmp_classes_and_the_key_factor_profile_in_chinese(zh_pdf):
    text = pdf_text(zh_pdf)

    assert "BPMP 因素" in text and "激励因素：惊喜展现率" in text
    assert "关键因素概况" in text and "F26 前后一致的待客态度" in text


@needs_poppler
def test_it_prints_the_bpmp_classes_and_the_key_factor_profile_in_english(en_pdf):
    text = pdf_text(en_pdf)

    assert "BPMP classes" in text and "Reward: delighters shown" in text
    assert "Key-factor profile" in text and "F24 No long wait" in text


def test_the_bpmp_classes_are_drawn_against_the_region_and_company_averages():
    html = render_scorecard_html(sample_scorecard("en"))
    chart = html[html.index('class="chart chart-bpmp"') :]
    chart = chart[: chart.index("</svg>")]

    assert 'aria-label="BPMP classes"' in chart
    assert "Region average" in chart and "Company average" in chart
    assert ">37.5<" in chart  # the reward class: share of delighters shown


def test_many_key_factors_are_printed_in_two_halves_side_by_side():
    html = render_scorecard_html(sample_scorecard("en"))
    table = html[html.index('class="item-table factor-table"') :]
    table = table[: table.index("</table>")]

    # 18 factors: 9 lines, the first half's F01 beside the second half's F12.
    assert table.count("<tr>") == 1 + 9
    assert table.count('class="col-item second-half"') == 1 + 9
    first_line = table[table.index("<tbody>") :]
    assert first_line.index("F01 ") < first_line.index("F12 ") < first_line.index("</tr>")


def test_an_empty_period_has_no_bpmp_or_key_factor_section():
    html = render_scorecard_html(sample_empty_scorecard("en"))

    assert "BPMP classes" not in html and "Key-factor profile" not in html
