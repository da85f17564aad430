from django.contrib import admin

from outbox.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """For looking at stuck work; events are written and run by outbox.services only."""

    list_display = ["kind", "key", "due_at", "attempts", "done_at", "last_error"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["key"]
    ordering = ["-due_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
