"""Branch scorecards as PDF, and a region's scorecards as one zip."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import SeesReports
from accounts.scope import scope_of
from audits.models import Region
from audits.selectors.scope import branches_visible_to
from audits.storage import private_storage
from backend.schema import ERRORS
from checklists.languages import language_for
from reports.api import PERIOD_PARAMETERS
from reports.models import ScorecardBatch
from reports.periods import Period, PeriodError
from reports.selectors.scorecard import report_period, scorecard_checklist
from reports.services.scorecards import (
    region_zip_download_name,
    region_zip_request,
    scorecard_download_name,
    scorecard_get_or_render,
)

# A stored scorecard only changes under a new key, but it is a private report.
CACHE_CONTROL = "private, max-age=300"
# How long a client waits before asking again for a zip being built.
ZIP_RETRY_AFTER_SECONDS = 5
# The zip's language when the caller names none: the product's first language.
ZIP_FALLBACK_LANG = "zh-Hans"

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=["zh-Hans", "en"],
    required=False,
    description="Language of the scorecard; otherwise Accept-Language, then the checklist's own.",
)
PERIOD_DEFAULT_NOTE = " Without any of them: the last complete month."


def scorecard_period(request) -> Period:
    """The scorecard's period (report_period); a bad one is a 400 naming it."""
    try:
        return report_period(user=request.user, params=request.query_params)
    except PeriodError as error:
        raise serializers.ValidationError({error.field: [error.message]}) from None


def _visible_region(user, pk: int) -> Region:
    return get_object_or_404(scope_of(user).filter(Region.objects.all(), region="pk"), pk=pk)


class _BinaryDownloadApi(APIView):
    permission_classes = [SeesReports]
    throttle_scope = "report_files"

    def perform_content_negotiation(self, request, force=False):
        # The file bypasses DRF's renderers; errors are always JSON, even when
        # the client's Accept header asks only for a PDF or a zip.
        return super().perform_content_negotiation(request, force=True)


class BranchScorecardPdfApi(_BinaryDownloadApi):
    @extend_schema(
        operation_id="branch_scorecard_pdf",
        summary="A branch's scorecard for one period, as an A4 PDF",
        description=(
            "Overall score and band against the checklist's expectation, ranks in the region "
            "and the company (ties share a rank), the six-period trend, section scores against "
            "the region's and the company's average branch, the RATER profile and the three "
            "service-standard areas, every item with its failures (critical failures first), "
            "photos and comments as evidence (never naming the shopper), and the three items "
            "that cost the most points with the reference's good practice. Only approved "
            "visits count; a period without one gives a scorecard that says so.\n\n"
            "Cached by its inputs: the same visits, checklist and language serve the stored "
            "PDF (`X-Scorecard-Cache: hit`); any change to a visit of the checklist in the "
            "trend window renders it again (`miss`). Regional managers get 404 for branches "
            "outside their regions."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            LANG_PARAMETER,
            OpenApiParameter(
                "checklist",
                OpenApiTypes.STR,
                required=False,
                description=(
                    "Checklist code. Default: the one with the most approved visits at the "
                    "branch in the period, else in the last six periods, else "
                    "`standard-branch-visit`."
                ),
            ),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=(
                    'Inline, filename "scorecard-<branch code>-<period>-<lang>.pdf"; '
                    "`X-Scorecard-Cache` says hit or miss." + PERIOD_DEFAULT_NOTE
                ),
            ),
            **ERRORS(400, 401, 403, 404, 429),
        },
    )
    def get(self, request, pk):
        branch = get_object_or_404(branches_visible_to(request.user), pk=pk)
        period = scorecard_period(request)
        checklist = scorecard_checklist(
            branch=branch,
            period=period,
            code=request.query_params.get("checklist", "").strip() or None,
        )
        lang = language_for(request, fallback=checklist.language)
        scorecard = scorecard_get_or_render(
            branch=branch, checklist=checklist, period=period, lang=lang
        )
        response = FileResponse(
            private_storage().open(scorecard.file_name, "rb"), content_type="application/pdf"
        )
        name = scorecard_download_name(branch=branch, period=period, lang=lang)
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["X-Scorecard-Cache"] = "hit" if scorecard.cache_hit else "miss"
        response["Cache-Control"] = CACHE_CONTROL
        response["Vary"] = "Accept-Language"
        # The document's language: LocaleMiddleware would otherwise name the one it
        # activated for the request (the site's default, en), whatever the PDF is in.
        response["Content-Language"] = lang
        return response


class ZipProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["running"])
    done = serializers.IntegerField(help_text="Scorecards rendered so far.")
    total = serializers.IntegerField(help_text="Scorecards the zip will hold.")
    retry_after = serializers.IntegerField(help_text="Seconds to wait before asking again.")
    status_url = serializers.CharField(help_text="Ask here again: this same URL.")


class RegionScorecardsZipApi(_BinaryDownloadApi):
    @extend_schema(
        operation_id="region_scorecards_zip",
        summary="Every active branch's scorecard in a region, as one zip",
        description=(
            "The latest finished zip of the region for the period and language (written by "
            "`manage.py render_scorecards` or an earlier download) while no visit of the period "
            "has changed since. Otherwise the zip is built in the task queue, rendering only the "
            "scorecards the cache lacks, and the answer is 202 with its progress: ask the same "
            "URL again after `Retry-After` seconds. Each branch's scorecard uses its default "
            "checklist. Regional managers get 404 for regions other than theirs."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=["zh-Hans", "en"],
                required=False,
                description="Language of the scorecards; otherwise Accept-Language, then zh-Hans.",
            ),
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=(
                    'Attachment "scorecards-<region>-<period>-<lang>.zip", one '
                    "scorecard-<branch>-<period>-<lang>.pdf per active branch."
                    + PERIOD_DEFAULT_NOTE
                ),
            ),
            202: OpenApiResponse(
                ZipProgressSerializer,
                description="The zip is being built; ask again after Retry-After seconds.",
            ),
            **ERRORS(400, 401, 403, 404, 429),
        },
    )
    def get(self, request, pk):
        region = _visible_region(request.user, pk)
        period = scorecard_period(request)
        lang = language_for(request, fallback=ZIP_FALLBACK_LANG)
        batch = region_zip_request(
            region=region, period=period, lang=lang, requested_by=request.user
        )
        if batch.status != ScorecardBatch.Status.DONE:
            return _zip_in_progress(request, batch)
        response = FileResponse(
            private_storage().open(batch.file_name, "rb"), content_type="application/zip"
        )
        name = region_zip_download_name(region=region, period=period, lang=lang)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-cache"
        return response


def _zip_in_progress(request, batch: ScorecardBatch) -> Response:
    body = ZipProgressSerializer(
        {
            "status": "running",
            "done": batch.done,
            "total": batch.total,
            "retry_after": ZIP_RETRY_AFTER_SECONDS,
            "status_url": request.get_full_path(),
        }
    ).data
    response = Response(body, status=202)
    response["Retry-After"] = str(ZIP_RETRY_AFTER_SECONDS)
    response["Location"] = request.get_full_path()
    response["Cache-Control"] = "no-store"
    return response
