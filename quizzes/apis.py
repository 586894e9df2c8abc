"""REST API for taking quizzes: start or resume, answer, submit, review.

Thin: every read goes through ``quizzes.selectors`` (which answers 404 for an
attempt that is not the caller's) and every write through ``quizzes.services``.
Bad input is refused with ``QuizError`` (a 400 with a translated message),
never a 500. Web pages use session authentication (with CSRF), apps a token.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import ErrorOutputSerializer
from common.fields import StrictCharField
from common.pagination import MAX_OFFSET, BoundedLimitOffsetPagination
from common.serializers import StrictInputSerializer
from quizzes import selectors, services
from quizzes.errors import QuizError, QuizNotFound
from quizzes.models import Quiz
from quizzes.review import attempt_review


def _validated(serializer_class, data) -> dict:
    """Return the validated data, or raise ``QuizError`` with the field errors."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise QuizError(
            _("Something is missing or not in the right form. Please try again."),
            code="invalid",
            details=serializer.errors,
        )
    return serializer.validated_data


def _attempt_urls(attempt_id) -> dict:
    return {
        "take_url": reverse("quizzes:attempt_take", args=[attempt_id]),
        "result_url": reverse("quizzes:attempt_result", args=[attempt_id]),
    }


# --- Shared output shapes ----------


class ChoiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuestionOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.ChoiceField(
        choices=[
            "single_choice",
            "multiple_select",
            "true_false",
            "ordering",
            "scenario_choice",
        ]
    )
    prompt = serializers.CharField()
    scenario = serializers.CharField(allow_blank=True)
    difficulty = serializers.IntegerField()
    topic_code = serializers.CharField(allow_blank=True)
    choices = ChoiceOutputSerializer(many=True, help_text="In the order to show.")


class ResultOutputSerializer(serializers.Serializer):
    points = serializers.FloatField()
    max_points = serializers.IntegerField()
    percent = serializers.FloatField()
    passed = serializers.BooleanField()
    pass_mark_percent = serializers.IntegerField()
    time_spent_seconds = serializers.IntegerField()


class AttemptOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    quiz_id = serializers.IntegerField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    locale = serializers.CharField(allow_null=True)
    context_key = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["in_progress", "submitted"])
    mode = serializers.ChoiceField(
        choices=["practice", "check"],
        help_text="practice: feedback after each answer; check: at the end.",
    )
    pass_mark_percent = serializers.IntegerField()
    return_url = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    questions = QuestionOutputSerializer(many=True, help_text="In the order drawn.")
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Question id -> the latest response saved, to restore a device.",
    )
    result = ResultOutputSerializer(allow_null=True)
    take_url = serializers.CharField()
    result_url = serializers.CharField()


def _attempt_output(attempt) -> dict:
    state = selectors.attempt_state(attempt=attempt)
    state.update(_attempt_urls(attempt.pk))
    return AttemptOutputSerializer(state).data


ATTEMPT_ID = OpenApiParameter(
    "attempt_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Attempt id"
)
ERRORS = {
    400: OpenApiResponse(ErrorOutputSerializer, description="Refused, with a reason"),
    404: OpenApiResponse(ErrorOutputSerializer, description="No such attempt"),
}


# --- Endpoints ----------


class AttemptStartApi(APIView):
    """Start an attempt of a quiz, or resume the one in progress (any device).

    201 with a new attempt; 200 with the attempt already in progress for the
    same quiz and context, answers included so the device restores its state.
    """

    @extend_schema_serializer(component_name="AttemptStartInput")
    class InputSerializer(StrictInputSerializer):
        quiz_id = serializers.IntegerField(min_value=1)
        context_key = StrictCharField(
            max_length=80, required=False, allow_blank=True, default=""
        )
        return_url = StrictCharField(
            max_length=500,
            required=False,
            allow_blank=True,
            default="",
            help_text="A path on this site to go back to after the quiz.",
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            201: AttemptOutputSerializer,
            200: AttemptOutputSerializer,
            403: OpenApiResponse(ErrorOutputSerializer),
            **ERRORS,
        },
    )
    def post(self, request):
        data = _validated(self.InputSerializer, request.data)
        quiz = Quiz.objects.filter(pk=data["quiz_id"]).first()
        if quiz is None:
            raise QuizNotFound(_("This quiz was not found."))
        attempt, created = services.attempt_start_or_resume(
            user=request.user,
            quiz=quiz,
            context_key=data["context_key"],
            return_url=data["return_url"],
        )
        return Response(
            _attempt_output(attempt),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttemptDetailApi(APIView):
    """One of the caller's attempts: questions, saved answers, result if done."""

    @extend_schema(
        parameters=[ATTEMPT_ID], responses={200: AttemptOutputSerializer, **ERRORS}
    )
    def get(self, request, attempt_id: str):
        attempt = selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
        return Response(_attempt_output(attempt))


class ChoiceFeedbackOutputSerializer(serializers.Serializer):
    choice_id = serializers.IntegerField()
    text = serializers.CharField()


class PracticeFeedbackOutputSerializer(serializers.Serializer):
    is_correct = serializers.BooleanField()
    credit = serializers.FloatField()
    feedback = ChoiceFeedbackOutputSerializer(many=True)
    explanation = serializers.CharField(allow_blank=True)


# A choice or item id as the question gives it (text or a number).
_ANSWER_ID = {"oneOf": [{"type": "string", "maxLength": 64}, {"type": "integer"}]}


@extend_schema_field(
    {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "choice_ids": {"type": "array", "items": _ANSWER_ID},
                },
                "required": ["choice_ids"],
            },
            {
                "type": "object",
                "properties": {"order": {"type": "array", "items": _ANSWER_ID}},
                "required": ["order"],
            },
        ]
    }
)
class AnswerResponseField(serializers.JSONField):
    """An answer's response, in one of the shapes of docs/scoring.md (the
    schema shows them, so its text ids carry the no-NUL rule like every text)."""


class AttemptAnswerApi(APIView):
    """Save one answer at once; a repeat of the same ``client_id`` is a no-op.

    201 the first time, 200 for a repeat (with the stored answer). Changing an
    answer means sending a new ``client_id``; the latest one counts. Practice
    quizzes return feedback; check quizzes only say it was saved.
    """

    @extend_schema_serializer(component_name="AttemptAnswerInput")
    class InputSerializer(StrictInputSerializer):
        client_id = serializers.UUIDField(
            help_text="Made by the device for this answer; repeats are harmless."
        )
        question_id = StrictCharField(min_length=1, max_length=40)
        response = AnswerResponseField(
            help_text='{"choice_ids": [id, ...]} or, for ordering, {"order": [...]}'
        )

    @extend_schema_serializer(component_name="AttemptAnswerOutput")
    class OutputSerializer(serializers.Serializer):
        saved = serializers.BooleanField()
        created = serializers.BooleanField(help_text="False for a repeat.")
        client_id = serializers.UUIDField()
        question_id = serializers.CharField()
        sequence = serializers.IntegerField()
        answered_at = serializers.DateTimeField()
        feedback = PracticeFeedbackOutputSerializer(
            allow_null=True, help_text="Practice mode only; null in check mode."
        )

    @extend_schema(
        parameters=[ATTEMPT_ID],
        request=InputSerializer,
        responses={201: OutputSerializer, 200: OutputSerializer, **ERRORS},
    )
    def post(self, request, attempt_id: str):
        try:
            data = _validated(self.InputSerializer, request.data)
        except QuizError:
            # Someone else's (or no) attempt is a 404 whatever the body says;
            # only a bad body sent to one's own attempt costs this extra read.
            selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
            raise
        # The service reads and locks the attempt in one query (the hottest write).
        result = services.attempt_answer_by_id(
            attempt_id=attempt_id,
            user=request.user,
            question_id=data["question_id"],
            client_id=data["client_id"],
            response=data["response"],
        )
        answer = result.answer
        body = {
            "saved": True,
            "created": result.created,
            "client_id": answer.client_id,
            "question_id": answer.question_id,
            "sequence": answer.sequence,
            "answered_at": answer.answered_at,
            "feedback": result.feedback,
        }
        return Response(
            self.OutputSerializer(body).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class AttemptSubmitApi(APIView):
    """Finish the attempt: the server scores it. Submitting again is harmless."""

    @extend_schema_serializer(component_name="AttemptSubmitOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        status = serializers.CharField()
        result = ResultOutputSerializer()
        return_url = serializers.CharField(allow_blank=True)
        result_url = serializers.CharField()

    @extend_schema(
        parameters=[ATTEMPT_ID],
        request=None,
        responses={200: OutputSerializer, **ERRORS},
    )
    def post(self, request, attempt_id: str):
        attempt = selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
        attempt = services.attempt_submit(attempt=attempt, user=request.user)
        body = {
            "id": attempt.pk,
            "status": attempt.status,
            "result": selectors.attempt_result(attempt=attempt),
            "return_url": attempt.return_url,
            "result_url": _attempt_urls(attempt.pk)["result_url"],
        }
        return Response(self.OutputSerializer(body).data)


class ReviewChoiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    is_correct = serializers.BooleanField()
    feedback = serializers.CharField(allow_blank=True)


class ReviewQuestionOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    scenario = serializers.CharField(allow_blank=True)
    prompt = serializers.CharField()
    explanation = serializers.CharField(allow_blank=True)
    choices = ReviewChoiceOutputSerializer(many=True)
    response = serializers.JSONField(allow_null=True)
    chosen_ids = serializers.ListField(child=serializers.IntegerField())
    answered = serializers.BooleanField()
    credit = serializers.FloatField()
    is_correct = serializers.BooleanField()
    feedback = serializers.ListField(child=serializers.DictField())
    correct_choice_ids = serializers.ListField(child=serializers.IntegerField())
    correct_order = serializers.ListField(child=serializers.IntegerField())


class AttemptReviewApi(APIView):
    """After submitting: each question with the pupil's answer and the right one."""

    @extend_schema_serializer(component_name="AttemptReviewOutput")
    class OutputSerializer(serializers.Serializer):
        attempt_id = serializers.UUIDField()
        quiz_id = serializers.IntegerField()
        title = serializers.CharField()
        points = serializers.FloatField()
        max_points = serializers.IntegerField()
        percent = serializers.FloatField()
        passed = serializers.BooleanField()
        pass_mark_percent = serializers.IntegerField()
        questions = ReviewQuestionOutputSerializer(many=True)

    @extend_schema(parameters=[ATTEMPT_ID], responses={200: OutputSerializer, **ERRORS})
    def get(self, request, attempt_id: str):
        attempt = selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
        review = attempt_review(attempt=attempt, user=request.user)
        return Response(review)


class MyAttemptListApi(APIView):
    """The caller's own attempts, newest first; ``quiz_id`` narrows to one quiz."""

    @extend_schema_serializer(component_name="MyAttemptListFilter")
    class FilterSerializer(serializers.Serializer):
        quiz_id = serializers.IntegerField(min_value=1, required=False)

    @extend_schema_serializer(component_name="MyAttemptListOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        quiz_id = serializers.IntegerField()
        title = serializers.CharField(source="quiz.title")
        context_key = serializers.CharField()
        status = serializers.CharField()
        started_at = serializers.DateTimeField()
        submitted_at = serializers.DateTimeField(allow_null=True)
        points = serializers.FloatField(allow_null=True)
        max_points = serializers.IntegerField(allow_null=True)
        percent = serializers.FloatField(allow_null=True)
        passed = serializers.BooleanField(allow_null=True)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quiz_id", {"type": "integer", "minimum": 1}, required=False
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1},
                required=False,
                description="At most 200; a larger number is lowered to it.",
            ),
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
                required=False,
            ),
        ],
        responses={200: OutputSerializer(many=True), 400: ErrorOutputSerializer},
    )
    def get(self, request):
        filters = _validated(self.FilterSerializer, request.query_params)
        quiz = None
        attempts = None
        if "quiz_id" in filters:
            quiz = Quiz.objects.filter(pk=filters["quiz_id"]).first()
            if quiz is None:
                attempts = []  # still paginated: limit and offset are checked
        if attempts is None:
            attempts = selectors.attempts_of_user(user=request.user, quiz=quiz)
        paginator = BoundedLimitOffsetPagination()
        page = paginator.paginate_queryset(attempts, request, view=self)
        return Response(self.OutputSerializer(page, many=True).data)
