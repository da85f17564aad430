from django.urls import path

from reports.api import comparison, drivers

urlpatterns = [
    path("reports/comparison/", comparison.ComparisonApi.as_view(), name="report-comparison"),
    path("reports/drivers/", drivers.DriversApi.as_view(), name="report-drivers"),
]
