from django.urls import path

from appeals import api

urlpatterns = [
    path("appeals/", api.AppealListApi.as_view(), name="appeal-list"),
    path("appeals/<int:pk>/", api.AppealDetailApi.as_view(), name="appeal-detail"),
    path("appeals/<int:pk>/decide/", api.AppealDecideApi.as_view(), name="appeal-decide"),
    path(
        "appeals/<int:pk>/evidence/",
        api.AppealEvidenceListApi.as_view(),
        name="appeal-evidence",
    ),
    path(
        "appeals/<int:pk>/evidence/<uuid:evidence_id>/",
        api.AppealEvidenceFileApi.as_view(),
        name="appeal-evidence-file",
    ),
]
