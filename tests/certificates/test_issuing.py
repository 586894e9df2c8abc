"""Issuing: automatic on module_completed, once, per rule kind, cheaply."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate, IssuingRule, RuleKind
from certificates.services import certificates_issue_for_completion
from content_cms.models import Audience
from lms.models import ModuleProgress
from lms.signals import module_completed
from tests.certificates.helpers import PUPIL_NAME, demo_like_pupil, only_rules
from tests.content_cms.factories import build_module, build_quiz
from tests.factories import make_teacher
from tests.lms.learning_helpers import learning_module, take_quiz

pytestmark = pytest.mark.django_db


def test_the_default_rules_exist_after_migrate():
    assert set(IssuingRule.objects.values_list("kind", flat=True)) == set(
        RuleKind.values
    )


def test_passing_a_module_issues_exactly_one_certificate():
    only_rules(RuleKind.MODULE_PASSED)
    pupil = demo_like_pupil()
    module = learning_module(title="Bí mật của em")

    take_quiz(pupil, module)

    certificate = Certificate.objects.get(user=pupil)
    assert certificate.learner_name == PUPIL_NAME
    assert certificate.achievement == "Bí mật của em"
    assert certificate.school_name == "Trường Tiểu học Kim Đồng"
    assert certificate.issuer == "Sở Giáo dục và Đào tạo tỉnh Tây Ninh"
    assert certificate.subject_key == f"module:{module.pk}"
    assert len(certificate.code) == 12 and certificate.is_valid


def test_a_repeated_event_or_a_second_pass_issues_nothing_new():
    only_rules(RuleKind.MODULE_PASSED)
    pupil = demo_like_pupil()
    module = learning_module()
    take_quiz(pupil, module)
    progress = ModuleProgress.objects.get(user=pupil, module=module)

    take_quiz(pupil, module)  # passes again: module_completed is sent again
    module_completed.send(
        sender=ModuleProgress,
        user=pupil,
        module=module,
        progress=progress,
        attempt=None,
        newly_completed=False,
        newly_passed=False,
    )

    assert Certificate.objects.filter(user=pupil).count() == 1


def test_a_failed_quiz_issues_nothing():
    only_rules(RuleKind.MODULE_PASSED)
    pupil = demo_like_pupil()
    module = learning_module()
    take_quiz(pupil, module, correct=False)
    assert not Certificate.objects.filter(user=pupil).exists()


def test_a_rule_for_a_chosen_module_ignores_other_modules():
    only_rules()
    chosen = learning_module(title="Mật khẩu mạnh", slug="mat-khau")
    other = learning_module(title="Người lạ", slug="nguoi-la")
    IssuingRule.objects.create(
        name="Mật khẩu", kind=RuleKind.MODULE_PASSED, module=chosen
    )
    pupil = demo_like_pupil()

    take_quiz(pupil, other)
    assert not Certificate.objects.exists()
    take_quiz(pupil, chosen)
    assert Certificate.objects.get().module == chosen


def test_learning_path_issues_only_when_every_module_of_the_band_is_passed():
    only_rules(RuleKind.LEARNING_PATH)
    pupil = demo_like_pupil()  # grade 5: band g3-5
    first = learning_module(title="Bài một", slug="bai-mot")
    second = learning_module(title="Bài hai", slug="bai-hai")
    learning_module(title="Lớp nhỏ", slug="lop-nho", age_band="g1-2")

    take_quiz(pupil, first)
    assert not Certificate.objects.exists()

    take_quiz(pupil, second)
    certificate = Certificate.objects.get(user=pupil)
    assert certificate.subject_key == "path:g3-5"
    assert "Lớp 3-5" in certificate.achievement
    assert "Grades 3-5" in certificate.achievement_en

    take_quiz(pupil, first)  # passing again issues no second path certificate
    assert Certificate.objects.filter(user=pupil).count() == 1


def test_staff_rule_issues_when_every_staff_module_is_passed(settings):
    only_rules(RuleKind.STAFF_TRAINING)
    pupil = demo_like_pupil()
    teacher = make_teacher(pupil.enrolments.get().school_class, display_name="Cô Hoa")
    first = build_module(
        title="Dạy an toàn mạng",
        slug="day-1",
        audience=Audience.TEACHER_STAFF,
        quiz=build_quiz(title="Đố giáo viên 1"),
    )
    second = build_module(
        title="Hỗ trợ học sinh",
        slug="day-2",
        audience=Audience.TEACHER_STAFF,
        quiz=build_quiz(title="Đố giáo viên 2"),
    )
    pupil_module = learning_module()

    take_quiz(teacher, pupil_module)
    take_quiz(teacher, first)
    assert not Certificate.objects.exists()
    take_quiz(teacher, second)

    certificate = Certificate.objects.get(user=teacher)
    assert certificate.subject_key == "staff"
    assert certificate.school_name == "Trường Tiểu học Kim Đồng"
    assert certificate.achievement == (
        "Bồi dưỡng giáo viên và cán bộ về an toàn trên mạng"
    )


def test_issuing_on_a_repeat_event_costs_few_queries():
    rules = only_rules(RuleKind.MODULE_PASSED, RuleKind.LEARNING_PATH)
    assert len(rules) == 2
    pupil = demo_like_pupil()
    module = learning_module()
    learning_module(title="Bài còn lại", slug="con-lai")
    take_quiz(pupil, module)
    progress = ModuleProgress.objects.get(user=pupil, module=module)

    with CaptureQueriesContext(connection) as queries:
        issued = certificates_issue_for_completion(
            user=pupil, module=module, progress=progress
        )
    assert issued == []
    # rules, the module-certificate check, enrolment, band, the path check,
    # the default locale, the learner's roles (for the age rule of the modules
    # they may open), band membership and completeness; savepoints aside.
    real = [q for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(real) <= 10, [q["sql"] for q in real]


def test_english_learner_gets_the_english_title_snapshot():
    only_rules(RuleKind.MODULE_PASSED)
    from tests.lms.learning_helpers import translate_module

    pupil = demo_like_pupil(preferred_language="en")
    module = learning_module(title="Bí mật của em")
    translate_module(module, title="Your secrets")

    take_quiz(pupil, module)
    certificate = Certificate.objects.get(user=pupil)
    assert certificate.language == "en"
    assert certificate.achievement_en == "Your secrets"
    assert certificate.achievement_localized == "Your secrets"
