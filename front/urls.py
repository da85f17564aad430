"""Routes of the server-rendered pages (session login), outside /api/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from front.views import home, login, reports, review

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", login.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("branches/<int:pk>/scorecard/", reports.scorecard_page, name="scorecard-page"),
    path("reports/comparison/", reports.comparison_page, name="comparison-page"),
    path("review/", review.review_queue_page, name="review-queue-page"),
]
