from django.urls import path

from audits.api import auth, visits

urlpatterns = [
    path("auth/token/", auth.TokenLoginApi.as_view(), name="token-login"),
    path("visits/", visits.VisitListApi.as_view(), name="visit-list"),
    path("visits/<uuid:pk>/", visits.VisitDetailApi.as_view(), name="visit-detail"),
]
