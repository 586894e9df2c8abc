"""REST API of the school layer: thin views over the scoping selectors."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.models import School, SchoolClass
from lms.people import selectors


class MeApi(APIView):
    """Who am I: display name, language and roles."""

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        display_name = serializers.CharField()
        preferred_language = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "display_name": user.name,
            "preferred_language": user.preferred_language,
            "roles": sorted(selectors.user_roles(user)),
        }
        return Response(self.OutputSerializer(data).data)


class ClassOutputSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.name")
    school_year = serializers.CharField(source="school_year.name")
    pupil_count = serializers.IntegerField()

    class Meta:
        model = SchoolClass
        fields = ["id", "name", "grade", "school", "school_year", "pupil_count"]


def _classes_with_counts(user):
    return (
        selectors.classes_visible_to(user)
        .select_related("school", "school_year")
        .annotate(
            pupil_count=Count("enrolments", filter=Q(enrolments__left_on__isnull=True))
        )
        .order_by("school__name", "grade", "name")
    )


class ClassListApi(APIView):
    """Classes the user may see."""

    @extend_schema(responses=ClassOutputSerializer(many=True))
    def get(self, request):
        classes = _classes_with_counts(request.user)
        return Response(ClassOutputSerializer(classes, many=True).data)


class ClassDetailApi(APIView):
    """One class the user may see; any other class is a 404."""

    @extend_schema(responses=ClassOutputSerializer)
    def get(self, request, class_id: int):
        school_class = get_object_or_404(
            _classes_with_counts(request.user), pk=class_id
        )
        return Response(ClassOutputSerializer(school_class).data)


class SchoolOutputSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name")

    class Meta:
        model = School
        fields = ["id", "code", "name", "school_type", "unit"]


class SchoolListApi(APIView):
    """Schools the user may see."""

    @extend_schema(responses=SchoolOutputSerializer(many=True))
    def get(self, request):
        schools = selectors.schools_visible_to(request.user).select_related("unit")
        return Response(SchoolOutputSerializer(schools, many=True).data)
