from django.apps import AppConfig


class MobileConfig(AppConfig):
    """The shoppers' phone app: its files in src/ are served as-is at /app/."""

    name = "mobile"
    default_auto_field = "django.db.models.BigAutoField"
