"""Routes of the server-rendered report pages (session login), outside /api/."""

from django.urls import path

from reports import web

urlpatterns = [
    path("branches/<int:pk>/scorecard/", web.scorecard_page, name="scorecard-page"),
    path("reports/comparison/", web.comparison_page, name="comparison-page"),
    path("review/", web.review_queue_page, name="review-queue-page"),
]
