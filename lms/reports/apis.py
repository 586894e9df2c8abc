"""REST API of the programme reports, for the ministry's systems: same figures.

Scoped like the pages: a unit the caller may not report on, or a school they
may not see, is a 404. ``period`` defaults to the period holding today.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import NotFound
from lms.reports import periods as report_periods
from lms.reports import selectors as report_selectors
from lms.reports.dashboards.school import school_dashboard, school_report_data
from lms.reports.dashboards.unit import unit_dashboard, unit_report_data
from lms.reports.rules import ProgrammeStatus

PERIOD_PARAMETER = OpenApiParameter(
    "period",
    OpenApiTypes.INT,
    description="Reporting period id (default: the period holding today).",
)
STATUS_CHOICES = [
    ProgrammeStatus.MET,
    ProgrammeStatus.IN_PROGRESS,
    ProgrammeStatus.NOT_STARTED,
]


class PeriodRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RequiredTopicSerializer(serializers.Serializer):
    band = serializers.CharField(help_text="Age band code.")
    topic = serializers.CharField(help_text="Topic code.")
    min_pupil_share = serializers.CharField()


class RuleSerializer(serializers.Serializer):
    min_class_share = serializers.CharField()
    min_pupil_share = serializers.CharField()
    grade_from = serializers.IntegerField()
    grade_to = serializers.IntegerField()
    school_type = serializers.CharField(allow_blank=True)
    default = serializers.BooleanField()
    topics = RequiredTopicSerializer(
        many=True,
        required=False,
        help_text="Topics each class must cover, per age band (absent: none).",
    )


class TopicCoverageSerializer(serializers.Serializer):
    band = serializers.CharField(help_text="Age band code.")
    topic = serializers.CharField(help_text="Topic code.")
    required = serializers.IntegerField(help_text="Classes that must cover it.")
    covered = serializers.IntegerField(help_text="Classes that covered it.")


class HelpMeasuresSerializer(serializers.Serializer):
    """Target 2: what was done with the help requests received in the period."""

    requests = serializers.IntegerField()
    serious = serializers.IntegerField()
    due = serializers.IntegerField(
        help_text="Acknowledged, or past their acknowledgement deadline."
    )
    acknowledged_in_time = serializers.IntegerField()
    share_acknowledged_in_time = serializers.CharField(
        allow_null=True, help_text="Percentage of the due ones, one decimal."
    )
    with_first_action = serializers.IntegerField()
    median_seconds_to_first_action = serializers.IntegerField(allow_null=True)
    referred = serializers.IntegerField()
    referred_to_commune = serializers.IntegerField()
    closed_with_outcome = serializers.IntegerField()
    open_past_deadline = serializers.IntegerField(
        help_text="Not closed and not acknowledged after the deadline."
    )


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    schools = serializers.IntegerField()
    schools_met = serializers.IntegerField()
    care_facilities = serializers.IntegerField()
    care_facilities_met = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_started = serializers.IntegerField()
    pupils = serializers.IntegerField()
    pupils_completed = serializers.IntegerField()
    topic_classes = serializers.IntegerField(
        help_text="Classes under a rule of required topics."
    )
    topic_classes_covered = serializers.IntegerField(
        help_text="Of those, classes that covered every topic of their band."
    )
    sessions = serializers.IntegerField(help_text="Teaching sessions held.")
    staff_trained = serializers.IntegerField()
    parent_meetings = serializers.IntegerField()
    parents = serializers.IntegerField()
    help = HelpMeasuresSerializer()


class SchoolFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    school_type = serializers.CharField()
    unit = serializers.CharField()
    classes = serializers.IntegerField()
    classes_assigned = serializers.IntegerField()
    pupils = serializers.IntegerField()
    pupils_completed = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    classes_covered = serializers.IntegerField(
        help_text="Classes that covered every required topic of their band."
    )
    topics_required = serializers.IntegerField(
        help_text="(Class, topic) pairs the rule requires."
    )
    topics_covered = serializers.IntegerField()
    sessions = serializers.IntegerField(help_text="Teaching sessions held.")
    staff_trained = serializers.IntegerField()
    parent_meetings = serializers.IntegerField()
    parents = serializers.IntegerField()
    topics = TopicCoverageSerializer(many=True)
    help = HelpMeasuresSerializer()


def _period(request):
    period = report_periods.period_get(period_id=request.query_params.get("period"))
    if period is None:
        raise NotFound(_("There is no such reporting period."))
    return period


class UnitReportApi(APIView):
    """The programme figures of an administrative unit I report on, in a period."""

    class OutputSerializer(serializers.Serializer):
        class UnitRefSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()
            code = serializers.CharField()

        period = PeriodRefSerializer()
        unit = UnitRefSerializer()
        rules = RuleSerializer(many=True)
        total = GroupSerializer()
        units = GroupSerializer(many=True)
        school_types = GroupSerializer(many=True)
        schools = SchoolFiguresSerializer(many=True)
        topics = TopicCoverageSerializer(
            many=True, help_text="Required topics over the unit's classes."
        )

    @extend_schema(parameters=[PERIOD_PARAMETER], responses=OutputSerializer)
    def get(self, request, unit_id: int):
        unit = report_selectors.unit_for_reports(user=request.user, unit_id=unit_id)
        if unit is None:
            raise NotFound(_("There is no such unit."))
        dashboard = unit_dashboard(
            user=request.user, unit=unit, period=_period(request), trend=False
        )
        return Response(self.OutputSerializer(unit_report_data(dashboard)).data)


class SchoolReportApi(APIView):
    """A school's programme status and class figures in a period (counts only)."""

    class OutputSerializer(serializers.Serializer):
        class SchoolRefSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()

        class ClassFiguresSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()
            grade = serializers.IntegerField()
            pupils = serializers.IntegerField()
            modules_assigned = serializers.IntegerField()
            completions = serializers.IntegerField()

        school = SchoolRefSerializer()
        period = PeriodRefSerializer()
        rule = RuleSerializer()
        rule_text = serializers.CharField()
        status = serializers.ChoiceField(choices=STATUS_CHOICES)
        reason = serializers.CharField()
        classes = serializers.IntegerField()
        classes_assigned = serializers.IntegerField()
        pupils = serializers.IntegerField()
        pupils_completed = serializers.IntegerField()
        classes_covered = serializers.IntegerField()
        sessions = serializers.IntegerField()
        pupils_reached = serializers.IntegerField(
            help_text="Present at a teaching session or completed a module."
        )
        staff_trained = serializers.IntegerField()
        parent_meetings = serializers.IntegerField()
        parents = serializers.IntegerField()
        parents_trained = serializers.IntegerField(
            help_text="Parents of the school's pupils who completed a parents' module."
        )
        missing = serializers.ListField(
            child=serializers.CharField(),
            help_text="What each class has not covered yet, in words.",
        )
        help = HelpMeasuresSerializer()
        class_rows = ClassFiguresSerializer(many=True)

    @extend_schema(parameters=[PERIOD_PARAMETER], responses=OutputSerializer)
    def get(self, request, school_id: int):
        school = report_selectors.school_for_reports(
            user=request.user, school_id=school_id
        )
        if school is None:
            raise NotFound(_("There is no such school."))
        dashboard = school_dashboard(
            user=request.user, school=school, period=_period(request)
        )
        return Response(self.OutputSerializer(school_report_data(dashboard)).data)
