"""Pieces shared by the report endpoints: the query parameters and how they are read."""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation

from audits.models import Region
from checklists.models import Checklist
from reports.periods import Period, PeriodError, parse_period
from reports.selectors import report_region
from reports.selectors.scorecard import report_period_check


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatIsAnExportNegotiation(DefaultContentNegotiation):
    """Content negotiation that leaves `?format=` alone.

    DRF reads `?format=` as a renderer choice (URL_FORMAT_OVERRIDE) and answers
    404 when no renderer is called "csv"; on the report endpoints `format` asks
    for a file export instead, which the view handles itself.
    """

    settings = _NoFormatOverride()


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        required=False,
        description="A month (`2026-10`) or a quarter (`2026-Q3`). Required unless `from` and `to` are given.",
    ),
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        required=False,
        description="First day of a range (ISO date), with `to`, instead of `period`.",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        required=False,
        description="Last day of a range (ISO date, inclusive), with `from`.",
    ),
]
SCOPE_PARAMETERS = [
    OpenApiParameter(
        "checklist",
        OpenApiTypes.STR,
        required=True,
        description="Checklist code; its latest published version sets the expectation, sections and items.",
    ),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        required=False,
        description="Region code. A regional manager asking for a region outside theirs gets 403.",
    ),
]


class PeriodOutput(serializers.Serializer):
    label = serializers.CharField(help_text='"2026-10", "2026-Q3" or "2026-10-01–2026-10-31".')
    kind = serializers.ChoiceField(choices=["month", "quarter", "range"])
    start = serializers.DateField()
    end = serializers.DateField(help_text="Inclusive.")


class HeadingOutput(serializers.Serializer):
    code = serializers.CharField()
    title_zh = serializers.CharField()
    title_en = serializers.CharField()


def period_output(period: Period) -> dict:
    return {"label": period.label, "kind": period.kind, "start": period.start, "end": period.end}


@dataclass(frozen=True)
class ReportQuery:
    period: Period
    checklist: Checklist
    region: Region | None


def report_query(request) -> ReportQuery:
    """Read `period` (or `from`/`to`), `checklist` and `region`, naming every bad one.

    Raises a 400 listing each bad parameter, or a 403 for a region outside the caller's.
    """
    params = request.query_params
    errors: dict[str, list[str]] = {}
    period = None
    try:
        period = parse_period(
            params.get("period"), date_from=params.get("from"), date_to=params.get("to")
        )
        report_period_check(user=request.user, period=period)
    except PeriodError as error:
        errors[error.field] = [error.message]

    code = params.get("checklist", "").strip()
    checklist = Checklist.objects.filter(code=code).first() if code else None
    if not code:
        errors["checklist"] = ["Required: the code of the checklist to report on."]
    elif checklist is None:
        errors["checklist"] = [f"Unknown checklist {code!r}."]

    if errors:
        raise serializers.ValidationError(errors)
    region = report_region(request.user, params.get("region", "").strip() or None)
    return ReportQuery(period=period, checklist=checklist, region=region)
