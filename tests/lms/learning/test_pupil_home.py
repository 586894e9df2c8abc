"""The pupil's home: assigned modules by urgency, continue, suggestions, few queries."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from lms.learning import selectors as learning_selectors
from lms.learning import services as learning_services
from tests.factories import SchoolClassFactory, make_pupil, make_teacher
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    allow_learning_records()
    return SchoolClassFactory(grade=4)


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


def assign(teacher, school_class, module, *, due_in=None, opens_in=0, pupils=None):
    today = timezone.localdate()
    return learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=module,
        opens_on=today + datetime.timedelta(days=opens_in) if opens_in >= 0 else today,
        due_on=None if due_in is None else today + datetime.timedelta(days=due_in),
        pupils=pupils,
    )


def backdate(assignment, *, opened_days_ago: int, due_days_ago: int):
    today = timezone.localdate()
    assignment.opens_on = today - datetime.timedelta(days=opened_days_ago)
    assignment.due_on = today - datetime.timedelta(days=due_days_ago)
    assignment.save()


def test_home_groups_assignments_by_urgency(teacher, school_class):
    pupil = make_pupil(school_class)
    late = learning_module(title="Tre", slug="tre")
    soon = learning_module(title="Sap", slug="sap")
    later = learning_module(title="Sau", slug="sau")
    done = learning_module(title="Xong", slug="xong", sections=1)
    hidden = learning_module(title="Chua mo", slug="chua-mo")
    other_group = learning_module(title="Nhom khac", slug="nhom-khac")
    backdate(assign(teacher, school_class, late), opened_days_ago=10, due_days_ago=1)
    assign(teacher, school_class, soon, due_in=3)
    assign(teacher, school_class, later, due_in=4)
    assign(teacher, school_class, done, due_in=1)
    assign(teacher, school_class, hidden, opens_in=2)
    assign(teacher, school_class, other_group, pupils=[make_pupil(school_class)])
    learning_services.progress_section_complete(
        user=pupil, module=done, section_index=0, seconds=1
    )
    take_quiz(pupil, done, correct=True)

    home = learning_selectors.pupil_home(pupil=pupil)
    assert [i.source_id for i in home.overdue] == [late.pk]
    assert [i.source_id for i in home.due_soon] == [soon.pk]
    assert [i.source_id for i in home.todo] == [later.pk]
    assert [(i.source_id, i.status) for i in home.done] == [(done.pk, "passed")]


def test_continue_is_the_latest_module_in_progress(teacher, school_class):
    pupil = make_pupil(school_class)
    first = learning_module(title="Mot", slug="mot")
    second = learning_module(title="Hai", slug="hai")
    assign(teacher, school_class, first)
    for module in (first, second):
        learning_services.progress_section_complete(
            user=pupil, module=module, section_index=0, seconds=1
        )
    home = learning_selectors.pupil_home(pupil=pupil)
    assert home.continue_module.source_id == second.pk
    assert home.continue_module.progress.current_section == 1


def test_suggestions_are_of_my_age_band_and_not_assigned(teacher, school_class):
    pupil = make_pupil(school_class)
    assigned = learning_module(title="Giao", slug="giao")
    suggested = learning_module(title="Goi y", slug="goi-y")
    learning_module(title="Lon hon", slug="lon-hon", age_band="g6-9")
    assign(teacher, school_class, assigned)
    home = learning_selectors.pupil_home(pupil=pupil)
    assert [card.source_id for card in home.suggestions] == [suggested.pk]


def test_the_home_page_shows_it(client, teacher, school_class):
    pupil = make_pupil(school_class)
    module = learning_module(title="Bai cua lop", slug="bai-cua-lop")
    assign(teacher, school_class, module, due_in=2)
    client.force_login(pupil)
    body = client.get("/app/").content.decode()
    assert "Bai cua lop" in body
    assert f'href="/hoc/{module.pk}/"' in body
    assert 'id="certificates-heading"' in body
    assert 'class="help-button"' in body


def test_home_reads_in_a_bounded_number_of_queries(
    teacher, school_class, django_assert_max_num_queries
):
    pupil = make_pupil(school_class)
    modules = [learning_module(title=f"Bai {n}", slug=f"bai-{n}") for n in range(8)]
    for index, module in enumerate(modules[:6]):
        assign(teacher, school_class, module, due_in=index)
        learning_services.progress_section_complete(
            user=pupil, module=module, section_index=0, seconds=1
        )
    # Enrolment, progress, assignments, age band, suggestions, content_cms's
    # own reads (view restrictions, the default and active locales), and the
    # pupil's roles for the age rule (read once per request; the home page has
    # them already): 10 whatever the number of modules.
    with django_assert_max_num_queries(10):
        home = learning_selectors.pupil_home(pupil=pupil)
        assert len(home.suggestions) == 2 and home.continue_module is not None
    for index, module in enumerate(modules[6:]):
        assign(teacher, school_class, module, due_in=index)
    with django_assert_max_num_queries(10):
        learning_selectors.pupil_home(pupil=pupil)


def test_a_failed_quiz_is_not_praised_as_done(client, teacher, school_class):
    """Read to the end, quiz failed (0 % against a pass mark): the home page puts
    it under "not passed yet, try again", never under "Done: well done!"."""
    pupil = make_pupil(school_class)
    failed = learning_module(title="Chua dat", slug="chua-dat", sections=1)
    assign(teacher, school_class, failed, due_in=5)
    learning_services.progress_section_complete(
        user=pupil, module=failed, section_index=0, seconds=1
    )
    take_quiz(pupil, failed, correct=False)

    home = learning_selectors.pupil_home(pupil=pupil)
    assert [(i.source_id, i.status) for i in home.not_passed] == [
        (failed.pk, "completed")
    ]
    assert home.done == []
    client.force_login(pupil)
    body = client.get("/app/").content.decode()
    assert "Chua dat" in body
    assert "em giỏi lắm" not in body  # "Done: well done!"
    assert "Đã hoàn thành" not in body  # "Completed"
    with translation.override("vi"):  # the words as the catalogue has them
        heading = gettext("Not passed yet: try the quiz again")
        badge = pgettext("module progress", "Not passed yet")
    assert heading in body
    assert f'<span class="badge warn">{badge}</span>' in body


def test_a_module_without_quiz_read_to_the_end_is_done(teacher, school_class):
    pupil = make_pupil(school_class)
    read = learning_module(title="Doc", slug="doc", sections=1, with_quiz=False)
    assign(teacher, school_class, read)
    learning_services.progress_section_complete(
        user=pupil, module=read, section_index=0, seconds=1
    )
    home = learning_selectors.pupil_home(pupil=pupil)
    assert [(i.source_id, i.status) for i in home.done] == [(read.pk, "completed")]
    assert home.not_passed == []
