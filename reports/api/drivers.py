"""GET /api/v1/reports/drivers/ — which checklist items move the overall score most."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import SeesReports
from backend.schema import ERRORS
from reports.api import (
    PERIOD_PARAMETERS,
    SCOPE_PARAMETERS,
    HeadingOutput,
    PeriodOutput,
    period_output,
    report_query,
)
from reports.selectors import drivers as drivers_selector
from reports.selectors.drivers import Drivers, reader_drivers


class DriverOutput(serializers.Serializer):
    code = serializers.CharField()
    text_zh = serializers.CharField()
    text_en = serializers.CharField()
    section = HeadingOutput()
    rater = serializers.CharField(allow_null=True)
    area = serializers.CharField(allow_null=True)
    factor = serializers.IntegerField(allow_null=True)
    critical = serializers.BooleanField()
    answers = serializers.IntegerField(help_text="Scored answers (N/A and unanswered left out).")
    branches = serializers.IntegerField(help_text="Branches the correlation is taken over.")
    average = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="Mean item score, 0–100."
    )
    failure_rate = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        allow_null=True,
        help_text="Failed answers / scored answers, 0–1.",
    )
    correlation = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        allow_null=True,
        help_text="Pearson's r across branches: branch item average vs branch overall score. "
        "Null below 3 branches or when either side does not vary.",
    )
    points_to_gain = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text="Points the scope's average visit score would rise if the item were always done right.",
    )


class DriversOutput(serializers.Serializer):
    period = PeriodOutput()
    checklist = serializers.CharField()
    version = serializers.IntegerField()
    region = serializers.CharField(allow_null=True)
    visits = serializers.IntegerField(help_text="Scored approved visits in the period and scope.")
    branches = serializers.IntegerField(help_text="Branches with a scored visit.")
    items = DriverOutput(many=True)


def drivers_output(drivers: Drivers) -> dict:
    return {
        "period": period_output(drivers.period),
        "checklist": drivers.checklist,
        "version": drivers.version,
        "region": drivers.region,
        "visits": drivers.visits,
        "branches": drivers.branches,
        "items": [asdict(item) for item in drivers.items],
    }


class DriversApi(APIView):
    permission_classes = [SeesReports]
    throttle_scope = "reports"

    @extend_schema(
        summary="Score drivers: the items that move the overall score most",
        # The method, caveats included, is the selector's docstring: one text to keep true.
        description=drivers_selector.__doc__,
        parameters=[*PERIOD_PARAMETERS, *SCOPE_PARAMETERS],
        responses={200: DriversOutput, **ERRORS(400, 401, 403, 429)},
    )
    def get(self, request):
        query = report_query(request)
        drivers = reader_drivers(
            user=request.user, checklist=query.checklist, period=query.period, region=query.region
        )
        return Response(DriversOutput(drivers_output(drivers)).data)
