from django.urls import path

from actions import api

urlpatterns = [
    path("action-plans/", api.ActionPlanListApi.as_view(), name="action-plan-list"),
    path("action-plans/<int:pk>/", api.ActionPlanDetailApi.as_view(), name="action-plan-detail"),
    path(
        "action-plans/<int:pk>/submit/",
        api.ActionPlanSubmitApi.as_view(),
        name="action-plan-submit",
    ),
    path(
        "action-plans/<int:pk>/accept/",
        api.ActionPlanAcceptApi.as_view(),
        name="action-plan-accept",
    ),
    path(
        "action-plans/<int:pk>/send-back/",
        api.ActionPlanSendBackApi.as_view(),
        name="action-plan-send-back",
    ),
    path(
        "action-plans/<int:pk>/evidence/",
        api.ActionPlanEvidenceListApi.as_view(),
        name="action-plan-evidence",
    ),
    path(
        "action-plans/<int:pk>/evidence/<uuid:evidence_id>/",
        api.ActionPlanEvidenceFileApi.as_view(),
        name="action-plan-evidence-file",
    ),
]
