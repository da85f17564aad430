"""Routes of the appeal pages, under /appeals/ (included from front/urls.py)."""

from django.urls import path

from front.views import appeals

urlpatterns = [
    path("", appeals.appeals_page, name="appeals-page"),
    path("new/", appeals.appeal_new_page, name="appeal-new-page"),
    path("<int:pk>/", appeals.appeal_page, name="appeal-page"),
]
