from django.urls import path

from audits.api import assignments as assignment_api
from audits.api import config as config_api
from audits.api import organisation as organisation_api
from audits.api import photos as photo_api
from audits.api import review as review_api
from audits.api import visits

urlpatterns = [
    path("visits/", visits.VisitListApi.as_view(), name="visit-list"),
    path("visits/<uuid:pk>/", visits.VisitDetailApi.as_view(), name="visit-detail"),
    path(
        "visits/<uuid:visit_id>/photos/<uuid:photo_id>/",
        photo_api.PhotoApi.as_view(),
        name="visit-photo",
    ),
    path("visits/<uuid:pk>/review/", review_api.VisitReviewApi.as_view(), name="visit-review"),
    path(
        "visits/<uuid:pk>/answers/<slug:question>/correction/",
        review_api.VisitAnswerCorrectionApi.as_view(),
        name="visit-answer-correction",
    ),
    path(
        "visits/<uuid:pk>/corrections/",
        review_api.VisitCorrectionListApi.as_view(),
        name="visit-corrections",
    ),
    path("review/queue/", review_api.ReviewQueueApi.as_view(), name="review-queue"),
    path("assignments/", assignment_api.AssignmentListApi.as_view(), name="assignment-list"),
    path(
        "assignments/bulk/",
        assignment_api.AssignmentBulkCreateApi.as_view(),
        name="assignment-bulk",
    ),
    path(
        "assignments/<int:pk>/cancel/",
        assignment_api.AssignmentCancelApi.as_view(),
        name="assignment-cancel",
    ),
    path("branches/", organisation_api.BranchListApi.as_view(), name="branch-list"),
    path("regions/", organisation_api.RegionListApi.as_view(), name="region-list"),
    path("config/", config_api.ConfigApi.as_view(), name="config"),
]
