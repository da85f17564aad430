from django.contrib import admin

from appeals.models import Appeal, AppealItem


class AppealItemInline(admin.TabularInline):
    model = AppealItem
    extra = 0
    readonly_fields = [f.name for f in AppealItem._meta.fields]
    can_delete = False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals are written through appeals.services (the API and the pages)."""

    list_display = ["id", "branch", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Appeal._meta.fields]
    inlines = [AppealItemInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
