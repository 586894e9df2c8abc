"""The programme rule: met / in progress / not started, stored rules, the edit page."""

from decimal import Decimal

import pytest

from lms.models import AuditEntry, ProgrammeTarget, Role, School, SchoolType
from lms.reports.figures import school_figures
from lms.reports.rules import DEFAULT_RULE, ProgrammeStatus, Rule, SchoolFigures
from lms.reports.services import programme_target_save
from tests.factories import login_verified
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)
from tests.lms.report_helpers import build_province, give, officer, school_with_classes

RULE = Rule(
    min_class_share=Decimal("100"),
    min_pupil_share=Decimal("80"),
    grade_from=1,
    grade_to=12,
)


def figures(classes, assigned, pupils, completed, rule=RULE):
    return SchoolFigures(
        classes=classes,
        classes_assigned=assigned,
        pupils=pupils,
        pupils_completed=completed,
        rule=rule,
    )


def test_met_exactly_at_both_thresholds():
    assert figures(10, 10, 10, 8).status == ProgrammeStatus.MET


def test_one_pupil_short_of_the_threshold_is_in_progress():
    item = figures(10, 10, 10, 7)
    assert item.status == ProgrammeStatus.IN_PROGRESS
    assert "7 of 10 pupils" in item.reason or "7" in item.reason


def test_one_class_without_a_module_is_in_progress():
    assert figures(10, 9, 100, 100).status == ProgrammeStatus.IN_PROGRESS


def test_nothing_assigned_and_nothing_completed_is_not_started():
    assert figures(10, 0, 100, 0).status == ProgrammeStatus.NOT_STARTED


def test_completions_without_assignments_are_in_progress():
    assert figures(10, 0, 100, 3).status == ProgrammeStatus.IN_PROGRESS


def test_a_school_without_classes_cannot_meet_the_target():
    assert figures(0, 0, 0, 0).status == ProgrammeStatus.NOT_STARTED


def test_fractional_threshold_compares_exactly():
    rule = Rule(Decimal("100"), Decimal("66.67"), 1, 12)
    assert figures(3, 3, 3, 2, rule).status == ProgrammeStatus.IN_PROGRESS
    rule = Rule(Decimal("100"), Decimal("66.66"), 1, 12)
    assert figures(3, 3, 3, 2, rule).status == ProgrammeStatus.MET


def test_the_default_rule_states_itself(english):
    assert DEFAULT_RULE.is_default
    assert DEFAULT_RULE.describe() == (
        "Target: 100% of classes in grades 1–12 given at least 1 module; "
        "≥ 80% of pupils completed at least 1 module"
    )


@pytest.mark.django_db
def test_stored_rules_apply_and_care_facilities_have_their_own():
    allow_learning_records()
    org = build_province()
    module = learning_module()
    school, [(school_class, teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=4
    )
    care, [(care_class, care_teacher, care_pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=4, school_type=SchoolType.CARE_FACILITY
    )
    give(module, school_class, teacher)
    give(module, care_class, care_teacher)
    for pupil in pupils[:2]:
        take_quiz(pupil, module)
    for pupil in care_pupils[:2]:
        take_quiz(pupil, module)
    schools = School.objects.filter(pk__in=[school.pk, care.pk])

    result = school_figures(schools=schools, periods=[org.period])
    assert result[(school.pk, org.period.pk)].rule.is_default
    assert result[(school.pk, org.period.pk)].status == ProgrammeStatus.IN_PROGRESS

    ProgrammeTarget.objects.create(period=org.period, min_pupil_share=50)
    ProgrammeTarget.objects.create(
        period=org.period,
        school_type=SchoolType.CARE_FACILITY,
        min_pupil_share=75,
    )
    result = school_figures(schools=schools, periods=[org.period])
    general = result[(school.pk, org.period.pk)]
    own = result[(care.pk, org.period.pk)]
    assert (general.pupils, general.pupils_completed) == (4, 2)
    assert general.status == ProgrammeStatus.MET
    assert own.rule.school_type == SchoolType.CARE_FACILITY
    assert own.status == ProgrammeStatus.IN_PROGRESS


@pytest.mark.django_db
def test_covered_grades_decide_which_classes_count():
    org = build_province()
    module = learning_module()
    school, classes = school_with_classes(org.commune_a, org.year, classes=2)
    give(module, classes[0][0], classes[0][1])
    ProgrammeTarget.objects.create(period=org.period, grade_from=6, grade_to=9)
    item = school_figures(
        schools=School.objects.filter(pk=school.pk), periods=[org.period]
    )[(school.pk, org.period.pk)]
    assert item.classes == 0  # grade 5 is not covered
    ProgrammeTarget.objects.filter(period=org.period).update(grade_from=1)
    item = school_figures(
        schools=School.objects.filter(pk=school.pk), periods=[org.period]
    )[(school.pk, org.period.pk)]
    assert (item.classes, item.classes_assigned) == (2, 1)


@pytest.mark.django_db
def test_province_officer_edits_the_target_and_it_is_audited(client, english):
    org = build_province()
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    login_verified(client, chief)
    url = f"/bao-cao/tieu-chi/{org.period.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "the default applies" in page.content.decode()

    bad = client.post(
        url,
        {
            "min_class_share": "120",
            "min_pupil_share": "80",
            "grade_from": "9",
            "grade_to": "3",
        },
    )
    assert bad.status_code == 200
    assert not ProgrammeTarget.objects.exists()

    response = client.post(
        url,
        {
            "min_class_share": "90",
            "min_pupil_share": "70",
            "grade_from": "1",
            "grade_to": "9",
        },
    )
    assert response.status_code == 302
    target = ProgrammeTarget.objects.get(period=org.period, school_type="")
    assert (target.min_class_share, target.min_pupil_share) == (90, 70)
    assert AuditEntry.objects.filter(
        action="programme_target.save", target_id=str(target.pk)
    ).exists()
    dashboard = client.get(f"/bao-cao/?ky={org.period.pk}").content.decode()
    assert "90% of classes in grades 1–9" in dashboard
    assert "≥ 70% of pupils" in dashboard


@pytest.mark.django_db
def test_unit_officers_cannot_edit_the_target(client):
    org = build_province()
    client.force_login(officer(Role.UNIT_OFFICER, org.commune_a))
    assert client.get(f"/bao-cao/tieu-chi/{org.period.pk}/").status_code == 403


@pytest.mark.django_db
def test_the_service_refuses_without_the_permission():
    from lms.errors import LmsError

    org = build_province()
    with pytest.raises(LmsError):
        programme_target_save(
            actor=officer(Role.UNIT_OFFICER, org.commune_a),
            period=org.period,
            min_class_share=Decimal(100),
            min_pupil_share=Decimal(80),
            grade_from=1,
            grade_to=12,
        )
