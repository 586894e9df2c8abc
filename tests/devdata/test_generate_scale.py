"""The scale generator: exact sizes, lives beside other data, and --reset removes it."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils.translation import gettext

from devdata.scale import SCALE_PASSWORD
from lms.learning.rebuild import (
    rollups_rebuild,
)
from lms.models import (
    AdministrativeUnit,
    ClassModuleRollup,
    CountedAttempt,
    Enrolment,
    ModuleProgress,
    ProgressStatus,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    User,
)
from quizzes.models import Answer, Attempt, AttemptStatus
from quizzes.scoring import score_answer
from tests.factories import SchoolClassFactory, make_pupil
from tests.lms.learning_helpers import learning_module

pytestmark = pytest.mark.django_db


def generate_scale(*args) -> str:
    out = StringIO()
    call_command("generate_scale", *args, "--no-progress", stdout=out)
    return out.getvalue()


def scale_counts() -> dict[str, int]:
    schools = School.objects.filter(code__startswith="SCALE-")
    assignments = RoleAssignment.objects.filter(school__in=schools)
    return {
        "units": AdministrativeUnit.objects.filter(code__startswith="SCALE-").count(),
        "schools": schools.count(),
        "classes": SchoolClass.objects.filter(school__in=schools).count(),
        "pupils": User.objects.filter(
            username__startswith="scale-", role_assignments__role=Role.PUPIL
        ).count(),
        "enrolments": Enrolment.objects.filter(
            school_class__school__in=schools
        ).count(),
        "pupil roles": assignments.filter(role=Role.PUPIL).count(),
        "teacher roles": assignments.filter(role=Role.TEACHER).count(),
        "school admin roles": assignments.filter(role=Role.SCHOOL_ADMIN).count(),
        "pupil group": Group.objects.get(name="role:pupil")
        .user_set.filter(username__startswith="scale-")
        .count(),
    }


def test_three_schools_of_forty_pupils():
    output = generate_scale("--schools", "3", "--pupils-per-school", "40")

    # 40 pupils make two classes of at most 35 per school, each with its teacher.
    assert scale_counts() == {
        "units": 97,
        "schools": 3,
        "classes": 6,
        "pupils": 120,
        "enrolments": 120,
        "pupil roles": 120,
        "teacher roles": 6,
        "school admin roles": 3,
        "pupil group": 120,
    }
    assert "120" in output
    for school_class in SchoolClass.objects.filter(school__code__startswith="SCALE-"):
        assert school_class.enrolments.count() == 20
        assert school_class.teachers.filter(
            pk=school_class.homeroom_teacher_id
        ).exists()
    pupil = User.objects.get(username="scale-hs-00001-0001")
    assert pupil.check_password(SCALE_PASSWORD)
    assert pupil.has_perm("lms.take_modules")


def test_running_again_adds_nothing():
    generate_scale("--schools", "3", "--pupils-per-school", "40")
    counts = scale_counts()

    generate_scale("--schools", "3", "--pupils-per-school", "40")

    assert scale_counts() == counts


def test_reset_removes_only_the_generated_data():
    own_class = SchoolClassFactory()
    own_pupil = make_pupil(own_class)
    generate_scale("--schools", "3", "--pupils-per-school", "40")

    output = generate_scale("--reset")

    assert set(scale_counts().values()) == {0}
    assert not User.objects.filter(username__startswith="scale-").exists()
    assert "3" in output
    # The school's own data is untouched.
    assert User.objects.filter(pk=own_pupil.pk).exists()
    assert Enrolment.objects.filter(pupil=own_pupil, school_class=own_class).exists()
    assert School.objects.filter(pk=own_class.school_id).exists()


def test_answers_need_a_module_and_it_says_so():
    output = generate_scale(
        "--schools", "1", "--pupils-per-school", "5", "--answers-per-pupil", "10"
    )
    assert "--answers-per-pupil" in output
    assert scale_counts()["pupils"] == 5
    assert not Answer.objects.exists()


def test_learning_records_are_what_the_app_would_write():
    module = learning_module()
    output = generate_scale(
        "--schools", "2", "--pupils-per-school", "40", "--answers-per-pupil", "7"
    )

    assert "--answers-per-pupil" not in output
    attempts = Attempt.objects.filter(context_key=f"module:{module.pk}")
    assert attempts.count() == 80
    assert set(attempts.values_list("status", flat=True)) == {AttemptStatus.SUBMITTED}
    assert attempts.values("user").distinct().count() == 80
    answers = Answer.objects.filter(attempt__in=attempts).select_related(
        "attempt__version"
    )
    assert answers.count() == 80 * 7
    assert answers.values("client_id").distinct().count() == 80 * 7
    sequences = {}
    for answer in answers:
        sequences.setdefault(answer.attempt_id, []).append(answer.sequence)
        question = next(
            q
            for q in answer.attempt.version.snapshot["questions"]
            if str(q["id"]) == answer.question_id
        )
        assert answer.question_id in answer.attempt.question_ids
        # Stored exactly as the quiz engine scores the stored response.
        score = score_answer(question=question, response=answer.response)
        assert (answer.credit, answer.is_correct) == (score.credit, score.is_correct)
        if answer.attempt.passed:
            assert answer.is_correct
    assert {tuple(sorted(s)) for s in sequences.values()} == {tuple(range(1, 8))}
    passed = attempts.filter(passed=True).count()
    assert 0 < passed < 80
    progress = ModuleProgress.objects.filter(module=module)
    assert progress.count() == 80
    assert progress.filter(status=ProgressStatus.PASSED).count() == passed
    assert set(
        CountedAttempt.objects.values_list("attempt_id", "progress__user_id")
    ) == set(attempts.values_list("pk", "user_id"))
    # The rollups agree with the facts, and count the passes.
    assert rollups_rebuild() == []
    assert (
        sum(
            ClassModuleRollup.objects.filter(module=module).values_list(
                "pupils_passed", flat=True
            )
        )
        == passed
    )


def test_running_again_with_more_answers_tops_the_attempts_up():
    learning_module()
    generate_scale(
        "--schools", "1", "--pupils-per-school", "30", "--answers-per-pupil", "2"
    )
    first = set(Answer.objects.values_list("client_id", "attempt_id", "sequence"))
    attempts = set(Attempt.objects.values_list("pk", flat=True))

    # Many answers more (PostgreSQL rebuilds the indexes), then a few (it
    # keeps them), then none.
    for answers in ("9", "10", "10"):
        generate_scale(
            "--schools",
            "1",
            "--pupils-per-school",
            "30",
            "--answers-per-pupil",
            answers,
        )

    assert set(Attempt.objects.values_list("pk", flat=True)) == attempts
    assert CountedAttempt.objects.count() == 30
    assert Answer.objects.count() == 30 * 10
    assert first <= set(
        Answer.objects.values_list("client_id", "attempt_id", "sequence")
    )
    assert set(Answer.objects.values_list("sequence", flat=True)) == set(range(1, 11))
    assert rollups_rebuild() == []


def test_sizes_are_required():
    with pytest.raises(CommandError):
        generate_scale()


def test_the_data_is_ready_for_a_load_test_as_it_is(client):
    """Consent, an assignment per class, card keys a benchmark can compute, and
    officers (the province officer passes the real second factor)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from devdata.scale_load import (
        SCALE_PROVINCE_OFFICER,
        scale_card_key,
        scale_totp_code,
    )
    from lms.models import Assignment, ConsentRecord

    module = learning_module()
    generate_scale("--schools", "2", "--pupils-per-school", "40")

    pupils = User.objects.filter(
        username__startswith="scale-hs-", role_assignments__role=Role.PUPIL
    )
    assert (
        ConsentRecord.objects.filter(pupil__in=pupils)
        .values("pupil")
        .distinct()
        .count()
        == 80
    )
    classes = SchoolClass.objects.filter(school__code__startswith="SCALE-")
    given = Assignment.objects.filter(school_class__in=classes, module=module)
    assert given.count() == 4
    assert not Attempt.objects.filter(user__in=pupils).exists()
    # A pupil signs in with the card key the benchmark derives from the username.
    response = client.get(f"/dang-nhap/the/{scale_card_key('scale-hs-00001-0001')}/")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(
        User.objects.get(username="scale-hs-00001-0001").pk
    )
    # One unit officer per commune, and a province officer with a known device.
    assert (
        RoleAssignment.objects.filter(
            role=Role.UNIT_OFFICER, user__username__startswith="scale-cb-"
        ).count()
        == 96
    )
    officer = User.objects.get(username=SCALE_PROVINCE_OFFICER)
    device = TOTPDevice.objects.get(user=officer, confirmed=True)
    assert device.verify_token(scale_totp_code())
    # Running again makes nothing new, and --reset removes it all (consent too).
    generate_scale("--schools", "2", "--pupils-per-school", "40")
    assert ConsentRecord.objects.filter(pupil__in=pupils).count() >= 80
    generate_scale("--reset")
    assert not User.objects.filter(username__startswith="scale-").exists()


def test_it_refuses_to_run_under_the_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    refusal = gettext("generate_scale makes test data: it never runs in production.")
    with pytest.raises(CommandError, match=refusal):
        generate_scale("--schools", "1", "--pupils-per-school", "5")
    assert not School.objects.filter(code__startswith="SCALE-").exists()
