"""Head office keeps the organisation and people here.

Assignments are created through audits.services so the admin obeys the same
rules as the API (published version, exclusions, rotation, window); once made,
only the scenario can change, and they are cancelled rather than deleted.
Visits and photos are evidence: read-only, and photos show no file names,
because the originals are served only through short-lived signed URLs.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role, manages_assignments
from accounts.services.tokens import tokens_revoke
from audits.models import (
    Assignment,
    Branch,
    Photo,
    Region,
    ShopperExclusion,
    ShopperProfile,
    User,
    Visit,
)
from audits.services.assignments import (
    AssignmentSpec,
    assignment_cancel,
    assignment_check,
    assignment_create,
)
from backend.errors import Conflict
from checklists.models import ChecklistVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "region", "active"]
    list_filter = ["region", "active"]
    list_select_related = ["region"]
    search_fields = ["code", "name_zh", "name_en", "address_zh", "address_en"]


class ShopperProfileInline(admin.StackedInline):
    model = ShopperProfile
    can_delete = False
    extra = 0


class ShopperExclusionInline(admin.TabularInline):
    model = ShopperExclusion
    fk_name = "shopper"
    autocomplete_fields = ["branch"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Role", {"fields": ("role", "regions")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Role", {"fields": ("role", "regions")}),
    )
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active", "is_staff"]
    list_filter = ["role", "regions", *DjangoUserAdmin.list_filter]
    filter_horizontal = [*DjangoUserAdmin.filter_horizontal, "regions"]
    inlines = [ShopperProfileInline, ShopperExclusionInline]
    actions = ["revoke_api_tokens"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # A deactivated user's phones are signed out for good, even if reactivated later.
            tokens_revoke(user=obj)

    @admin.action(description="Revoke the API tokens of the selected users (signs phones out)")
    def revoke_api_tokens(self, request, queryset):
        revoked = sum(tokens_revoke(user=user) for user in queryset)
        self.message_user(request, f"Revoked {revoked} API token(s).", messages.SUCCESS)


@admin.register(ShopperProfile)
class ShopperProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "languages", "home_city"]
    search_fields = ["user__username", "phone", "home_city"]
    autocomplete_fields = ["user"]


@admin.register(ShopperExclusion)
class ShopperExclusionAdmin(admin.ModelAdmin):
    list_display = ["shopper", "branch", "reason"]
    list_select_related = ["shopper", "branch"]
    search_fields = ["shopper__username", "branch__code", "branch__name_zh", "branch__name_en"]
    autocomplete_fields = ["shopper", "branch"]


class AssignmentAddForm(forms.ModelForm):
    created_by = None  # set per request by AssignmentAdmin.get_form

    class Meta:
        model = Assignment
        fields = [
            "branch",
            "checklist_version",
            "shopper",
            "scenario",
            "window_from",
            "window_to",
            "time_from",
            "time_to",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned  # the service's rules need every field well formed
        spec = AssignmentSpec(
            branch=cleaned["branch"].pk,
            checklist_version=cleaned["checklist_version"].pk,
            shopper=cleaned["shopper"].pk,
            scenario=cleaned.get("scenario", ""),
            window_from=cleaned["window_from"],
            window_to=cleaned["window_to"],
            time_from=cleaned.get("time_from"),
            time_to=cleaned.get("time_to"),
        )
        try:
            assignment_check(created_by=self.created_by, spec=spec)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "branch",
        "shopper",
        "checklist_version",
        "window_from",
        "window_to",
        "status",
    ]
    list_filter = ["status", "branch__region"]
    list_select_related = ["branch", "shopper", "checklist_version__checklist"]
    search_fields = ["branch__code", "branch__name_zh", "branch__name_en", "shopper__username"]
    date_hierarchy = "window_from"
    actions = ["cancel"]

    def has_add_permission(self, request):
        user = request.user
        return super().has_add_permission(request) and (manages_assignments(user))

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the record of what was planned stays

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["status"]
        return [f.name for f in Assignment._meta.fields if f.name != "scenario"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AssignmentAddForm
        form = super().get_form(request, obj, **kwargs)
        form.created_by = request.user  # a fresh class per request, so this is not shared
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only what the rules accept; the service still checks.
        if db_field.name == "checklist_version":
            kwargs["queryset"] = ChecklistVersion.objects.filter(
                status=ChecklistVersion.Status.PUBLISHED
            ).select_related("checklist")
        elif db_field.name == "shopper":
            kwargs["queryset"] = User.objects.filter(role=Role.SHOPPER, is_active=True)
        elif db_field.name == "branch":
            kwargs["queryset"] = Branch.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = assignment_create(
            created_by=request.user,
            branch=obj.branch_id,
            checklist_version=obj.checklist_version_id,
            shopper=obj.shopper_id,
            scenario=obj.scenario,
            window_from=obj.window_from,
            window_to=obj.window_to,
            time_from=obj.time_from,
            time_to=obj.time_to,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.action(description="Cancel the selected open assignments")
    def cancel(self, request, queryset):
        for assignment in queryset:
            try:
                assignment_cancel(assignment=assignment, cancelled_by=request.user)
            except (Conflict, PermissionDenied) as problem:
                self.message_user(request, f"#{assignment.pk}: {problem}", messages.ERROR)
            else:
                self.message_user(request, f"Cancelled #{assignment.pk}.", messages.SUCCESS)


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["id", "branch", "shopper", "status", "score", "band", "visited_on", "flagged"]
    list_filter = ["status", "band", "flagged", "critical_failure", "branch__region"]
    list_select_related = ["branch", "shopper"]
    search_fields = ["id", "branch__code", "branch__name_en", "shopper__username"]
    date_hierarchy = "visited_on"


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    # No storage names: a name is one step from the private original.
    fields = [
        "id",
        "visit",
        "item_code",
        "sha256",
        "received_at",
        "content_type",
        "size_bytes",
        "width",
        "height",
        "taken_at",
        "gps_lat",
        "gps_lng",
        "phash",
        "created_at",
    ]
    readonly_fields = fields
    list_display = ["id", "visit", "item_code", "received_at", "content_type", "size_bytes"]
    list_filter = ["content_type"]
    search_fields = ["id", "visit__id", "sha256"]
