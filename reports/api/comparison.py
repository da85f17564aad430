"""GET /api/v1/reports/comparison/ — every branch side by side, as JSON, CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import SeesReports
from backend.schema import ERRORS
from checklists.languages import language_for
from reports.api import (
    PERIOD_PARAMETERS,
    SCOPE_PARAMETERS,
    FormatIsAnExportNegotiation,
    HeadingOutput,
    PeriodOutput,
    period_output,
    report_query,
)
from reports.exports import CSV_CONTENT_TYPE, EXPORT_FORMATS, XLSX_CONTENT_TYPE, comparison_export
from reports.selectors.comparison import (
    VIEWS,
    Comparison,
    ComparisonAverage,
    ComparisonRow,
    comparison_view,
    reader_comparison,
)
from reports.stats import Interval

SCORE = {"max_digits": 4, "decimal_places": 1, "allow_null": True}


class ComparisonBranchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class IntervalOutput(serializers.Serializer):
    low = serializers.DecimalField(max_digits=4, decimal_places=1)
    high = serializers.DecimalField(max_digits=4, decimal_places=1)


class ComparisonRowOutput(serializers.Serializer):
    rank = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "1, 2, 2, 4: ties share a rank. Null without a scored visit, and for a small sample."
        ),
    )
    branch = ComparisonBranchOutput()
    region = serializers.CharField(help_text="Region code.")
    visits = serializers.IntegerField(help_text="Approved visits in the period.")
    small_sample = serializers.BooleanField(
        help_text="Scored from fewer than `small_sample_visits` visits: listed, not ranked."
    )
    score = serializers.DecimalField(**SCORE, help_text="Mean of the visits' scores.")
    interval = IntervalOutput(
        allow_null=True,
        help_text=(
            "90 % confidence interval of the score (Student's t over the visits' scores). "
            "Null under two scored visits."
        ),
    )
    band = serializers.ChoiceField(choices=["below", "meets", "exceeds"], allow_null=True)
    previous_score = serializers.DecimalField(**SCORE)
    previous_interval = IntervalOutput(allow_null=True)
    change = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="score − previous_score."
    )
    change_significant = serializers.BooleanField(
        help_text=(
            "The two periods' intervals do not overlap, and neither is a small sample "
            "(a conservative test: see the README)."
        )
    )
    sections = serializers.DictField(
        child=serializers.DecimalField(**SCORE),
        help_text="By section code; null where no visit scored it.",
    )
    dimensions = serializers.DictField(
        child=serializers.DecimalField(**SCORE),
        help_text="By RATER dimension; null where no item scored it.",
    )
    areas = serializers.DictField(
        child=serializers.DecimalField(**SCORE),
        help_text=(
            "By service-standard area (procedure, people, environment); null where no item "
            "of the area was scored."
        ),
    )
    factors = serializers.DictField(
        child=serializers.DecimalField(**SCORE),
        help_text=(
            "By key-factor number (`factors` headings): the mean factor score over the approved "
            "visits of every checklist in `factor_checklists`, not only `checklist`. Null where "
            "the branch has no scored answer tagged with the factor."
        ),
    )
    bpmp = serializers.DictField(
        child=serializers.DecimalField(**SCORE),
        help_text=(
            "By BPMP class (`bpmp` headings): the mean score of the scored answers to the "
            "checklist's items of the class. For `motivation` (reward) that is the share of "
            "delighters shown, never a failure. Null where the branch has no such answer."
        ),
    )
    bpmp_failures = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text=(
            "Failed answers of the `basic` and `punishment` classes the checklist has; null "
            "where the branch has no such answer."
        ),
    )


class ComparisonAverageOutput(serializers.Serializer):
    region = serializers.CharField(
        allow_null=True,
        help_text=(
            "Null: every branch in the table (the company, or a regional manager's regions); "
            "else one region's branches."
        ),
    )
    sections = serializers.DictField(child=serializers.DecimalField(**SCORE))
    dimensions = serializers.DictField(child=serializers.DecimalField(**SCORE))
    areas = serializers.DictField(child=serializers.DecimalField(**SCORE))
    factors = serializers.DictField(child=serializers.DecimalField(**SCORE))
    bpmp = serializers.DictField(child=serializers.DecimalField(**SCORE))


class ComparisonOutput(serializers.Serializer):
    period = PeriodOutput()
    previous_period = PeriodOutput()
    checklist = serializers.CharField()
    version = serializers.IntegerField(
        help_text="The latest published version, whose expectation and sections are used."
    )
    title_zh = serializers.CharField()
    title_en = serializers.CharField()
    expected = serializers.DecimalField(max_digits=4, decimal_places=1)
    tolerance = serializers.DecimalField(max_digits=4, decimal_places=1)
    region = serializers.CharField(allow_null=True)
    small_sample_visits = serializers.IntegerField(
        help_text="A branch scored from fewer visits than this is a small sample."
    )
    sections = HeadingOutput(many=True)
    dimensions = HeadingOutput(many=True)
    areas = HeadingOutput(
        many=True, help_text="The reference's three areas of service standards, always all three."
    )
    factors = HeadingOutput(
        many=True,
        help_text=(
            'The key factors any branch has a score for, by number; code "12", titles '
            '"F12 兴趣" / "F12 The customer\'s interest is engaged", from the checklist library.'
        ),
    )
    factor_checklists = serializers.ListField(
        child=serializers.CharField(),
        help_text="Codes of the checklists that tag key factors: what the factor scores cover.",
    )
    bpmp = HeadingOutput(
        many=True,
        help_text=(
            "The BPMP classes (basic, performance, motivation, punishment) of the items the "
            "period's visits were asked, in that order; untagged items are in none."
        ),
    )
    branches = ComparisonRowOutput(many=True)
    averages = ComparisonAverageOutput(
        many=True,
        help_text=(
            "Mean column scores of the branches, each branch with a score counting once: "
            "first of every branch in the table (`region` null), then of each region's."
        ),
    )


def _same(score: Decimal | None) -> Decimal | None:
    return score


def average_output(
    average: ComparisonAverage,
    *,
    score: Callable[[Decimal | None], Decimal | str | None] = _same,
) -> dict:
    """One entry of `averages`, its scores written by `score` (see _row)."""
    return {
        "region": average.region,
        **{
            lens: {code: score(value) for code, value in getattr(average, lens).items()}
            for lens in VIEWS.values()
        },
    }


def _interval(interval: Interval | None) -> dict | None:
    return asdict(interval) if interval else None


def _row(
    row: ComparisonRow,
    *,
    score: Callable[[Decimal | None], Decimal | str | None],
    interval: Callable[[Interval | None], dict | None],
) -> dict:
    """One branch's entry of `branches`, its scores and interval ends written by `score`
    and `interval`: as they are for ComparisonOutput, or as the text it would write."""

    def scores(by_code: dict[str, Decimal | None]) -> dict:
        return {code: score(value) for code, value in by_code.items()}

    return {
        "rank": row.rank,
        "branch": {
            "id": row.branch_id,
            "code": row.branch_code,
            "name_zh": row.name_zh,
            "name_en": row.name_en,
        },
        "region": row.region,
        "visits": row.visits,
        "small_sample": row.small_sample,
        "score": score(row.score),
        "interval": interval(row.interval),
        "band": row.band,
        "previous_score": score(row.previous_score),
        "previous_interval": interval(row.previous_interval),
        "change": score(row.change),
        "change_significant": row.change_significant,
        "sections": scores(row.sections),
        "dimensions": scores(row.dimensions),
        "areas": scores(row.areas),
        "factors": scores(row.factors),
        "bpmp": scores(row.bpmp),
        "bpmp_failures": dict(row.bpmp_failures),
    }


def comparison_output(comparison: Comparison) -> dict:
    return {
        "period": period_output(comparison.period),
        "previous_period": period_output(comparison.previous),
        "checklist": comparison.checklist,
        "version": comparison.version,
        "title_zh": comparison.title_zh,
        "title_en": comparison.title_en,
        "expected": comparison.expected,
        "tolerance": comparison.tolerance,
        "region": comparison.region,
        "small_sample_visits": comparison.small_sample_visits,
        "sections": [asdict(s) for s in comparison.sections],
        "dimensions": [asdict(d) for d in comparison.dimensions],
        "areas": [asdict(a) for a in comparison.areas],
        "factors": [asdict(f) for f in comparison.factors],
        "factor_checklists": list(comparison.factor_checklists),
        "bpmp": [asdict(c) for c in comparison.bpmp],
        "branches": [_row(row, score=_same, interval=_interval) for row in comparison.rows],
        "averages": [average_output(average) for average in comparison.averages],
    }


def _score_text(score: Decimal | None) -> str | None:
    # What a DecimalField(decimal_places=1) writes: report scores already have one decimal.
    return None if score is None else format(score, "f")


def _interval_text(interval: Interval | None) -> dict | None:
    if interval is None:
        return None
    return {"low": _score_text(interval.low), "high": _score_text(interval.high)}


def comparison_json(comparison: Comparison) -> dict:
    """The JSON of the comparison: exactly ComparisonOutput(comparison_output(comparison)).data.

    ComparisonOutput documents the shape and writes the header; the rows and the
    averages are written here directly, as the serializer would write them
    (tests/api/test_comparison.py holds the two equal): at 10,000 branches its
    field-by-field rendering of 200,000 scores took longer than the report.
    """
    data = ComparisonOutput(comparison_output(replace(comparison, rows=(), averages=()))).data
    data["branches"] = [
        _row(row, score=_score_text, interval=_interval_text) for row in comparison.rows
    ]
    data["averages"] = [
        average_output(average, score=_score_text) for average in comparison.averages
    ]
    return data


class ComparisonApi(APIView):
    permission_classes = [SeesReports]
    throttle_scope = "reports"
    content_negotiation_class = FormatIsAnExportNegotiation

    @extend_schema(
        summary="Compare branches: league table and branch × section heatmap",
        description=(
            "Every active branch in the caller's scope (a regional manager's regions only), "
            "with its mean score over the period's approved visits of the checklist, its band "
            "against the expectation and its 90 % confidence interval, the change since the "
            "previous period and whether it is significant, its rank, and its section, RATER "
            "dimension and service-standard-area scores, its key-factor scores across every "
            "checklist that tags key factors, and its BPMP class scores; with the average of each column over the table and "
            "per region. Sorted by rank; small samples (fewer scored visits than "
            "`small_sample_visits`) follow unranked, best score first; branches without a visit "
            "come last. `format=csv` or `format=xlsx` downloads the same table, one row per "
            "branch (CSV is UTF-8 with a byte-order mark so Excel reads Chinese names)."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            *SCOPE_PARAMETERS,
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", *EXPORT_FORMATS],
                required=False,
                description="`csv` or `xlsx` downloads the table as a file; JSON otherwise.",
            ),
            OpenApiParameter(
                "view",
                OpenApiTypes.STR,
                enum=list(VIEWS),
                required=False,
                description=(
                    "The score columns the answer carries after the branch's own: `sections`, "
                    "`rater` (RATER dimensions), `areas` (service-standard areas), `factors` "
                    "(key factors) or `bpmp` (BPMP classes, with the basic and punishment "
                    "failures). Without it, all five. In JSON the other lenses' headings are "
                    "then empty lists and their scores, in every branch and average, empty "
                    "objects (the comparison page shows one lens at a time; company-wide, one "
                    "lens is about two thirds of the bytes of five). An unknown value is a 400 "
                    "naming `view`."
                ),
            ),
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=["zh-Hans", "en"],
                required=False,
                description=(
                    "Language of the CSV and XLSX area, factor and BPMP headings; otherwise "
                    "Accept-Language, then English."
                ),
            ),
        ],
        responses={
            (200, "application/json"): ComparisonOutput,
            (200, CSV_CONTENT_TYPE.split(";")[0]): OpenApiResponse(
                OpenApiTypes.STR, description="`format=csv`: comparison-<checklist>-<period>.csv"
            ),
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="`format=xlsx`: comparison-<checklist>-<period>.xlsx",
            ),
            **ERRORS(400, 401, 403, 429),
        },
    )
    def get(self, request):
        fmt = request.query_params.get("format", "json").strip().lower() or "json"
        if fmt not in ("json", *EXPORT_FORMATS):
            raise serializers.ValidationError(
                {"format": [f"Must be one of json, csv, xlsx; got {fmt!r}."]}
            )
        raw_view = request.query_params.get("view", "").strip()
        # Checked before the report is read, and for JSON too, so a bad link fails the same way.
        view = comparison_view(raw_view) if raw_view else None
        query = report_query(request)
        comparison = reader_comparison(
            user=request.user,
            checklist=query.checklist,
            period=query.period,
            region=query.region,
            # All five lenses unless a view names one, in JSON as in a download.
            lenses=None if view is None else (view,),
        )
        if fmt == "json":
            return Response(comparison_json(comparison))
        export = comparison_export(
            comparison, fmt, view=view, lang=language_for(request, fallback="en")
        )
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
