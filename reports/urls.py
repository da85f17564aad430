from django.urls import path

from reports.api import comparison, drivers, figures, scorecards

urlpatterns = [
    path("reports/comparison/", comparison.ComparisonApi.as_view(), name="report-comparison"),
    path("reports/drivers/", drivers.DriversApi.as_view(), name="report-drivers"),
    path("reports/figures/", figures.FiguresApi.as_view(), name="report-figures"),
    # Named scorecard-pdf for the web pages too: the API accepts session logins.
    path(
        "branches/<int:pk>/scorecard.pdf",
        scorecards.BranchScorecardPdfApi.as_view(),
        name="scorecard-pdf",
    ),
    path(
        "regions/<int:pk>/scorecards.zip",
        scorecards.RegionScorecardsZipApi.as_view(),
        name="region-scorecards-zip",
    ),
]
