from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/token/", api.TokenLoginApi.as_view(), name="token-login"),
    path("auth/logout/", api.TokenLogoutApi.as_view(), name="token-logout"),
]
