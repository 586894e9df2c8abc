"""The school-year rollover: plan, apply, idempotence, history, command, page."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.errors import LmsError
from lms.models import (
    AuditEntry,
    ClassModuleRollup,
    Enrolment,
    ModuleProgress,
    ProgrammeTarget,
    ReportingPeriod,
    Role,
    SchoolClass,
    SchoolPeriodRollup,
    SchoolType,
    SchoolYear,
    User,
)
from lms.rosters.rollover import ClassAction, advanced_class_name, rollover_plan
from lms.rosters.rollover_apply import rollover_apply
from tests.factories import (
    ReportingPeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    UnitFactory,
    make_pupil,
    make_staff,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_a():
    return SchoolYear.objects.create(
        name="2026-2027",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2027, 5, 31),
    )


@pytest.fixture
def year_b():
    return SchoolYear.objects.create(
        name="2027-2028",
        starts_on=datetime.date(2027, 9, 5),
        ends_on=datetime.date(2028, 5, 31),
    )


def klass(school, year, name, grade, pupils=0, first_number=1):
    school_class = SchoolClassFactory(
        school=school, school_year=year, name=name, grade=grade
    )
    for number in range(first_number, first_number + pupils):
        pupil = make_pupil(school_class, display_name=f"{name} học sinh {number}")
        Enrolment.objects.filter(pupil=pupil).update(roster_number=number)
    return school_class


def enrolled(school_class):
    return dict(
        Enrolment.objects.filter(
            school_class=school_class, left_on__isnull=True
        ).values_list("pupil__display_name", "roster_number")
    )


@pytest.fixture
def primary(year_a):
    school = SchoolFactory(school_type=SchoolType.PRIMARY)
    classes = {
        "1A": klass(school, year_a, "1A", 1, pupils=3),
        "3B": klass(school, year_a, "Lớp 3B", 3, pupils=2, first_number=7),
        "5A": klass(school, year_a, "5A", 5, pupils=2),
    }
    make_teacher(classes["1A"])
    return school, classes


@pytest.mark.parametrize(
    "name, grade, expected",
    [
        ("5A", 5, "6A"),
        ("10A1", 10, "11A1"),
        ("1A1", 1, "2A1"),
        ("Lớp 3B", 3, "Lớp 4B"),
        ("9", 9, "10"),
        ("Hoa Mai", 2, "Hoa Mai"),
        ("12A", 1, "12A"),
    ],
)
def test_class_names_advance_with_the_grade(name, grade, expected):
    assert advanced_class_name(name, grade) == expected


def test_a_primary_school_moves_up_and_its_fifth_grade_leaves(primary, year_a, year_b):
    school, classes = primary
    plan = rollover_plan(school=school, from_year=year_a, to_year=year_b)
    assert plan.last_grade == 5
    assert {(s.old_name, s.action, s.new_name) for s in plan.classes} == {
        ("1A", ClassAction.CREATE, "2A"),
        ("Lớp 3B", ClassAction.CREATE, "Lớp 4B"),
        ("5A", ClassAction.LEAVE, ""),
    }
    assert (plan.carried_count, plan.leaver_count) == (5, 2)

    result = rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    assert (result.classes_created, result.pupils_carried, result.pupils_left) == (
        2,
        5,
        2,
    )
    second = SchoolClass.objects.get(school=school, school_year=year_b, name="2A")
    assert second.grade == 2
    assert second.previous_class == classes["1A"]
    # Teachers are chosen again by the school administrator.
    assert second.homeroom_teacher is None and not second.teachers.exists()
    # Pupils carried with their roster numbers.
    assert {e.enrolled_on for e in second.enrolments.all()} == {year_b.starts_on}
    assert (
        enrolled(second)
        == enrolled(classes["1A"])
        == {
            "1A học sinh 1": 1,
            "1A học sinh 2": 2,
            "1A học sinh 3": 3,
        }
    )
    fourth = SchoolClass.objects.get(school=school, school_year=year_b, grade=4)
    assert fourth.name == "Lớp 4B"
    assert sorted(enrolled(fourth).values()) == [7, 8]
    # The fifth grade leaves: enrolment ended with the year (``left_on`` is the
    # first day out of the class), account kept.
    leavers = Enrolment.objects.filter(school_class=classes["5A"])
    assert {e.left_on for e in leavers} == {datetime.date(2027, 6, 1)}
    assert all(e.pupil.is_active for e in leavers)
    assert not SchoolClass.objects.filter(school_year=year_b, grade=6).exists()
    assert AuditEntry.objects.filter(action="school_year_rollover").count() == 1


def test_homeroom_teachers_may_be_named_but_only_the_schools(primary, year_a, year_b):
    school, classes = primary
    teacher = make_staff(Role.TEACHER, school=school)
    outsider = make_staff(Role.TEACHER, school=SchoolFactory())
    with pytest.raises(LmsError):
        rollover_apply(
            school=school,
            from_year=year_a,
            to_year=year_b,
            actor=None,
            homeroom_teachers={classes["1A"].pk: outsider.pk},
        )
    assert not SchoolClass.objects.filter(school_year=year_b).exists()
    rollover_apply(
        school=school,
        from_year=year_a,
        to_year=year_b,
        actor=None,
        homeroom_teachers={classes["1A"].pk: teacher.pk},
    )
    assert classes["1A"].next_classes.get().homeroom_teacher == teacher


def test_a_multi_level_school_leaves_from_its_highest_grade(year_a, year_b):
    school = SchoolFactory(school_type=SchoolType.MULTI_LEVEL)
    klass(school, year_a, "6A", 6, pupils=1)
    klass(school, year_a, "9A", 9, pupils=2)
    klass(school, year_a, "10A1", 10, pupils=2)
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    new = dict(
        SchoolClass.objects.filter(school_year=year_b).values_list("name", "grade")
    )
    # Grade 10 is the highest present here: its pupils leave; grade 9 moves up.
    assert new == {"7A": 7, "10A": 10}
    assert Enrolment.objects.filter(left_on__isnull=False).count() == 2


def test_a_care_facility_keeps_its_groups_and_all_its_children(year_a, year_b):
    school = SchoolFactory(school_type=SchoolType.CARE_FACILITY)
    lotus = klass(school, year_a, "Nhóm Hoa Sen", 3, pupils=2)
    older = klass(school, year_a, "Nhóm 12", 12, pupils=1)
    plan = rollover_plan(school=school, from_year=year_a, to_year=year_b)
    assert plan.last_grade is None and plan.leaver_count == 0
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    for old in (lotus, older):
        new = old.next_classes.get()
        assert (new.name, new.grade, new.school_year) == (old.name, old.grade, year_b)
        assert enrolled(new) == enrolled(old)
    assert not Enrolment.objects.filter(left_on__isnull=False).exists()


def test_running_it_twice_changes_nothing(primary, year_a, year_b):
    school, classes = primary
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    rows = (
        SchoolClass.objects.count(),
        list(Enrolment.objects.order_by("pk").values_list("pk", "left_on")),
    )
    again = rollover_plan(school=school, from_year=year_a, to_year=year_b)
    assert again.is_empty
    result = rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    assert (result.classes_created, result.pupils_carried, result.pupils_left) == (
        0,
        0,
        0,
    )
    assert rows == (
        SchoolClass.objects.count(),
        list(Enrolment.objects.order_by("pk").values_list("pk", "left_on")),
    )
    assert AuditEntry.objects.filter(action="school_year_rollover").count() == 1


def test_a_pupil_added_after_the_rollover_is_carried_by_the_next_run(
    primary, year_a, year_b
):
    school, classes = primary
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    late = make_pupil(classes["1A"], display_name="Đến muộn")
    plan = rollover_plan(school=school, from_year=year_a, to_year=year_b)
    assert [s.pupils for s in plan.to_fill] == [(late.pk,)]
    assert not plan.to_create
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    assert "Đến muộn" in enrolled(classes["1A"].next_classes.get())


def test_a_hand_made_class_is_used_and_a_taken_name_is_reported(
    primary, year_a, year_b
):
    school, classes = primary
    teacher = make_staff(Role.TEACHER, school=school)
    hand_made = SchoolClassFactory(
        school=school, school_year=year_b, name="2A", grade=2, homeroom_teacher=teacher
    )
    other = SchoolClassFactory(school=school, school_year=year_a, name="X", grade=3)
    SchoolClassFactory(
        school=school,
        school_year=year_b,
        name="Lớp 4B",
        grade=4,
        previous_class=other,
    )
    plan = rollover_plan(school=school, from_year=year_a, to_year=year_b)
    steps = {step.old_name: step for step in plan.classes}
    assert steps["1A"].action == ClassAction.EXISTING
    assert steps["1A"].target_id == hand_made.pk
    assert steps["Lớp 3B"].action == ClassAction.CONFLICT
    assert "Lớp 4B" in steps["Lớp 3B"].problem
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    hand_made.refresh_from_db()
    assert hand_made.previous_class == classes["1A"]
    assert hand_made.homeroom_teacher == teacher  # chosen by hand: kept
    assert len(enrolled(hand_made)) == 3
    # The conflicting class's pupils were not carried; nothing else failed.
    assert Enrolment.objects.filter(school_class__school_year=year_b).count() == 3


def test_the_new_year_must_start_after_the_old_one_ends(primary, year_a):
    school, _classes = primary
    overlapping = SchoolYear.objects.create(
        name="2027-2028",
        starts_on=datetime.date(2027, 5, 1),
        ends_on=datetime.date(2028, 5, 31),
    )
    for target in (overlapping, year_a):
        with pytest.raises(LmsError):
            rollover_plan(school=school, from_year=year_a, to_year=target)
        with pytest.raises(LmsError):
            rollover_apply(school=school, from_year=year_a, to_year=target, actor=None)
    assert SchoolClass.objects.filter(school_year=overlapping).count() == 0


def test_periods_and_their_rules_are_copied_a_year_later(primary, year_a, year_b):
    school, _classes = primary
    first = ReportingPeriodFactory(
        school_year=year_a,
        name="Học kỳ I",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2027, 1, 15),
    )
    ReportingPeriodFactory(
        school_year=year_a,
        name="Học kỳ II",
        starts_on=datetime.date(2027, 1, 16),
        ends_on=datetime.date(2027, 5, 31),
    )
    ProgrammeTarget.objects.create(period=first, min_pupil_share=Decimal("70"))
    plan = rollover_plan(school=school, from_year=year_a, to_year=year_b)
    assert [p.name for p in plan.periods] == ["Học kỳ I", "Học kỳ II"]
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    copied = list(
        ReportingPeriod.objects.filter(school_year=year_b).values_list(
            "name", "starts_on", "ends_on"
        )
    )
    assert copied == [
        ("Học kỳ I", datetime.date(2027, 9, 5), datetime.date(2028, 1, 15)),
        ("Học kỳ II", datetime.date(2028, 1, 16), datetime.date(2028, 5, 31)),
    ]
    assert ProgrammeTarget.objects.get(
        period__school_year=year_b
    ).min_pupil_share == Decimal("70")
    # B has periods now: a second school creates none.
    other = SchoolFactory()
    klass(other, year_a, "2A", 2, pupils=1)
    assert rollover_plan(school=other, from_year=year_a, to_year=year_b).periods == ()
    rollover_apply(school=other, from_year=year_a, to_year=year_b, actor=None)
    assert ReportingPeriod.objects.filter(school_year=year_b).count() == 2


def test_queries_do_not_grow_with_the_pupils(year_a, year_b):
    def count(pupils):
        school = SchoolFactory()
        for grade in (1, 2, 5):
            klass(school, year_a, f"{grade}A", grade, pupils=pupils)
        with CaptureQueriesContext(connection) as queries:
            rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
        return len(queries)

    assert count(1) == count(12)


# --- History ------------------------------------------------------------------------


def test_the_past_year_keeps_its_pupils_progress_and_rollups(client, settings):
    """Completions of year A stay put; its classes still list their pupils."""
    from lms.learning.rebuild import (
        rollups_rebuild,
    )
    from tests.lms.learning_helpers import (
        allow_learning_records,
        learning_module,
        take_quiz,
    )
    from tests.lms.report_helpers import current_year_and_period, give

    year, _period = current_year_and_period()
    next_year = SchoolYear.objects.create(
        name="Năm sau",
        starts_on=year.ends_on + datetime.timedelta(days=60),
        ends_on=year.ends_on + datetime.timedelta(days=330),
    )
    allow_learning_records()
    module = learning_module()
    school = SchoolFactory()
    first = klass(school, year, "1A", 1, pupils=2)
    fifth = klass(school, year, "5A", 5, pupils=2)
    for school_class in (first, fifth):
        give(module, school_class, make_teacher(school_class))
        for enrolment in school_class.enrolments.all():
            take_quiz(enrolment.pupil, module)

    def snapshot():
        return (
            list(ModuleProgress.objects.order_by("pk").values()),
            list(ClassModuleRollup.objects.order_by("pk").values()),
            list(SchoolPeriodRollup.objects.order_by("pk").values()),
            list(
                Enrolment.objects.filter(school_class=first)
                .order_by("pk")
                .values("pk", "pupil_id", "roster_number", "enrolled_on", "left_on")
            ),
        )

    before = snapshot()
    assert ClassModuleRollup.objects.filter(school_class=first).exists()
    rollover_apply(school=school, from_year=year, to_year=next_year, actor=None)
    assert snapshot() == before
    # The rollups still agree with the raw facts: no completion changed class.
    assert rollups_rebuild(fix=False) == []

    admin = make_staff(Role.SCHOOL_ADMIN, school=school)
    client.force_login(admin)
    for school_class in (first, fifth):
        for name in ("lms:class_detail", "lms:class_progress"):
            page = client.get(reverse(name, args=[school_class.pk]))
            assert page.status_code == 200
            for enrolment in school_class.enrolments.all():
                assert enrolment.pupil.display_name in page.content.decode()


def test_a_past_class_page_lists_its_leavers(client, primary, year_a, year_b):
    school, classes = primary
    rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=None)
    client.force_login(make_staff(Role.SCHOOL_ADMIN, school=school))
    # 2026-2027 has ended by the time this matters: look from after its end.
    from unittest import mock

    with mock.patch(
        "django.utils.timezone.localdate", return_value=datetime.date(2027, 6, 10)
    ):
        page = client.get(reverse("lms:class_detail", args=[classes["5A"].pk]))
        moved = client.get(reverse("lms:class_detail", args=[classes["1A"].pk]))
    assert "5A học sinh 1" in page.content.decode()
    assert reverse("lms:class_detail", args=[classes["1A"].next_classes.get().pk]) in (
        moved.content.decode()
    )


# --- The province command -----------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("rollover_school_year", *args, stdout=out)
    return out.getvalue()


def test_the_command_is_a_dry_run_until_told_to_apply(primary, year_a, year_b):
    school, _classes = primary
    other_province = UnitFactory()
    elsewhere = SchoolFactory(unit=other_province)
    klass(elsewhere, year_a, "3C", 3, pupils=4)

    output = run("--from", "2026-2027", "--to", "2027-2028")
    assert school.code in output and elsewhere.code in output
    assert "2" in output  # counts per school
    assert not SchoolClass.objects.filter(school_year=year_b).exists()
    assert not Enrolment.objects.filter(left_on__isnull=False).exists()

    run(
        "--from",
        "2026-2027",
        "--to",
        "2027-2028",
        "--unit",
        school.unit.code,
        "--apply",
    )
    assert SchoolClass.objects.filter(school=school, school_year=year_b).count() == 2
    assert not SchoolClass.objects.filter(school=elsewhere, school_year=year_b).exists()

    output = run("--from", "2026-2027", "--to", "2027-2028", "--apply")
    assert SchoolClass.objects.filter(school=elsewhere, school_year=year_b).count() == 1
    counts = (SchoolClass.objects.count(), Enrolment.objects.count())
    run("--from", "2026-2027", "--to", "2027-2028", "--apply")
    assert counts == (SchoolClass.objects.count(), Enrolment.objects.count())


def test_the_command_refuses_unknown_or_overlapping_years(primary, year_a):
    with pytest.raises(CommandError):
        run("--from", "2026-2027", "--to", "2030-2031")
    with pytest.raises(CommandError):
        run("--from", "2026-2027", "--to", "2026-2027")
    with pytest.raises(CommandError):
        run("--from", "2026-2027", "--to", "2026-2027", "--unit", "KHONG-CO")


# --- The page ------------------------------------------------------------------------


def rollover_url(school, year_a=None, year_b=None):
    url = reverse("lms:school_rollover", kwargs={"school_id": school.pk})
    if year_a:
        url += f"?tu={year_a.pk}&den={year_b.pk}"
    return url


def test_the_school_admin_previews_then_applies(client, primary, year_a, year_b):
    school, classes = primary
    admin = make_staff(Role.SCHOOL_ADMIN, school=school)
    teacher = make_staff(Role.TEACHER, school=school, display_name="Cô Mai")
    client.force_login(admin)
    home = client.get(reverse("lms:home")).content.decode()
    assert rollover_url(school) in home

    page = client.get(rollover_url(school))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2A" in html and "Lớp 4B" in html and "5A học sinh 1" in html
    assert "Cô Mai" in html
    assert not SchoolClass.objects.filter(school_year=year_b).exists()

    plan = page.context["plan"]
    response = client.post(
        rollover_url(school, year_a, year_b),
        {
            "fingerprint": plan.fingerprint,
            f"teacher_{classes['1A'].pk}": str(teacher.pk),
        },
    )
    assert response.status_code == 302
    assert classes["1A"].next_classes.get().homeroom_teacher == teacher
    assert Enrolment.objects.filter(school_class__school_year=year_b).count() == 5

    again = client.get(rollover_url(school, year_a, year_b))
    assert again.context["plan"].is_empty
    assert "Nothing left to roll over" in again.content.decode() or (
        "Không còn gì" in again.content.decode()
    )


def test_a_stale_preview_is_refused(client, primary, year_a, year_b):
    school, classes = primary
    client.force_login(make_staff(Role.SCHOOL_ADMIN, school=school))
    plan = client.get(rollover_url(school, year_a, year_b)).context["plan"]
    make_pupil(classes["1A"])
    client.post(rollover_url(school, year_a, year_b), {"fingerprint": plan.fingerprint})
    assert not SchoolClass.objects.filter(school_year=year_b).exists()


def test_overlapping_years_are_a_form_error(client, primary, year_a):
    school, _classes = primary
    client.force_login(make_staff(Role.SCHOOL_ADMIN, school=school))
    page = client.get(rollover_url(school, year_a, year_a))
    assert page.status_code == 200 and page.context["plan"] is None
    assert page.context["years_form"].errors


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.TEACHER, Role.UNIT_OFFICER])
def test_nobody_rolls_over_a_school_they_do_not_run(
    client, primary, year_a, year_b, role
):
    school, classes = primary
    other = SchoolFactory(unit=school.unit)
    if role == Role.UNIT_OFFICER:
        actor = make_staff(role, unit=school.unit)
    else:
        actor = make_staff(role, school=other if role == Role.SCHOOL_ADMIN else school)
    client.force_login(actor)
    assert client.get(rollover_url(school)).status_code == 404
    plan = rollover_plan(school=school, from_year=year_a, to_year=year_b)
    response = client.post(
        rollover_url(school, year_a, year_b), {"fingerprint": plan.fingerprint}
    )
    assert response.status_code == 404
    with pytest.raises(LmsError):
        rollover_apply(school=school, from_year=year_a, to_year=year_b, actor=actor)
    assert not SchoolClass.objects.filter(school_year=year_b).exists()
    assert User.objects.filter(pk=actor.pk).exists()
