"""HTML to PDF. The only module in the project that imports WeasyPrint.

Keeping the engine behind one function means one place to pin its
behaviour (no network, fixed media type) and one place to change if the
engine ever changes; nothing else should ``import weasyprint``.

Needs WeasyPrint 68 or later: the URL fetcher is a ``URLFetcher`` subclass,
the API that replaced plain fetcher functions.

Every PDF is tagged (PDF/UA-1): the structure tree gives screen readers and
copy-paste the document's reading order, and the catalog names the document's
language, taken from ``<html lang>``.
"""

from __future__ import annotations

import logging

from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.scorecard_data import ScorecardData

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES to True,
# which would make audits.imaging accept truncated photo uploads in any process
# that has rendered a scorecard. We only hand WeasyPrint complete renditions we
# made ourselves, so we put Pillow's safe default back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

logger = logging.getLogger(__name__)

# WeasyPrint's accessible variant: a tagged PDF 1.7 with the UA metadata.
PDF_VARIANT = "pdf/ua-1"


class URLRefusedError(ValueError):
    """Raised for any resource that is not an inline ``data:`` URI."""


class DataURIOnlyFetcher(URLFetcher):
    """A URL fetcher that serves ``data:`` URIs and refuses everything else.

    Scorecards embed their photos and stylesheet, so the renderer never has
    a reason to fetch. Refusing http(s), file and the rest means a bad
    template or a caption that smuggles in markup cannot make the server
    request internal URLs or read local files (SSRF). WeasyPrint treats the
    refusal as a missing resource, logs it and carries on, so one broken
    image does not cost the whole report.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.lower().startswith("data:"):
            logger.warning("PDF render refused to fetch %s", url[:200])
            raise URLRefusedError(f"only data: URIs may be fetched, refused {url[:200]!r}")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    """Render a self-contained HTML document to a tagged PDF.

    No base URL: relative links then resolve to nothing, instead of to the
    server's working directory.
    """
    return HTML(string=html, url_fetcher=DataURIOnlyFetcher(), media_type="print").write_pdf(
        pdf_variant=PDF_VARIANT
    )


def render_scorecard_pdf(card: ScorecardData) -> bytes:
    """Render a branch scorecard straight to PDF bytes."""
    # Imported here so importing this module does not require Django settings.
    from reports.scorecard_render import render_scorecard_html

    return render_pdf(render_scorecard_html(card))
