from django.urls import path

from appeals import api

urlpatterns = [
    path("appeals/", api.AppealListApi.as_view(), name="appeal-list"),
    path("appeals/<int:pk>/", api.AppealDetailApi.as_view(), name="appeal-detail"),
    path("appeals/<int:pk>/decide/", api.AppealDecideApi.as_view(), name="appeal-decide"),
]
