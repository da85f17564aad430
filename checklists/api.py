"""Checklist API: what the phone app downloads, and head office's edits."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import ConfiguresOrReadOnly
from backend.etag import conditional_response
from backend.schema import ERRORS
from checklists.languages import language_for, pick
from checklists.models import Channel, Item
from checklists.scoring import ANSWER_TYPES
from checklists.selectors import checklist_tree, checklist_versions_for
from checklists.services import (
    checklist_item_update,
    checklist_version_new_draft,
    checklist_version_publish,
    checklist_version_update,
)

LANG_PARAMETERS = [
    OpenApiParameter("lang", str, enum=["zh-Hans", "en"], description="Overrides Accept-Language."),
    OpenApiParameter("Accept-Language", str, OpenApiParameter.HEADER, required=False),
]


CHANNEL_HELP = (
    "Where the shop happens: `branch` (in the branch), `phone` (a mystery call) or `written` "
    "(letter, e-mail or web form). Only branch visits ask for the phone's location."
)


class VersionSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    checklist = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices, help_text=CHANNEL_HELP)
    version = serializers.IntegerField()
    status = serializers.CharField()
    title = serializers.CharField()
    item_count = serializers.IntegerField()
    expected_score = serializers.DecimalField(max_digits=4, decimal_places=1)
    tolerance = serializers.DecimalField(max_digits=4, decimal_places=1)
    published_at = serializers.DateTimeField(allow_null=True)


class TagsOutput(serializers.Serializer):
    rater = serializers.CharField(allow_null=True)
    area = serializers.CharField(allow_null=True)
    factor = serializers.IntegerField(allow_null=True)
    bpmp = serializers.CharField(allow_null=True)


class OptionOutput(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    score = serializers.CharField(
        allow_null=True, help_text="null: the choice is recorded, not scored."
    )


class ItemOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Send this back as `question` in a visit's answers.")
    text = serializers.CharField()
    help = serializers.CharField()
    good_practice = serializers.CharField()
    answer_type = serializers.ChoiceField(
        choices=list(ANSWER_TYPES),
        help_text="`datetime`: a local date and time, `YYYY-MM-DDTHH:MM` (seconds optional).",
    )
    weight = serializers.CharField()
    critical = serializers.BooleanField()
    required = serializers.BooleanField()
    allow_na = serializers.BooleanField()
    photo_required = serializers.BooleanField()
    comment_on_failure = serializers.BooleanField()
    unit = serializers.CharField()
    tags = TagsOutput()
    thresholds = serializers.ListField(child=serializers.DictField())
    options = OptionOutput(many=True)


class SectionOutput(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    weight = serializers.CharField()
    items = ItemOutput(many=True)


class ScaleLevelOutput(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()


class ChecklistTreeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    checklist = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices, help_text=CHANNEL_HELP)
    version = serializers.IntegerField()
    status = serializers.CharField()
    language = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    expected_score = serializers.CharField()
    tolerance = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    scales = serializers.DictField(child=ScaleLevelOutput(many=True))
    sections = SectionOutput(many=True)


class ChecklistListApi(APIView):
    permission_classes = [ConfiguresOrReadOnly]

    @extend_schema(
        summary="Checklist versions the caller may use",
        parameters=LANG_PARAMETERS,
        responses={200: VersionSummaryOutput(many=True), **ERRORS(401)},
    )
    def get(self, request):
        rows = []
        for version in checklist_versions_for(request.user):
            lang = language_for(request, fallback=version.checklist.language)
            rows.append(
                {
                    "id": version.id,
                    "checklist": version.checklist.code,
                    "channel": version.checklist.channel,
                    "version": version.number,
                    "status": version.status,
                    "title": pick(lang, version.checklist.title_zh, version.checklist.title_en),
                    "item_count": version.item_count,
                    "expected_score": version.expected_score,
                    "tolerance": version.tolerance,
                    "published_at": version.published_at,
                }
            )
        return Response(VersionSummaryOutput(rows, many=True).data)


class ChecklistDetailApi(APIView):
    permission_classes = [ConfiguresOrReadOnly]

    class UpdateInput(serializers.Serializer):
        expected_score = serializers.DecimalField(
            max_digits=4, decimal_places=1, min_value=0, max_value=100, required=False
        )
        tolerance = serializers.DecimalField(
            max_digits=4, decimal_places=1, min_value=0, max_value=50, required=False
        )
        notes = serializers.CharField(required=False, allow_blank=True)

    def _version(self, request, pk):
        return get_object_or_404(checklist_versions_for(request.user), pk=pk)

    @extend_schema(
        summary="One checklist version, the whole tree",
        description=(
            "Texts come in the language chosen by `?lang=` or `Accept-Language`, falling back to "
            "the checklist's own language. Send the ETag back in `If-None-Match` to get 304 "
            "when nothing changed."
        ),
        parameters=[
            *LANG_PARAMETERS,
            OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False),
        ],
        responses={
            200: ChecklistTreeOutput,
            304: OpenApiResponse(description="Not modified."),
            **ERRORS(401, 404),
        },
    )
    def get(self, request, pk: int):
        version = self._version(request, pk)
        lang = language_for(request, fallback=version.checklist.language)
        tree = checklist_tree(version, lang=lang)
        return conditional_response(request, tree, headers={"Content-Language": lang})

    @extend_schema(
        summary="Change a draft version's standard (head office)",
        request=UpdateInput,
        responses={200: ChecklistTreeOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def patch(self, request, pk: int):
        version = self._version(request, pk)
        data = self.UpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = checklist_version_update(version=version, fields=data.validated_data)
        lang = language_for(request, fallback=version.checklist.language)
        return Response(checklist_tree(version, lang=lang))


class ChecklistPublishApi(APIView):
    permission_classes = [ConfiguresOrReadOnly]

    @extend_schema(
        summary="Publish a draft version; it is frozen from then on",
        description=(
            "409 `version_published` for a published version; 409 `draft_outdated` (naming "
            "`version`) for a draft older than the checklist's newest version."
        ),
        request=None,
        responses={200: ChecklistTreeOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        version = get_object_or_404(checklist_versions_for(request.user), pk=pk)
        version = checklist_version_publish(version=version)
        lang = language_for(request, fallback=version.checklist.language)
        return Response(checklist_tree(version, lang=lang))


class ChecklistNewDraftApi(APIView):
    permission_classes = [ConfiguresOrReadOnly]

    @extend_schema(
        summary="Start a new draft copied from this version",
        description=(
            "A checklist has one draft at a time: 409 `draft_exists` (naming `checklist`, with "
            "the existing draft's id) while one is open."
        ),
        request=None,
        responses={201: ChecklistTreeOutput, **ERRORS(401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        source = get_object_or_404(checklist_versions_for(request.user), pk=pk)
        draft = checklist_version_new_draft(source=source)
        lang = language_for(request, fallback=draft.checklist.language)
        return Response(checklist_tree(draft, lang=lang), status=status.HTTP_201_CREATED)


class ChecklistItemApi(APIView):
    permission_classes = [ConfiguresOrReadOnly]

    class Input(serializers.Serializer):
        text_zh = serializers.CharField(required=False, max_length=300)
        text_en = serializers.CharField(required=False, max_length=300)
        help_zh = serializers.CharField(required=False, allow_blank=True)
        help_en = serializers.CharField(required=False, allow_blank=True)
        weight = serializers.DecimalField(
            max_digits=6, decimal_places=2, min_value=0, required=False
        )
        critical = serializers.BooleanField(required=False)
        required = serializers.BooleanField(required=False)
        allow_na = serializers.BooleanField(required=False)
        photo_required = serializers.BooleanField(required=False)
        comment_on_failure = serializers.BooleanField(required=False)
        position = serializers.IntegerField(required=False, min_value=0)

    @extend_schema(
        summary="Change one item of a draft version (head office)",
        request=Input,
        responses={200: ItemOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def patch(self, request, pk: int, code: str):
        version = get_object_or_404(checklist_versions_for(request.user), pk=pk)
        item = get_object_or_404(Item, version=version, code=code)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        checklist_item_update(item=item, fields=data.validated_data)
        lang = language_for(request, fallback=version.checklist.language)
        tree = checklist_tree(version, lang=lang)
        return Response(next(i for s in tree["sections"] for i in s["items"] if i["code"] == code))
