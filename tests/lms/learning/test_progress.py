"""Progress: sections read, quiz results folded in once, module_completed sent."""

import pytest

from lms.errors import LmsError
from lms.learning import services as learning_services
from lms.models import (
    ClassModuleRollup,
    CountedAttempt,
    ModuleProgress,
    ProgressStatus,
    Role,
)
from lms.signals import module_completed
from quizzes.services import attempt_start, attempt_submit
from tests.factories import SchoolClassFactory, make_pupil, make_staff
from tests.lms.learning_helpers import (
    allow_learning_records,
    answer_all,
    learning_module,
    take_quiz,
    translate_module,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil():
    allow_learning_records()
    return make_pupil(SchoolClassFactory())


@pytest.fixture
def module():
    return learning_module()


@pytest.fixture
def completions():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    module_completed.connect(receiver, dispatch_uid="test_progress_receiver")
    yield received
    module_completed.disconnect(dispatch_uid="test_progress_receiver")


def read_all(user, module, seconds=60):
    for index in range(len(module.lessons)):
        learning_services.progress_section_complete(
            user=user, module=module, section_index=index, seconds=seconds
        )


def test_reading_a_section_starts_the_module_and_moves_on(pupil, module):
    progress = learning_services.progress_section_complete(
        user=pupil, module=module, section_index=0, seconds=90
    )
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert progress.sections_completed == [0]
    assert progress.current_section == 1
    assert progress.time_spent_seconds == 90
    assert progress.started_at is not None and progress.completed_at is None


def test_reading_time_is_capped_per_request_and_never_negative(pupil, module):
    learning_services.progress_section_complete(
        user=pupil, module=module, section_index=0, seconds=10_000
    )
    progress = learning_services.progress_section_complete(
        user=pupil, module=module, section_index=0, seconds=-50
    )
    assert progress.time_spent_seconds == learning_services.MAX_SECTION_SECONDS
    assert progress.sections_completed == [0]


def test_a_section_outside_the_module_is_refused(pupil, module):
    with pytest.raises(LmsError) as error:
        learning_services.progress_section_complete(
            user=pupil, module=module, section_index=3, seconds=1
        )
    assert error.value.code == "no_such_section"
    assert not ModuleProgress.objects.exists()


def test_progress_is_kept_on_the_vietnamese_page_only(pupil, module):
    english = translate_module(module, title="My secrets")
    with pytest.raises(LmsError):
        learning_services.progress_section_complete(
            user=pupil, module=english, section_index=0, seconds=1
        )


def test_passing_after_reading_everything_passes_the_module(pupil, module, completions):
    read_all(pupil, module)
    attempt = take_quiz(pupil, module, correct=True)
    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.status == ProgressStatus.PASSED
    assert progress.best_percent == attempt.percent
    assert progress.attempts_count == 1
    assert progress.completed_at == progress.passed_at == attempt.submitted_at
    assert progress.time_spent_seconds == 3 * 60 + attempt.time_spent_seconds
    assert len(completions) == 1
    sent = completions[0]
    assert sent["newly_completed"] and sent["newly_passed"]
    assert sent["attempt"].pk == attempt.pk
    assert sent["module"] == module and sent["user"] == pupil


def test_failing_after_reading_everything_completes_without_passing(
    pupil, module, completions
):
    read_all(pupil, module)
    take_quiz(pupil, module, correct=False)
    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.status == ProgressStatus.COMPLETED
    assert progress.passed_at is None and progress.completed_at is not None
    assert [(c["newly_completed"], c["newly_passed"]) for c in completions] == [
        (True, False)
    ]
    # A retake that passes passes the module; the completion is not new.
    take_quiz(pupil, module, correct=True)
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.PASSED
    assert progress.attempts_count == 2
    assert progress.best_percent == 100
    assert [(c["newly_completed"], c["newly_passed"]) for c in completions][1] == (
        False,
        True,
    )


def test_a_failed_quiz_before_reading_everything_leaves_it_in_progress(
    pupil, module, completions
):
    learning_services.progress_section_complete(
        user=pupil, module=module, section_index=0, seconds=5
    )
    take_quiz(pupil, module, correct=False)
    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert progress.attempts_count == 1 and progress.best_percent == 0
    assert completions == []


def test_a_worse_retake_keeps_the_best_score_and_the_pass(pupil, module):
    read_all(pupil, module)
    take_quiz(pupil, module, correct=True)
    take_quiz(pupil, module, correct=False)
    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.status == ProgressStatus.PASSED
    assert progress.best_percent == 100 and progress.attempts_count == 2


def test_the_same_attempt_never_counts_twice(pupil, module, completions):
    read_all(pupil, module)
    attempt = take_quiz(pupil, module, correct=True)
    # The engine's own repeat submit is silent; reporting it again to the
    # receiver (a replayed signal) is a no-op too.
    attempt_submit(attempt=attempt, user=pupil)
    learning_services.on_attempt_submitted(sender=None, attempt=attempt)
    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.attempts_count == 1
    assert CountedAttempt.objects.count() == 1
    assert len(completions) == 1
    rollup = ClassModuleRollup.objects.get(module=module)
    assert (rollup.pupils_completed, rollup.pupils_passed) == (1, 1)


def test_attempts_outside_a_module_are_ignored(pupil, module):
    attempt = attempt_start(user=pupil, quiz=module.quiz, context_key="practice:7")
    answer_all(attempt, pupil)
    attempt_submit(attempt=attempt, user=pupil)
    assert not ModuleProgress.objects.exists()


def test_adults_keep_progress_but_count_in_no_rollup(module, completions):
    teacher = make_staff(Role.TEACHER, school=SchoolClassFactory().school)
    read_all(teacher, module)
    take_quiz(teacher, module, correct=True)
    progress = ModuleProgress.objects.get(user=teacher, module=module)
    assert progress.status == ProgressStatus.PASSED
    assert len(completions) == 1
    assert not ClassModuleRollup.objects.exists()


def test_a_module_without_a_quiz_is_completed_by_its_last_section(pupil, completions):
    module = learning_module(title="Chỉ đọc", slug="chi-doc", with_quiz=False)
    read_all(pupil, module)
    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.status == ProgressStatus.COMPLETED
    assert progress.current_section == 3
    assert [c["attempt"] for c in completions] == [None]
    # Reading it again completes nothing new.
    read_all(pupil, module)
    assert len(completions) == 1
    assert ClassModuleRollup.objects.get(module=module).pupils_completed == 1


def test_position_is_remembered_for_any_device(pupil, module):
    learning_services.progress_position_set(user=pupil, module=module, section_index=2)
    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.current_section == 2
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert progress.sections_completed == []
