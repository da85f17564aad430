"""Head office builds and edits draft checklists here.

Published versions are read-only: the admin refuses changes and offers
"new draft from this version" instead. Publishing and copying go through
checklists.services, the one home of those writes.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from backend.errors import Conflict
from checklists.models import Checklist, ChecklistVersion, Item, Section
from checklists.selectors import checklist_tree
from checklists.services import checklist_version_new_draft, checklist_version_publish


def _is_frozen(obj) -> bool:
    version = obj if isinstance(obj, ChecklistVersion) else getattr(obj, "version", None)
    return bool(version and version.is_published)


class FrozenWhenPublishedMixin:
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)


class FrozenInlineMixin(FrozenWhenPublishedMixin):
    def has_add_permission(self, request, obj=None):
        # Inlines get the parent object; adding rows to a published version is refused.
        return super().has_add_permission(request, obj) and not _is_frozen(obj)


class SectionInline(FrozenInlineMixin, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "code", "title_zh", "title_en", "weight"]
    ordering = ["position"]


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["code", "title_zh", "title_en", "language"]
    search_fields = ["code", "title_zh", "title_en"]


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = [
        "checklist",
        "number",
        "status",
        "expected_score",
        "tolerance",
        "published_at",
        "preview_link",
    ]
    list_filter = ["status", "checklist"]
    readonly_fields = ["status", "published_at", "library_hash", "based_on"]
    inlines = [SectionInline]
    actions = ["publish", "new_draft"]

    def has_change_permission(self, request, obj=None):
        # The change page of a published version stays viewable (read-only).
        return admin.ModelAdmin.has_change_permission(self, request, obj) and not _is_frozen(obj)

    @admin.display(description="Preview")
    def preview_link(self, obj):
        url = reverse("admin:checklists_checklistversion_preview", args=[obj.pk])
        return format_html('<a href="{}">preview</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview),
                name="checklists_checklistversion_preview",
            ),
            *super().get_urls(),
        ]

    def preview(self, request, pk):
        version = get_object_or_404(ChecklistVersion, pk=pk)
        lang = request.GET.get("lang", version.checklist.language)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {version}",
            "version": version,
            "tree": checklist_tree(version, lang=lang),
            "lang": lang,
        }
        return TemplateResponse(request, "admin/checklists/preview.html", context)

    @admin.action(description="Publish the selected drafts (freezes them)")
    def publish(self, request, queryset):
        for version in queryset:
            try:
                checklist_version_publish(version=version)
            except (Conflict, ValidationError) as problem:
                self.message_user(request, f"{version}: {problem}", messages.ERROR)
            else:
                self.message_user(request, f"Published {version}.", messages.SUCCESS)

    @admin.action(description="Start a new draft from the selected versions")
    def new_draft(self, request, queryset):
        for version in queryset:
            draft = checklist_version_new_draft(source=version)
            self.message_user(request, f"Created {draft}.", messages.SUCCESS)


@admin.register(Section)
class SectionAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["code", "title_en", "version", "position", "weight"]
    list_filter = ["version__checklist"]

    class ItemInline(FrozenInlineMixin, admin.StackedInline):
        model = Item
        extra = 0
        ordering = ["position"]
        exclude = ["version"]

    inlines = [ItemInline]

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):
            item.version = form.instance.version
            item.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Item)
class ItemAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "text_en",
        "answer_type",
        "critical",
        "rater",
        "area",
        "factor",
        "version",
    ]
    list_filter = ["answer_type", "rater", "area", "critical", "version__checklist"]
    search_fields = ["code", "text_zh", "text_en"]
