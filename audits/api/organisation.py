"""Regions and branches, for planning assignments and filtering reports."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import reads_reports
from audits.models import Branch
from audits.selectors.assignments import branch_detail, regions_visible_to
from audits.selectors.scope import branches_visible_to
from backend.schema import ERRORS


class SeesOrganisation(BasePermission):
    """Shoppers learn branches only through their assignments, never the whole network."""

    message = "Shoppers may not list branches or regions."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and reads_reports(user))


class RegionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    branch_count = serializers.IntegerField(help_text="Branches in this region the caller sees.")


class BranchRegionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class BranchLocationOutput(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class BranchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    address_zh = serializers.CharField(allow_blank=True)
    address_en = serializers.CharField(allow_blank=True)
    location = BranchLocationOutput(allow_null=True)
    region = BranchRegionOutput()
    active = serializers.BooleanField()


class BranchFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", help_text="Region code.")
    active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="search", help_text="Part of the code or either name.")

    class Meta:
        model = Branch
        fields = ["region", "active", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value)
        )


class BranchListApi(GenericAPIView):
    permission_classes = [SeesOrganisation]
    queryset = Branch.objects.none()  # for the schema; get_queryset scopes by caller
    filterset_class = BranchFilter
    serializer_class = BranchOutput

    def get_queryset(self):
        return branches_visible_to(self.request.user)

    @extend_schema(
        summary="Branches the caller may see, filtered and paginated",
        description="Regional managers see their regions' branches; reviewers and head office all.",
        responses={200: BranchOutput(many=True), **ERRORS(400, 401, 403)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            BranchOutput([branch_detail(b) for b in page], many=True).data
        )


class RegionListApi(APIView):
    permission_classes = [SeesOrganisation]

    @extend_schema(
        summary="Regions holding branches the caller may see",
        responses={200: RegionOutput(many=True), **ERRORS(401, 403)},
    )
    def get(self, request):
        return Response(RegionOutput(regions_visible_to(request.user), many=True).data)
