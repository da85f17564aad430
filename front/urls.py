"""Routes of the server-rendered pages (session login), outside /api/."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from front.views import action_plans as action_plan_views
from front.views import assignments as assignment_views
from front.views import branch, home, login, reports, review, review_desk, site

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", login.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("branches/<int:pk>/", branch.branch_page, name="branch-page"),
    path("branches/<int:pk>/scorecard/", reports.scorecard_page, name="scorecard-page"),
    path("reports/comparison/", reports.comparison_page, name="comparison-page"),
    path("reports/visits/", reports.report_visits_page, name="report-visits-page"),
    path("reports/drivers/", reports.drivers_page, name="drivers-page"),
    path("review/", review.review_queue_page, name="review-queue-page"),
    path("review/visits/<uuid:pk>/", review_desk.review_visit_page, name="review-visit-page"),
    path("appeals/", include("front.appeal_urls")),
    path("action-plans/", action_plan_views.action_plans_page, name="action-plans-page"),
    path("action-plans/<int:pk>/", action_plan_views.action_plan_page, name="action-plan-page"),
    path("assignments/", assignment_views.assignments_page, name="assignments-page"),
    # The language switch in the header posts here (Django's set_language); it sets a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", site.favicon, name="favicon"),
]
