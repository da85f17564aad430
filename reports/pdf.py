"""HTML to PDF. The only module in the project that imports WeasyPrint.

Keeping the engine behind one function means one place to pin its
behaviour (no network, fixed media type) and one place to change if the
engine ever changes; nothing else should ``import weasyprint``.

Needs WeasyPrint 68 or later: the URL fetcher is a ``URLFetcher`` subclass,
the API that replaced plain fetcher functions.

Every PDF is tagged (PDF/UA-1): the structure tree gives screen readers and
copy-paste the document's reading order, and the catalog names the document's
language, taken from ``<html lang>``.

Every PDF can use the scorecard's own compact font, "Scorecard Sans SC"
(reports.scorecard_fonts says why): its @font-face rules are added here, not in
the document, because the same HTML is also served as a web page.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import Iterator

from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.scorecard_data import ScorecardData
from reports.scorecard_fonts import FONT_FILES, font_face_css

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES to True,
# which would make audits.imaging accept truncated photo uploads in any process
# that has rendered a scorecard. We only hand WeasyPrint complete renditions we
# made ourselves, so we put Pillow's safe default back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

logger = logging.getLogger(__name__)

# WeasyPrint's accessible variant: a tagged PDF 1.7 with the UA metadata.
PDF_VARIANT = "pdf/ua-1"


# The only file: URLs the renderer reads, each mapped to the file it stands for.
VENDORED_FONTS = {path.as_uri(): path for path in FONT_FILES.values()}


class URLRefusedError(ValueError):
    """Raised for any resource that is neither a ``data:`` URI nor a vendored font."""


class DataURIAndFontFetcher(URLFetcher):
    """A URL fetcher that serves ``data:`` URIs and our vendored fonts, nothing else.

    Scorecards embed their photos and stylesheet, so the renderer never has a
    reason to fetch, except the font files named by the @font-face rules that
    render_pdf adds. Those are served only for a URL exactly equal to one in
    VENDORED_FONTS, read from the path we hold, never from anything taken from
    the URL. Refusing http(s), every other file and the rest means a bad
    template or a caption that smuggles in markup cannot make the server request
    internal URLs or read local files (SSRF). WeasyPrint treats the refusal as a
    missing resource, logs it and carries on, so one broken image does not cost
    the whole report.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        font = VENDORED_FONTS.get(url)
        if font is not None:
            return URLFetcherResponse(
                url, font.read_bytes(), headers={"Content-Type": "font/woff2"}
            )
        if not url.lower().startswith("data:"):
            logger.warning("PDF render refused to fetch %s", url[:200])
            raise URLRefusedError(
                f"only data: URIs and the vendored fonts may be fetched, refused {url[:200]!r}"
            )
        return super().fetch(url, headers)


_per_thread = threading.local()


def _fonts() -> tuple[FontConfiguration, CSS]:
    """This thread's font configuration, with the vendored fonts loaded, and their rules.

    Made on the thread's first render and kept: WeasyPrint writes an @font-face
    font into the configuration's folder once and skips the rule after that, so
    a worker decompresses the two fonts once, not on every scorecard. One per
    thread because a configuration (Fontconfig and Pango objects, caches) is not
    meant to be shared between threads.
    """
    fonts = getattr(_per_thread, "fonts", None)
    if fonts is None:
        config = FontConfiguration()
        rules = CSS(
            string=font_face_css(),
            font_config=config,
            url_fetcher=DataURIAndFontFetcher(),
            media_type="print",
        )
        fonts = _per_thread.fonts = (config, rules)
    return fonts


def _stylesheet(text: str) -> CSS:
    """`text` parsed, kept per thread for as long as the stylesheet reads the same.

    Parsing the scorecard's stylesheet was 4-5 % of a scorecard's render, the
    same work every time; comparing the text keeps a changed file taking effect
    without restarting the worker.
    """
    kept = getattr(_per_thread, "stylesheet", None)
    if kept is None or kept[0] != text:
        font_config, _ = _fonts()
        sheet = CSS(
            string=text,
            font_config=font_config,
            url_fetcher=DataURIAndFontFetcher(),
            media_type="print",
        )
        kept = _per_thread.stylesheet = (text, sheet)
    return kept[1]


# A render makes hundreds of thousands of objects, many in reference cycles (boxes
# point at their parents); at the collector's default first threshold (700) a
# scorecard runs the young collection ~140 times, the middle one ~12 times and a
# full one through every object of the process (Django's too) about once: 10-15 %
# of the render's CPU. While any render runs, the first threshold is this instead
# (7, 1 and 0 collections); cycles are still freed.
RENDER_GC_THRESHOLD = 10_000

_collector_lock = threading.Lock()
_collector_users = 0
_collector_default: tuple[int, int, int] = gc.get_threshold()


@contextlib.contextmanager
def _collector_relaxed() -> Iterator[None]:
    """Run the block with the collector's first threshold at RENDER_GC_THRESHOLD.

    The threshold is the process's, so renders on several threads share one
    setting: the first in raises it, the last out puts back what it was.
    """
    global _collector_users, _collector_default
    with _collector_lock:
        if _collector_users == 0:
            _collector_default = gc.get_threshold()
            gc.set_threshold(RENDER_GC_THRESHOLD, *_collector_default[1:])
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0:
                gc.set_threshold(*_collector_default)


def render_pdf(html: str, *, stylesheet: str | None = None) -> bytes:
    """Render a self-contained HTML document to a tagged PDF.

    `stylesheet`, for a document that leaves its own out, is given to the engine
    parsed once per thread. The engine ranks it as a user stylesheet: with no
    author stylesheet left in the document, only `style` attributes outrank it,
    as they outrank an inlined one (it has no `!important`, which would turn
    that round); pages are drawn the same (tests/test_scorecard_render.py).
    No base URL: relative links then resolve to nothing, instead of to the
    server's working directory.
    """
    font_config, font_rules = _fonts()
    sheets = [font_rules] if stylesheet is None else [font_rules, _stylesheet(stylesheet)]
    with _collector_relaxed():
        document = HTML(string=html, url_fetcher=DataURIAndFontFetcher(), media_type="print")
        return document.write_pdf(
            stylesheets=sheets, font_config=font_config, pdf_variant=PDF_VARIANT
        )


def render_scorecard_pdf(card: ScorecardData) -> bytes:
    """Render a branch scorecard straight to PDF bytes, its stylesheet parsed once."""
    # Imported here so importing this module does not require Django settings.
    from reports.scorecard_render import render_scorecard_html, scorecard_css

    return render_pdf(render_scorecard_html(card, inline_css=False), stylesheet=scorecard_css())
