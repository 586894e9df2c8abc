"""Read-only catalogue API: modules, their lessons, and quizzes without answers.

Thin: visibility and language are decided by ``content_cms.selectors``; anonymous
callers see the parents' modules only.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import BoundedLimitOffsetPagination
from content_cms import selectors
from content_cms.models import AgeBand, Audience, ModulePage, Topic


class AgeBandOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="localized_name")
    min_grade = serializers.IntegerField(allow_null=True)
    max_grade = serializers.IntegerField(allow_null=True)
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)


class TopicOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="localized_name")


class ModuleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    translation_key = serializers.UUIDField()
    key = serializers.CharField(source="curriculum_key")
    language = serializers.CharField(source="locale.language_code")
    title = serializers.CharField()
    summary = serializers.CharField()
    audience = serializers.ChoiceField(choices=Audience.choices)
    age_bands = AgeBandOutputSerializer(many=True, source="age_bands.all")
    topic = TopicOutputSerializer(allow_null=True)
    estimated_minutes = serializers.IntegerField()
    url = serializers.CharField(source="get_url")


class LessonBlockSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField(
        help_text="text, image, video, scenario, tip, trusted_adult, discussion, "
        "worksheet"
    )
    value = serializers.JSONField(help_text="The block's data; its shape follows type.")


class LessonSectionSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    blocks = LessonBlockSerializer(many=True)


class PublicChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class PublicQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    scenario = serializers.CharField(allow_blank=True)
    prompt = serializers.CharField()
    difficulty = serializers.IntegerField()
    topic_code = serializers.CharField(allow_blank=True)
    choices = PublicChoiceSerializer(many=True)


class PublicQuizSerializer(serializers.Serializer):
    """A published quiz version as a learner's device may see it: no answers."""

    version_id = serializers.IntegerField()
    version = serializers.IntegerField()
    quiz_id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    locale = serializers.CharField(allow_null=True)
    mode = serializers.CharField()
    pass_mark_percent = serializers.IntegerField()
    attempts_allowed = serializers.IntegerField()
    question_count = serializers.IntegerField()
    questions = PublicQuestionSerializer(many=True)


class ModuleDetailOutputSerializer(ModuleOutputSerializer):
    learning_objectives = serializers.ListField(
        child=serializers.CharField(), source="objectives"
    )
    frameworks = serializers.ListField(child=serializers.CharField())
    lessons = LessonSectionSerializer(many=True, source="lessons_public")
    quiz = PublicQuizSerializer(allow_null=True, source="quiz_public")


# Blocks a teacher reads from, never shown to pupils.
TEACHER_ONLY_BLOCKS = {"teacher_script"}


def lessons_represent(module: ModulePage, *, for_pupil: bool) -> list[dict]:
    """Return the module's lesson sections as plain data for the API.

    A pupil gets neither the teacher's script nor a discussion's notes for the
    teacher, as on the pages (``hide_teacher_notes``).
    """
    sections = []
    for section in module.lessons:
        blocks = []
        for child in section.value["content"]:
            if for_pupil and child.block_type in TEACHER_ONLY_BLOCKS:
                continue
            value = child.block.get_api_representation(child.value)
            if for_pupil and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k != "teacher_notes"}
            blocks.append({"id": child.id, "type": child.block_type, "value": value})
        sections.append(
            {"id": section.id, "title": section.value["title"], "blocks": blocks}
        )
    return sections


class AgeBandListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=AgeBandOutputSerializer(many=True), tags=["catalogue"])
    def get(self, request):
        bands = AgeBand.objects.order_by("sort_order")
        return Response(AgeBandOutputSerializer(bands, many=True).data)


class TopicListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=TopicOutputSerializer(many=True), tags=["catalogue"])
    def get(self, request):
        topics = Topic.objects.order_by("sort_order")
        return Response(TopicOutputSerializer(topics, many=True).data)


class ModuleListApi(APIView):
    """List the modules the caller may open, in the caller's language."""

    permission_classes = [AllowAny]

    class Pagination(BoundedLimitOffsetPagination):
        default_limit = 50
        max_limit = 200

    # Also tells the schema that the list is paginated ({"count", "results"...}).
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        # CharField refuses NUL characters, which PostgreSQL cannot store or compare.
        audience = serializers.ChoiceField(
            choices=[a.value for a in Audience], required=False, allow_blank=True
        )
        age_band = serializers.CharField(required=False, allow_blank=True)
        topic = serializers.CharField(required=False, allow_blank=True)
        q = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("age_band", str, description="Age band code, e.g. g1-2"),
            OpenApiParameter("topic", str, description="Topic code, e.g. privacy"),
            OpenApiParameter(
                "audience",
                str,
                enum=["", *(a.value for a in Audience)],
                description="Who the modules are for; empty: everyone",
            ),
            OpenApiParameter("q", str, description="Words to search for"),
        ],
        responses=ModuleOutputSerializer(many=True),
        tags=["catalogue"],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        modules = selectors.module_list(
            user=request.user,
            audience=given.get("audience") or None,
            age_band_code=given.get("age_band") or "",
            topic_code=given.get("topic") or "",
            query=(given.get("q") or "")[:200],
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(modules, request, view=self)
        data = ModuleOutputSerializer(page, many=True).data
        return paginator.get_paginated_response(data)


class ModuleDetailApi(APIView):
    """One module with its lessons and its quiz (questions without answers)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ModuleDetailOutputSerializer, tags=["catalogue"])
    def get(self, request, module_id: int):
        module = selectors.module_for_user(user=request.user, module_id=module_id)
        if module is None:
            raise Http404
        module.frameworks = [s.reference for s in module.framework_strands.all()]
        module.lessons_public = lessons_represent(
            module, for_pupil=selectors.module_access_rule(request.user) is not None
        )
        module.quiz_public = selectors.module_quiz_summary(module=module)
        data = ModuleDetailOutputSerializer(module).data
        return Response(data)
