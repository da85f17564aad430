from django.urls import path

from mobile import views

app_name = "mobile"

urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("<path:name>", views.asset, name="asset"),
]
