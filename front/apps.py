from django.apps import AppConfig


class FrontConfig(AppConfig):
    """Every server-rendered page for signed-in staff, beside the API (healthchecks' hc/front)."""

    name = "front"
