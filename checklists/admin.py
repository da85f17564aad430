"""Head office builds and edits draft checklists here.

Published versions are read-only: the admin refuses changes and offers
"new draft from this version" instead. Publishing and copying go through
checklists.services, the one home of those writes.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from backend.errors import Conflict
from checklists.admin_forms import ItemAdminForm, OptionRowsField, ThresholdRowsField
from checklists.models import Checklist, ChecklistVersion, Item, Section
from checklists.selectors import checklist_tree
from checklists.services import checklist_version_new_draft, checklist_version_publish


def _problem_text(problem: Conflict | ValidationError) -> str:
    if isinstance(problem, Conflict):
        return problem.message
    if hasattr(problem, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages_)}" for field, messages_ in problem.message_dict.items()
        )
    return " ".join(problem.messages)


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


def _section_items(section: Section) -> str:
    """Links to the section's items, in order, and to the section page that edits them."""
    if section.pk is None:
        return "Save the version to add items to this section."
    items = sorted(section.items.all(), key=lambda item: (item.position, item.pk))
    links = format_html_join(
        " · ",
        '<a href="{}">{}</a>',
        ((reverse("admin:checklists_item_change", args=[item.pk]), item.code) for item in items),
    )
    section_url = reverse("admin:checklists_section_change", args=[section.pk])
    verb = "view" if section.version.is_published else "edit and reorder"
    return format_html(
        '{} <br><a href="{}"><strong>{} {} item{} →</strong></a>',
        links,
        section_url,
        verb,
        len(items),
        "" if len(items) == 1 else "s",
    )


class SectionInline(FrozenInlineMixin, admin.TabularInline):
    """A version's sections, reordered by position, each linking to the page of its items."""

    model = Section
    extra = 0
    fields = ["position", "code", "title_zh", "title_en", "weight", "items"]
    readonly_fields = ["items"]
    ordering = ["position", "id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version").prefetch_related("items")

    @admin.display(description="Items")
    def items(self, section: Section) -> str:
        return _section_items(section)


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["code", "title_zh", "title_en", "channel", "language"]
    list_filter = ["channel"]
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
        for version in queryset.order_by("checklist__code", "number"):
            try:
                checklist_version_publish(version=version)
            except (Conflict, ValidationError) as problem:
                self.message_user(request, f"{version}: {_problem_text(problem)}", messages.ERROR)
            else:
                self.message_user(request, f"Published {version}.", messages.SUCCESS)

    @admin.action(description="Start a new draft from the selected versions")
    def new_draft(self, request, queryset):
        for version in queryset.order_by("checklist__code", "number"):
            try:
                draft = checklist_version_new_draft(source=version)
            except Conflict as problem:
                # The one-draft rule: say which draft to finish instead.
                self.message_user(request, f"{version}: {problem.message}", messages.ERROR)
            else:
                self.message_user(request, f"Created {draft}.", messages.SUCCESS)


class ItemInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Refuse an item code already used in the version, naming the row.

        The form leaves `version` out (it follows the section), so Django's own
        unique check on (version, code) would be skipped and a clash would only
        surface as a database error.
        """
        super().clean()
        section = self.instance
        taken = set(
            Item.objects.filter(version_id=section.version_id)
            .exclude(section=section)
            .values_list("code", flat=True)
        )
        for number, form in enumerate(self.forms, start=1):
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            code = form.cleaned_data.get("code")
            if code and code in taken:
                form.add_error(
                    "code", f"Row {number}: item {code!r} already exists in this version."
                )
            elif code:
                taken.add(code)


class ItemInline(FrozenInlineMixin, admin.TabularInline):
    """A section's items in order: reorder by position here, open an item for the rest."""

    model = Item
    formset = ItemInlineFormSet
    extra = 0
    fields = ["position", "code", "text_zh", "text_en", "answer_type", "weight", "critical"]
    ordering = ["position", "id"]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["code", "title_en", "version", "position", "weight"]
    list_filter = ["version__checklist"]
    inlines = [ItemInline]

    def get_readonly_fields(self, request, obj=None):
        # A section stays in the version it was made in; items are added from here.
        return ["version"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = ChecklistVersion.objects.filter(
                status=ChecklistVersion.Status.DRAFT
            ).select_related("checklist")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):
            item.version = form.instance.version
            item.save()
        for obj in formset.deleted_objects:
            obj.delete()


def _rows_table(headings: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "—"
    return format_html(
        "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
        format_html_join("", "<th>{}</th>", ((h,) for h in headings)),
        format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
        ),
    )


@admin.register(Item)
class ItemAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    form = ItemAdminForm
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

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "version"]
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only: the rows as tables rather than the stored JSON.
            swap = {"thresholds": "threshold_rows", "options": "option_rows"}
            fields = ["version", *(swap.get(name, name) for name in fields)]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(
                version__status=ChecklistVersion.Status.DRAFT
            ).select_related("version__checklist")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Thresholds")
    def threshold_rows(self, item: Item) -> str:
        field = ThresholdRowsField()
        rows = field.prepare_value(item.thresholds)
        return _rows_table(
            [heading for _, heading in field.columns],
            [[row[key] or "—" for key, _ in field.columns] for row in rows],
        )

    @admin.display(description="Options")
    def option_rows(self, item: Item) -> str:
        field = OptionRowsField()
        rows = field.prepare_value(item.options)
        return _rows_table(
            [heading for _, heading in field.columns],
            [[row[key] or "—" for key, _ in field.columns] for row in rows],
        )
