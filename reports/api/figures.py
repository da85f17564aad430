"""GET /api/v1/reports/figures/ — what shoppers record beside the scores, summarised per branch."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import SeesReports
from backend.schema import ERRORS
from checklists.languages import language_for
from reports.api import (
    PERIOD_PARAMETERS,
    SCOPE_PARAMETERS,
    PeriodOutput,
    period_output,
    report_query,
)
from reports.selectors import figures as figures_selector
from reports.selectors import report_branch
from reports.selectors.figures import (
    ChoiceFigure,
    ChoiceStats,
    Figure,
    Figures,
    FigureStats,
    operational_figures,
)

# No digit limit: a figure is whatever a shopper typed, and DRF refuses to print a
# number longer than max_digits (a 500) rather than cut it.
FIGURE = {"max_digits": None, "decimal_places": 1, "allow_null": True}
BOUND = {"max_digits": None, "decimal_places": None, "allow_null": True}


class BandOutput(serializers.Serializer):
    label = serializers.CharField(help_text='How the band reads: "≤ 10", "> 10, ≤ 30", "> 60".')
    min = serializers.DecimalField(**BOUND, help_text="As the checklist sets it; null: open.")
    max = serializers.DecimalField(**BOUND)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="What it scores.")


class FigureStatsOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Answers with a number (N/A left out).")
    mean = serializers.DecimalField(**FIGURE)
    median = serializers.DecimalField(**FIGURE)
    p90 = serializers.DecimalField(**FIGURE, help_text="90th percentile, nearest rank.")
    min = serializers.DecimalField(**FIGURE)
    max = serializers.DecimalField(**FIGURE)
    distribution = serializers.ListField(
        child=serializers.IntegerField(), help_text="Values per band, in the order of `bands`."
    )
    outside = serializers.IntegerField(help_text="Values in no band (scored 0).")


class FigureOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the language asked for.")
    unit = serializers.CharField(help_text='"seconds", "分钟"…; empty when the checklist has none.')
    scored = serializers.BooleanField(
        help_text="False for a weight-0 item: recorded, never scored."
    )
    bands = BandOutput(many=True)
    stats = FigureStatsOutput(help_text="The branch's, or the scope's.")
    region = FigureStatsOutput(
        allow_null=True, help_text="The branch's region (or `region`); null for a wider scope."
    )
    company = FigureStatsOutput()


class ChoiceOptionOutput(serializers.Serializer):
    value = serializers.CharField(help_text='What the phone sends: "venting".')
    label = serializers.CharField(help_text="In the language asked for.")


class ChoiceOptionStatsOutput(serializers.Serializer):
    visits = serializers.IntegerField(help_text="Approved visits that chose the option; 0: none.")
    mean_score = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="Mean overall score of those visits; null when none has one.",
    )


class ChoiceStatsOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Visits that chose any of the options.")
    options = ChoiceOptionStatsOutput(many=True, help_text="Per option, in the order of `options`.")


class ChoiceFigureOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the language asked for.")
    options = ChoiceOptionOutput(many=True)
    stats = ChoiceStatsOutput(help_text="The branch's, or the scope's.")
    region = ChoiceStatsOutput(
        allow_null=True, help_text="The branch's region (or `region`); null for a wider scope."
    )
    company = ChoiceStatsOutput()


class FiguresBranchOutput(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class FiguresOutput(serializers.Serializer):
    period = PeriodOutput()
    checklist = serializers.CharField()
    version = serializers.IntegerField()
    lang = serializers.ChoiceField(choices=["zh-Hans", "en"])
    branch = FiguresBranchOutput(allow_null=True)
    region = serializers.CharField(allow_null=True, help_text="The region compared against.")
    visits = serializers.IntegerField(help_text="Approved visits in the period and scope.")
    items = FigureOutput(many=True, help_text="The number items.")
    choices = ChoiceFigureOutput(
        many=True, help_text="The descriptive choices (options without scores)."
    )


def _stats(stats: FigureStats | None) -> dict | None:
    if stats is None:
        return None
    return {
        "count": stats.count,
        "mean": stats.mean,
        "median": stats.median,
        "p90": stats.p90,
        "min": stats.min,
        "max": stats.max,
        "distribution": list(stats.bands),
        "outside": stats.outside,
    }


def _figure(figure: Figure) -> dict:
    return {
        "code": figure.code,
        "label": figure.label,
        "unit": figure.unit,
        "scored": figure.scored,
        "bands": [
            {"label": band.label, "min": band.min, "max": band.max, "score": band.score}
            for band in figure.bands
        ],
        "stats": _stats(figure.stats),
        "region": _stats(figure.region),
        "company": _stats(figure.company),
    }


def _choice_stats(stats: ChoiceStats | None) -> dict | None:
    if stats is None:
        return None
    return {
        "count": stats.count,
        "options": [
            {"visits": option.visits, "mean_score": option.mean_score} for option in stats.options
        ],
    }


def _choice(choice: ChoiceFigure) -> dict:
    return {
        "code": choice.code,
        "label": choice.label,
        "options": [{"value": option.value, "label": option.label} for option in choice.options],
        "stats": _choice_stats(choice.stats),
        "region": _choice_stats(choice.region),
        "company": _choice_stats(choice.company),
    }


def figures_output(figures: Figures) -> dict:
    branch = figures.branch
    return {
        "period": period_output(figures.period),
        "checklist": figures.checklist,
        "version": figures.version,
        "lang": figures.lang,
        "branch": None
        if branch is None
        else {"code": branch.code, "name_zh": branch.name_zh, "name_en": branch.name_en},
        "region": figures.region,
        "visits": figures.visits,
        "items": [_figure(figure) for figure in figures.items],
        "choices": [_choice(choice) for choice in figures.choices],
    }


class FiguresApi(APIView):
    permission_classes = [SeesReports]
    throttle_scope = "reports"

    @extend_schema(
        summary="Operational figures: what shoppers recorded on the number items and choices",
        # The method is the selector's docstring: one text to keep true.
        description=figures_selector.__doc__,
        parameters=[
            *PERIOD_PARAMETERS,
            *SCOPE_PARAMETERS,
            OpenApiParameter(
                "branch",
                OpenApiTypes.STR,
                required=False,
                description=(
                    "Branch code. Without it, every branch in your scope (or in `region`). "
                    "A regional manager asking for a branch outside their regions gets 403."
                ),
            ),
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=["zh-Hans", "en"],
                required=False,
                description=(
                    "Language of the labels and units; otherwise Accept-Language, "
                    "then the checklist's own."
                ),
            ),
        ],
        responses={200: FiguresOutput, **ERRORS(400, 401, 403, 429)},
    )
    def get(self, request):
        query = report_query(request)
        branch = report_branch(
            request.user, request.query_params.get("branch", "").strip(), region=query.region
        )
        figures = operational_figures(
            user=request.user,
            checklist=query.checklist,
            period=query.period,
            lang=language_for(request, fallback=query.checklist.language),
            branch=branch,
            region=query.region,
        )
        return Response(FiguresOutput(figures_output(figures)).data)
