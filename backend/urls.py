from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from front.views.api_docs import ApiReferenceView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", ApiReferenceView.as_view(url_name="schema"), name="api-redoc"),
    path("api/v1/", include("accounts.urls")),
    path("api/v1/", include("checklists.urls")),
    path("api/v1/", include("audits.urls")),
    path("api/v1/", include("reports.urls")),
    path("api/v1/", include("actions.urls")),
    path("api/v1/", include("appeals.urls")),
    path("app/", include("mobile.urls")),
    path("", include("front.urls")),
]

# Under /api/ every error answers in the API's JSON shape (backend/errors.py).
handler400 = "backend.errors.bad_request"
handler403 = "backend.errors.permission_denied"
handler404 = "backend.errors.not_found"
handler500 = "backend.errors.server_error"
