"""REST API of the learning loop: thin views over learning selectors and services.

Every object is found through a scoping selector; anything else is a 404 (a
foreign id says nothing about what exists). Rule violations are ``LmsError``,
which ``common.errors.api_exception_handler`` turns into a 400 with a message.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import NotFound
from common.pagination import BoundedLimitOffsetPagination
from common.serializers import StrictInputSerializer
from lms.errors import LmsError
from lms.learning import catalogue, offline
from lms.learning import selectors as learning_selectors
from lms.learning import services as learning_services
from lms.learning.teaching import selectors as teaching_selectors
from lms.learning.teaching import services as teaching
from lms.models import ProgressStatus


class ModuleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="source_id")
    title = serializers.CharField()


class MyAssignmentListApi(APIView):
    """The modules given to me, soonest due first, with where I am in each."""

    class OutputSerializer(serializers.Serializer):
        assignment_id = serializers.IntegerField()
        module_id = serializers.IntegerField(source="source_id")
        title = serializers.CharField(source="module.title")
        opens_on = serializers.DateField()
        due_on = serializers.DateField(allow_null=True)
        status = serializers.ChoiceField(choices=ProgressStatus.choices)
        state = serializers.ChoiceField(choices=["overdue", "due_soon", "todo", "done"])
        best_percent = serializers.DecimalField(
            max_digits=4, decimal_places=1, allow_null=True
        )

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        items = learning_selectors.my_assignments(pupil=request.user)
        return Response(self.OutputSerializer(items, many=True).data)


class ProgressOutputSerializer(serializers.Serializer):
    module_id = serializers.IntegerField()
    title = serializers.CharField(source="module_localized.title", default="")
    status = serializers.ChoiceField(choices=ProgressStatus.choices)
    current_section = serializers.IntegerField()
    sections_completed = serializers.ListField(child=serializers.IntegerField())
    time_spent_seconds = serializers.IntegerField()
    best_percent = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True
    )
    attempts_count = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    passed_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)


class MyProgressListApi(APIView):
    """My progress in every module I opened, latest first."""

    @extend_schema(responses=ProgressOutputSerializer(many=True))
    def get(self, request):
        rows = learning_selectors.my_progress(user=request.user)
        return Response(ProgressOutputSerializer(rows, many=True).data)


class MyProgressSectionApi(APIView):
    """Record that I read one section of a module (an app's own player)."""

    class InputSerializer(StrictInputSerializer):
        seconds = serializers.IntegerField(
            min_value=0,
            default=0,
            help_text="Reading time; capped by the server at 15 minutes.",
        )

    @extend_schema(request=InputSerializer, responses={200: ProgressOutputSerializer})
    def post(self, request, module_id: int, index: int):
        module = learning_selectors.module_source_for(
            user=request.user, module_id=module_id
        )
        if module is None:
            raise NotFound(_("There is no such module."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        progress = learning_services.progress_section_complete(
            user=request.user,
            module=module,
            section_index=index,
            seconds=serializer.validated_data["seconds"],
        )
        progress.module_localized = module
        return Response(ProgressOutputSerializer(progress).data)


class OfflineBundleApi(APIView):
    """Prepare my modules for learning without a network (lms/learning/offline.py).

    A POST, since it may start the quiz attempts the phone stores. Personal:
    never kept by a shared cache.
    """

    class OutputSerializer(serializers.Serializer):
        class ModuleSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            title = serializers.CharField()
            version = serializers.CharField()
            pages = serializers.ListField(child=serializers.CharField())

        user = serializers.IntegerField()
        pages = serializers.ListField(child=serializers.CharField())
        modules = ModuleSerializer(many=True)
        routes = serializers.DictField()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request):
        bundle = offline.offline_bundle_prepare(user=request.user)
        response = Response(self.OutputSerializer(bundle).data)
        response["Cache-Control"] = "private, no-store"
        return response


class ProgressCellSerializer(serializers.Serializer):
    module_id = serializers.IntegerField()
    assigned = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ProgressStatus.choices, allow_null=True)
    best_percent = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True
    )


class PupilProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pupil.pk")
    name = serializers.CharField(source="pupil.name")
    modules = ProgressCellSerializer(source="cells", many=True)


class ClassProgressApi(APIView):
    """Each pupil of a class I manage, in each module given to the class."""

    class OutputSerializer(serializers.Serializer):
        class_id = serializers.IntegerField(source="school_class.pk")
        class_name = serializers.CharField(source="school_class.name")
        modules = ModuleRefSerializer(many=True)
        pupils = PupilProgressSerializer(source="rows", many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request, class_id: int):
        school_class = learning_selectors.class_for_progress(
            user=request.user, class_id=class_id
        )
        if school_class is None:
            raise NotFound(_("There is no such class."))
        grid = learning_selectors.class_progress(school_class=school_class)
        return Response(self.OutputSerializer(grid).data)


class ClassAssignmentCreateApi(APIView):
    """Give a module to a class I manage, or to some of its pupils."""

    class InputSerializer(StrictInputSerializer):
        module_id = serializers.IntegerField()
        opens_on = serializers.DateField()
        due_on = serializers.DateField(required=False, allow_null=True)
        pupil_ids = serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            default=list,
            help_text="Empty: the whole class.",
        )

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        class_id = serializers.IntegerField(source="school_class_id")
        module_id = serializers.IntegerField()
        opens_on = serializers.DateField()
        due_on = serializers.DateField(allow_null=True)
        pupil_ids = serializers.SerializerMethodField()
        warnings = serializers.ListField(
            child=serializers.CharField(),
            help_text="Things to check, such as a module written for another age "
            "band than the class's; the module was given all the same.",
        )

        def get_pupil_ids(self, assignment) -> list[int]:
            return sorted(pupil.pk for pupil in assignment.pupils.all())

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, class_id: int):
        school_class = learning_selectors.class_for_assigning(
            user=request.user, class_id=class_id
        )
        if school_class is None:
            raise NotFound(_("There is no such class."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        module = learning_selectors.module_source_for(
            user=request.user, module_id=data["module_id"]
        )
        if module is None:
            raise LmsError(
                _("This module cannot be given to pupils."),
                code="module_not_assignable",
            )
        pupils = learning_selectors.class_pupils_chosen(
            school_class=school_class, pupil_ids=data["pupil_ids"]
        )
        if len(pupils) != len(set(data["pupil_ids"])):
            raise LmsError(
                _("Some of the chosen pupils are not in this class."),
                code="pupil_not_in_class",
            )
        assignment = learning_services.assignment_create(
            actor=request.user,
            school_class=school_class,
            module=module,
            opens_on=data["opens_on"],
            due_on=data.get("due_on"),
            pupils=pupils,
        )
        warning = catalogue.module_band_warning(
            module=module, school_class=school_class
        )
        assignment.warnings = [warning] if warning else []
        return Response(
            self.OutputSerializer(assignment).data, status=status.HTTP_201_CREATED
        )


class AttendanceSerializer(serializers.Serializer):
    pupil_id = serializers.IntegerField()
    present = serializers.BooleanField()


class TeachingSessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    class_id = serializers.IntegerField(source="school_class_id")
    module_id = serializers.IntegerField()
    module_title = serializers.CharField(source="module_localized.title")
    taught_on = serializers.DateField()
    duration_minutes = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    live_session_id = serializers.IntegerField(allow_null=True)
    attendance = AttendanceSerializer(many=True, source="attendance.all")
    present_count = serializers.IntegerField()
    pupils_count = serializers.IntegerField()
    band_fits = serializers.BooleanField(
        help_text="Whether the module is written for the class's age band."
    )
    recorded_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ClassTeachingSessionListApi(APIView):
    """The lessons taught to a class I teach, newest first; record one.

    Everyone on the roster is present unless named in ``absent_pupil_ids``.
    With ``live_session_id`` (my live game of the module's quiz, ended that
    day) and no list, the pupils who played it with their account are present.
    """

    class Pagination(BoundedLimitOffsetPagination):
        default_limit = 50
        max_limit = 200

    pagination_class = Pagination

    class InputSerializer(StrictInputSerializer):
        module_id = serializers.IntegerField()
        taught_on = serializers.DateField()
        duration_minutes = serializers.IntegerField(help_text="From 5 to 240 minutes.")
        note = serializers.CharField(required=False, allow_blank=True, default="")
        absent_pupil_ids = serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            allow_null=True,
            default=None,
            max_length=500,
            help_text="Pupils of the class who were absent; the others were there.",
        )
        live_session_id = serializers.IntegerField(required=False, allow_null=True)

    class CreatedSerializer(TeachingSessionOutputSerializer):
        warnings = serializers.ListField(
            child=serializers.CharField(),
            help_text="Things to check, such as a module written for another age "
            "band than the class's; the lesson was recorded all the same.",
        )

    def _class(self, request, class_id: int):
        school_class = teaching_selectors.class_for_teaching(
            user=request.user, class_id=class_id
        )
        if school_class is None:
            raise NotFound(_("There is no such class."))
        return school_class

    @extend_schema(responses=TeachingSessionOutputSerializer(many=True))
    def get(self, request, class_id: int):
        school_class = self._class(request, class_id)
        paginator = self.Pagination()
        sessions = teaching_selectors.class_teaching_sessions(
            user=request.user, school_class=school_class, with_attendance=True
        )
        page = paginator.paginate_queryset(sessions, request, view=self)
        data = TeachingSessionOutputSerializer(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=InputSerializer, responses={201: CreatedSerializer})
    def post(self, request, class_id: int):
        school_class = self._class(request, class_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        module = learning_selectors.module_source_for(
            user=request.user, module_id=data["module_id"]
        )
        if module is None:
            raise LmsError(
                _(
                    "This module is not a lesson for pupils: choose one of the "
                    "pupils' modules."
                ),
                code="module_not_for_pupils",
            )
        live_session = None
        if data.get("live_session_id"):
            live_session = teaching_selectors.live_session_of_host(
                user=request.user, live_session_id=data["live_session_id"]
            )
            if live_session is None:
                raise LmsError(
                    _("This live game cannot fill the attendance."),
                    code="live_game_not_usable",
                )
        session = teaching.teaching_session_record(
            actor=request.user,
            school_class=school_class,
            module=module,
            taught_on=data["taught_on"],
            duration_minutes=data["duration_minutes"],
            note=data["note"],
            absent_pupil_ids=data["absent_pupil_ids"],
            live_session=live_session,
        )
        session = teaching_selectors.class_teaching_session(
            user=request.user, school_class=school_class, teaching_id=session.pk
        )
        warning = catalogue.module_band_warning(
            module=module, school_class=school_class
        )
        session.warnings = [warning] if warning else []
        return Response(
            self.CreatedSerializer(session).data, status=status.HTTP_201_CREATED
        )
