"""The programme as data: required topics per age band, covered by pupils or sessions.

Every path of the rule (covered by completions, by a teaching session, not
covered, a module of another band), the periods without topics, the rollup the
coverage reads, the rule screen's refusals, and the SQL totals agreeing with
the class-by-class detail.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from content_cms.models import AgeBand, Topic
from lms.errors import LmsError
from lms.learning import rebuild
from lms.models import (
    AuditEntry,
    ClassTopicRollup,
    Enrolment,
    ProgrammeTarget,
    Role,
    School,
    SchoolType,
    TopicRequirement,
)
from lms.reports.coverage.totals import coverage_detail, coverage_totals
from lms.reports.figures import school_figures
from lms.reports.periods import rules_for
from lms.reports.rules import ProgrammeStatus
from lms.reports.services import RequiredTopic, programme_target_save
from tests.factories import SchoolClassFactory, login_verified, make_pupil
from tests.lms.learning_helpers import (
    allow_learning_records,
    take_quiz,
)
from tests.lms.report_helpers import (
    build_province,
    give,
    officer,
    require,
    school_with_classes,
    session,
    topic_module,
)

pytestmark = pytest.mark.django_db

KINDNESS = "Kindness and cyberbullying"


def figures_of(school, period):
    return school_figures(
        schools=School.objects.filter(pk=school.pk), periods=[period]
    )[(school.pk, period.pk)]


def detail_of(school, period):
    return coverage_detail(
        schools=School.objects.filter(pk=school.pk),
        period=period,
        rules=rules_for([period]),
    )[school.pk]


@pytest.fixture
def world():
    allow_learning_records()
    org = build_province()
    kindness = topic_module("kindness")
    school, [(school_class, teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=5, name="Trường Tiểu học Kim Đồng"
    )
    give(kindness, school_class, teacher)
    return org, kindness, school, school_class, teacher, pupils


# --- Every path of the rule ----------


def test_topic_covered_when_enough_pupils_completed_a_module_on_it(world, english):
    org, kindness, school, school_class, _teacher, pupils = world
    require(org.period, ("g3-5", "kindness"))
    for pupil in pupils[:3]:  # 3 of 5 = 60 %: short of 80 %
        take_quiz(pupil, kindness)
    item = figures_of(school, org.period)
    assert item.status == ProgrammeStatus.IN_PROGRESS
    assert (item.classes, item.classes_covered) == (1, 0)
    [coverage] = detail_of(school, org.period)
    assert coverage.missing_texts() == [f"Class 5A1: topic {KINDNESS} not yet covered"]

    take_quiz(pupils[3], kindness)  # 4 of 5 = 80 %: exactly the share
    item = figures_of(school, org.period)
    assert item.status == ProgrammeStatus.MET
    assert (item.classes_covered, item.topics_required, item.topics_covered) == (
        1,
        1,
        1,
    )
    [coverage] = detail_of(school, org.period)
    assert coverage.met and coverage.cells[0].completed == 4


def test_topic_covered_by_a_teaching_session_in_the_period(world):
    org, kindness, school, school_class, teacher, pupils = world
    require(org.period, ("g3-5", "kindness"))
    before = org.period.starts_on - datetime.timedelta(days=1)
    session(school_class, kindness, teacher, on=before, present=pupils)
    assert figures_of(school, org.period).status == ProgrammeStatus.IN_PROGRESS

    session(school_class, kindness, teacher, present=pupils[:2])
    item = figures_of(school, org.period)
    assert item.status == ProgrammeStatus.MET
    [coverage] = detail_of(school, org.period)
    assert coverage.cells[0].sessions == 1 and coverage.cells[0].completed == 0


def test_nothing_done_is_not_started_and_says_what_is_missing(world, english):
    org, _kindness, school, _class, _teacher, _pupils = world
    # The class was given a module: that alone is "in progress"; a school
    # with a class given nothing and nobody done is "not started".
    idle, _ = school_with_classes(org.commune_a, org.year, name="Trường Hòa Bình")
    topic_module("passwords")
    require(org.period, ("g3-5", "kindness"), ("g3-5", "passwords"))
    assert figures_of(idle, org.period).status == ProgrammeStatus.NOT_STARTED
    assert figures_of(school, org.period).status == ProgrammeStatus.IN_PROGRESS
    [coverage] = detail_of(idle, org.period)
    assert coverage.missing_texts() == [  # one line, in the order of the topics
        f"Class 5A1: topics Passwords and account security, {KINDNESS} not yet covered"
    ]


def test_a_module_of_another_band_never_counts(world):
    org, _kindness, school, school_class, teacher, pupils = world
    older = topic_module("kindness", band="g6-9")
    require(org.period, ("g3-5", "kindness"))
    for pupil in pupils:
        take_quiz(pupil, older)
    session(school_class, older, teacher, present=pupils)
    assert not ClassTopicRollup.objects.exists()
    item = figures_of(school, org.period)
    assert item.status == ProgrammeStatus.IN_PROGRESS
    assert item.classes_covered == 0
    [coverage] = detail_of(school, org.period)
    assert (coverage.cells[0].completed, coverage.cells[0].sessions) == (0, 0)


def test_periods_without_topics_keep_the_default_rule(world):
    org, kindness, school, school_class, teacher, pupils = world
    for pupil in pupils[:4]:
        take_quiz(pupil, kindness)
    session(school_class, kindness, teacher, present=pupils)
    item = figures_of(school, org.period)
    assert item.rule.is_default and not item.rule.has_topics
    assert item.status == ProgrammeStatus.MET  # 100 % of classes, 80 % of pupils
    # A rule without topics keeps the two shares, whatever the sessions.
    ProgrammeTarget.objects.create(period=org.period, min_pupil_share=100)
    item = figures_of(school, org.period)
    assert item.status == ProgrammeStatus.IN_PROGRESS
    assert item.classes_covered == 0 and item.topics_required == 0


def test_a_class_must_cover_its_own_band_only_and_grades_outside_do_not_count(world):
    org, kindness, school, school_class, teacher, _pupils = world
    # Grade 7 in the same school: its band (g6-9) requires passwords.
    grade7 = SchoolClassFactory(school=school, school_year=org.year, name="7A", grade=7)
    make_pupil(grade7)
    passwords_older = topic_module("passwords", band="g6-9")
    require(org.period, ("g3-5", "kindness"), ("g6-9", "passwords"))
    session(school_class, kindness, teacher)
    item = figures_of(school, org.period)
    assert (item.classes, item.classes_covered) == (2, 1)
    session(grade7, passwords_older, teacher)
    assert figures_of(school, org.period).status == ProgrammeStatus.MET
    # A rule of grades 1-5 leaves the grade 7 class out.
    ProgrammeTarget.objects.filter(period=org.period).update(grade_to=5)
    item = figures_of(school, org.period)
    assert (item.classes, item.status) == (1, ProgrammeStatus.MET)


def test_care_facilities_follow_their_own_rule(world):
    org, kindness, _school, _class, _teacher, _pupils = world
    care, [(group, carer, _kids)] = school_with_classes(
        org.commune_a, org.year, school_type=SchoolType.CARE_FACILITY
    )
    require(org.period, ("g3-5", "kindness"))
    require(org.period, school_type=SchoolType.CARE_FACILITY)  # shares only
    give(kindness, group, carer)
    item = figures_of(care, org.period)
    assert not item.rule.has_topics
    assert item.status == ProgrammeStatus.IN_PROGRESS


# --- The rollup behind it ----------


def test_rollup_counts_a_pupil_once_per_topic_and_period_and_rebuilds(world):
    org, kindness, _school, school_class, _teacher, pupils = world
    second = topic_module("kindness", number=2)
    take_quiz(pupils[0], kindness)
    take_quiz(pupils[0], second)  # same topic and band: still one pupil
    take_quiz(pupils[1], second)
    band = AgeBand.objects.get(code="g3-5")
    row = ClassTopicRollup.objects.get(
        school_class=school_class, period=org.period, age_band=band
    )
    assert row.pupils_completed == 2
    assert rebuild.rollups_rebuild() == []

    ClassTopicRollup.objects.filter(pk=row.pk).update(pupils_completed=7)
    [difference] = rebuild.rollups_rebuild(fix=True)
    assert difference.table == "class_topic" and difference.expected == 2
    assert "class_topic class=" in difference.describe()
    assert rebuild.rollups_rebuild() == []


# --- The SQL totals and the Python detail agree ----------


def test_totals_and_detail_agree_on_every_class(world):
    org, kindness, school, school_class, teacher, pupils = world
    passwords = topic_module("passwords")
    require(org.period, ("g3-5", "kindness", Decimal("40")), ("g3-5", "passwords", 100))
    other, classes = school_with_classes(org.commune_b, org.year, classes=3, pupils=3)
    for pupil in pupils[:2]:  # 40 %: kindness covered
        take_quiz(pupil, kindness)
    session(school_class, passwords, teacher)
    for pupil in classes[0][2]:  # all three: passwords covered by completion
        take_quiz(pupil, passwords)
    session(classes[0][0], kindness, classes[0][1])
    take_quiz(classes[1][2][0], kindness)  # 1 of 3 < 40 %
    schools = School.objects.filter(pk__in=[school.pk, other.pk])
    rules = rules_for([org.period])
    totals, tallies = coverage_totals(
        schools=schools, periods=[org.period], rules=rules, topics_period=org.period
    )
    detail = coverage_detail(schools=schools, period=org.period, rules=rules)
    for item in (school, other):
        classes_of = detail[item.pk]
        counts = totals[(item.pk, org.period.pk)]
        assert counts.classes == len(classes_of)
        assert counts.classes_covered == sum(c.met for c in classes_of)
        assert counts.topics_covered == sum(c.covered_count for c in classes_of)
        for tally in tallies[item.pk]:
            cells = [
                cell
                for c in classes_of
                for cell in c.cells
                if cell.topic.key == (tally.band_id, tally.topic_id)
            ]
            assert tally.required == len(cells)
            assert tally.covered == sum(cell.covered for cell in cells)
    assert totals[(school.pk, org.period.pk)].classes_covered == 1
    assert totals[(other.pk, org.period.pk)].classes_covered == 1


# --- The rule screen ----------


def _post(period, *rows, **fields):
    data = {
        "min_class_share": "100",
        "min_pupil_share": "80",
        "grade_from": "1",
        "grade_to": "12",
        "chu-de-TOTAL_FORMS": str(len(rows) + 1),
        "chu-de-INITIAL_FORMS": "0",
        **fields,
    }
    for index, (band, topic, share) in enumerate(rows):
        data[f"chu-de-{index}-age_band"] = str(AgeBand.objects.get(code=band).pk)
        data[f"chu-de-{index}-topic"] = str(Topic.objects.get(code=topic).pk)
        data[f"chu-de-{index}-min_pupil_share"] = share
    data[f"chu-de-{len(rows)}-min_pupil_share"] = "80"  # an empty row
    return data


def test_officer_sets_required_topics_and_each_version_is_audited(
    client, world, english
):
    org, *_ = world
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    login_verified(client, chief)
    url = f"/bao-cao/tieu-chi/{org.period.pk}/"
    grades = {"grade_from": "3", "grade_to": "5"}
    response = client.post(url, _post(org.period, ("g3-5", "kindness", "75"), **grades))
    assert response.status_code == 302
    target = ProgrammeTarget.objects.get(period=org.period)
    [requirement] = target.topic_requirements.all()
    assert (requirement.topic.code, requirement.min_pupil_share) == ("kindness", 75)
    client.post(url, _post(org.period, **grades))  # topics removed
    assert not TopicRequirement.objects.exists()
    entries = AuditEntry.objects.filter(
        action="programme_target.save", target_id=str(target.pk)
    ).order_by("pk")
    first, second = entries
    assert first.details["before"] is None
    assert first.details["after"]["topics"] == [
        {"band": "g3-5", "topic": "kindness", "min_pupil_share": "75.00"}
    ]
    assert second.details["before"]["topics"] == first.details["after"]["topics"]
    assert second.details["after"]["topics"] == []
    page = client.get(url).content.decode()
    assert "Versions of this rule" in page and "g3-5: kindness" in page


def test_a_topic_without_a_live_module_for_its_band_is_refused(client, world, english):
    org, *_ = world
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    login_verified(client, chief)
    url = f"/bao-cao/tieu-chi/{org.period.pk}/"
    # Scams has no module at all; kindness has one only for grades 3-5.
    for band, topic, band_name, topic_name, first, last in (
        ("g3-5", "scams", "Grades 3-5 (ages 8-10)", "Scams, phishing and", 3, 5),
        ("g10-12", "kindness", "Grades 10-12 (ages 15-17)", KINDNESS, 10, 12),
    ):
        response = client.post(
            url,
            _post(org.period, (band, topic, "80"), grade_from=first, grade_to=last),
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "No published pupils&#x27; module covers the topic" in body
        assert band_name in body and topic_name in body
    assert not ProgrammeTarget.objects.exists()
    assert not AuditEntry.objects.filter(action="programme_target.save").exists()


def test_overlapping_rows_are_refused_and_nothing_is_written(world, english):
    org, *_ = world
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    band = AgeBand.objects.get(code="g3-5")
    kindness = Topic.objects.get(code="kindness")
    staff = AgeBand.objects.get(code="staff")
    rule = {
        "min_class_share": Decimal(100),
        "min_pupil_share": Decimal(80),
        "grade_from": 1,
        "grade_to": 12,
    }
    with pytest.raises(LmsError) as refused:
        programme_target_save(
            actor=chief,
            period=org.period,
            topics=[RequiredTopic(band, kindness), RequiredTopic(band, kindness, 50)],
            **rule,
        )
    assert refused.value.code == "topic_twice"
    assert KINDNESS in refused.value.message and "Grades 3-5" in refused.value.message
    with pytest.raises(LmsError) as refused:
        programme_target_save(
            actor=chief,
            period=org.period,
            topics=[RequiredTopic(staff, kindness)],
            **rule,
        )
    assert refused.value.code == "topic_band_not_pupils"
    assert not ProgrammeTarget.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_module_that_is_not_live_does_not_make_a_topic_coverable(world):
    org, *_ = world
    unpublished = topic_module("wellbeing")
    unpublished.unpublish()
    with pytest.raises(LmsError) as refused:
        programme_target_save(
            actor=officer(Role.PROVINCE_OFFICER, org.province),
            period=org.period,
            min_class_share=Decimal(100),
            min_pupil_share=Decimal(80),
            grade_from=3,
            grade_to=5,
            topics=[
                RequiredTopic(
                    AgeBand.objects.get(code="g3-5"),
                    Topic.objects.get(code="wellbeing"),
                )
            ],
        )
    assert refused.value.code == "topic_without_module"


def test_grades_the_rule_covers_without_a_required_topic_are_refused(world, english):
    org, *_ = world
    with pytest.raises(LmsError) as refused:
        programme_target_save(
            actor=officer(Role.PROVINCE_OFFICER, org.province),
            period=org.period,
            min_class_share=Decimal(100),
            min_pupil_share=Decimal(80),
            grade_from=1,
            grade_to=12,
            topics=[
                RequiredTopic(
                    AgeBand.objects.get(code="g3-5"), Topic.objects.get(code="kindness")
                )
            ],
        )
    assert refused.value.code == "topic_grades_without_topic"
    assert refused.value.message.startswith("Grades 1–2, 6–12 are covered")
    assert not ProgrammeTarget.objects.exists()


def test_a_care_facility_group_is_named_as_it_is(world, english):
    org, _kindness, *_ = world
    care, [(group, _carer, _kids)] = school_with_classes(
        org.commune_a, org.year, school_type=SchoolType.CARE_FACILITY
    )
    group.name = "Nhóm Sơn Ca"
    group.save()
    require(org.period, ("g3-5", "kindness"))
    [coverage] = detail_of(care, org.period)
    assert coverage.missing_texts() == [
        f"Nhóm Sơn Ca: topic {KINDNESS} not yet covered"
    ]


def test_the_share_follows_the_class_s_pupils_as_they_join_and_leave(world):
    """On PostgreSQL the classes' pupils are kept between views: never stale."""
    org, kindness, school, school_class, _teacher, pupils = world
    require(org.period, ("g3-5", "kindness", 50))
    for pupil in pupils[:3]:  # 3 of 5
        take_quiz(pupil, kindness)
    assert figures_of(school, org.period).classes_covered == 1
    newcomers = [make_pupil(school_class) for _ in range(2)]  # 3 of 7
    assert figures_of(school, org.period).classes_covered == 0
    Enrolment.objects.filter(pupil__in=newcomers).update(
        left_on=org.period.starts_on - datetime.timedelta(days=1),
        enrolled_on=org.period.starts_on - datetime.timedelta(days=30),
    )
    assert figures_of(school, org.period).classes_covered == 1  # 3 of 5 again
    assert detail_of(school, org.period)[0].pupils == 5


def test_a_session_counts_while_it_exists_where_it_is_dated(world):
    org, kindness, school, school_class, teacher, _pupils = world
    require(org.period, ("g3-5", "kindness"))
    taught = session(school_class, kindness, teacher)
    assert figures_of(school, org.period).sessions == 1
    assert figures_of(school, org.period).status == ProgrammeStatus.MET
    taught.taught_on = org.period.starts_on - datetime.timedelta(days=3)
    taught.save()  # moved before the period: it no longer counts in it
    item = figures_of(school, org.period)
    assert (item.sessions, item.status) == (0, ProgrammeStatus.IN_PROGRESS)
    assert rebuild.rollups_rebuild() == []
    taught.taught_on = timezone.localdate()
    taught.save()
    assert figures_of(school, org.period).status == ProgrammeStatus.MET
    taught.delete()
    item = figures_of(school, org.period)
    assert (item.sessions, item.status) == (0, ProgrammeStatus.IN_PROGRESS)
    assert rebuild.rollups_rebuild() == []
