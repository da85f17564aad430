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

import logging
import threading

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


def render_pdf(html: str) -> bytes:
    """Render a self-contained HTML document to a tagged PDF.

    No base URL: relative links then resolve to nothing, instead of to the
    server's working directory.
    """
    font_config, font_rules = _fonts()
    return HTML(string=html, url_fetcher=DataURIAndFontFetcher(), media_type="print").write_pdf(
        stylesheets=[font_rules], font_config=font_config, pdf_variant=PDF_VARIANT
    )


def render_scorecard_pdf(card: ScorecardData) -> bytes:
    """Render a branch scorecard straight to PDF bytes."""
    # Imported here so importing this module does not require Django settings.
    from reports.scorecard_render import render_scorecard_html

    return render_pdf(render_scorecard_html(card))
