"""The module player: resume on any device, sections, quiz start, result, language."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext
from wagtail.models import Locale

from lms.learning import views as learning_views
from lms.models import ClassModuleRollup, ModuleProgress, ProgressStatus
from lms.signals import module_completed
from quizzes.models import Attempt
from quizzes.services import attempt_submit
from tests.factories import SchoolClassFactory, make_pupil
from tests.lms.learning_helpers import (
    allow_learning_records,
    answer_all,
    learning_module,
    take_quiz,
    translate_module,
)
from tests.quizzes.attempt_helpers import build_configured_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil():
    allow_learning_records()
    return make_pupil(SchoolClassFactory(grade=4))


@pytest.fixture
def module():
    return learning_module()


@pytest.fixture
def pupil_client(client, pupil):
    client.force_login(pupil)
    return client


def section_url(module, index):
    return f"/hoc/{module.pk}/phan/{index}/"


def read(client, module, index):
    client.get(section_url(module, index))
    return client.post(section_url(module, index))


def test_a_new_module_starts_at_its_first_section(pupil_client, module):
    response = pupil_client.get(f"/hoc/{module.pk}/")
    assert response.status_code == 302
    assert response.url == section_url(module, 0)


def test_a_section_shows_its_blocks_progress_and_scripts(pupil_client, module):
    body = pupil_client.get(section_url(module, 1)).content.decode()
    assert "Lời khuyên số 2." in body  # the tip block of section 2
    assert "2/3" in body and '<progress max="3" value="2"' in body
    assert "common/read_aloud.js" in body and "content_cms/scenario.js" in body
    assert f'href="{section_url(module, 0)}"' in body  # back
    assert f'action="{section_url(module, 1)}"' in body  # next


def test_leaving_and_coming_back_on_another_device_resumes(client, pupil, module):
    client.force_login(pupil)
    assert read(client, module, 0).url == section_url(module, 1)
    client.get(section_url(module, 1))
    client.logout()

    other_device = Client()
    other_device.force_login(pupil)
    assert other_device.get(f"/hoc/{module.pk}/").url == section_url(module, 1)
    # Going back is remembered too: the pupil resumes exactly where they were.
    other_device.get(section_url(module, 0))
    third_device = Client()
    third_device.force_login(pupil)
    assert third_device.get(f"/hoc/{module.pk}/").url == section_url(module, 0)


def test_reading_time_is_measured_by_the_server_and_capped(pupil_client, module):
    pupil_client.get(section_url(module, 0))
    session = pupil_client.session
    session[learning_views.VIEW_SESSION_KEY]["at"] -= 125
    session.save()
    pupil_client.post(section_url(module, 0))
    progress = ModuleProgress.objects.get(module=module)
    assert 125 <= progress.time_spent_seconds < 130

    # A page left open for hours earns at most the cap.
    pupil_client.get(section_url(module, 1))
    session = pupil_client.session
    session[learning_views.VIEW_SESSION_KEY]["at"] -= 3 * 60 * 60
    session.save()
    pupil_client.post(section_url(module, 1))
    progress.refresh_from_db()
    assert progress.time_spent_seconds < 130 + 15 * 60 + 5

    # A "Next" without viewing the page (a replayed form) earns nothing.
    before = progress.time_spent_seconds
    pupil_client.post(section_url(module, 2))
    progress.refresh_from_db()
    assert progress.time_spent_seconds == before
    assert progress.sections_completed == [0, 1, 2]


def test_missing_sections_and_hidden_modules_are_404(pupil_client, module, client):
    assert pupil_client.get(section_url(module, 3)).status_code == 404
    assert pupil_client.get("/hoc/999999/").status_code == 404
    draft = learning_module(title="Nhap", slug="nhap-2", with_quiz=False)
    draft.unpublish()
    assert pupil_client.get(f"/hoc/{draft.pk}/").status_code == 404
    assert pupil_client.get(f"/hoc/{draft.pk}/ket-qua/").status_code == 404
    assert pupil_client.post(f"/hoc/{draft.pk}/bai-kiem-tra/").status_code == 404
    pupil_client.logout()
    assert pupil_client.get(f"/hoc/{module.pk}/").status_code == 302  # sign in


def test_the_whole_loop_from_first_section_to_passed(pupil_client, pupil, module):
    sent = []
    module_completed.connect(
        lambda sender, **kw: sent.append(kw), dispatch_uid="player-e2e", weak=False
    )
    try:
        for index in range(3):
            response = read(pupil_client, module, index)
        assert response.url == f"/hoc/{module.pk}/bai-kiem-tra/"
        intro = pupil_client.get(response.url).content.decode()
        assert f'action="/hoc/{module.pk}/bai-kiem-tra/"' in intro

        started = pupil_client.post(f"/hoc/{module.pk}/bai-kiem-tra/")
        attempt = Attempt.objects.get(user=pupil)
        assert started.url == f"/bai-kiem-tra/{attempt.pk}/"
        assert attempt.context_key == f"module:{module.pk}"
        assert attempt.return_url == f"/hoc/{module.pk}/ket-qua/"
        assert pupil_client.get(started.url).status_code == 200

        answer_all(attempt, pupil, correct=True)
        attempt_submit(attempt=attempt, user=pupil)
        attempt_submit(attempt=attempt, user=pupil)  # a double click
    finally:
        module_completed.disconnect(dispatch_uid="player-e2e")

    progress = ModuleProgress.objects.get(user=pupil, module=module)
    assert progress.status == ProgressStatus.PASSED
    assert len(sent) == 1 and sent[0]["newly_passed"]
    rollup = ClassModuleRollup.objects.get(module=module)
    assert (rollup.pupils_completed, rollup.pupils_passed) == (1, 1)

    assert pupil_client.get(f"/hoc/{module.pk}/").url == f"/hoc/{module.pk}/ket-qua/"
    result = pupil_client.get(f"/hoc/{module.pk}/ket-qua/").content.decode()
    assert 'class="badge ok"' in result and "100%" in result
    assert "Làm lại bài kiểm tra</button>" in result  # "Try the quiz again"
    # Retaking is allowed (no limit): a new attempt in the same context.
    retake = pupil_client.post(f"/hoc/{module.pk}/bai-kiem-tra/")
    assert retake.status_code == 302
    assert Attempt.objects.filter(user=pupil).count() == 2


def test_a_quiz_refusal_is_a_message_not_an_error(pupil_client, pupil):
    quiz = build_configured_quiz(attempts_allowed=1)
    module = learning_module(title="Mot lan", slug="mot-lan", quiz=quiz)
    pupil_client.post(f"/hoc/{module.pk}/bai-kiem-tra/")
    attempt = Attempt.objects.get(user=pupil)
    answer_all(attempt, pupil, correct=False)
    attempt_submit(attempt=attempt, user=pupil)

    result = pupil_client.get(f"/hoc/{module.pk}/ket-qua/").content.decode()
    assert f'action="/hoc/{module.pk}/bai-kiem-tra/"' not in result  # no retake
    response = pupil_client.post(f"/hoc/{module.pk}/bai-kiem-tra/", follow=True)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert Attempt.objects.filter(user=pupil).count() == 1


def test_a_class_live_game_leaves_the_pupils_own_try(pupil_client, pupil):
    from quizzes.live.seats import live_player_join
    from tests.quizzes.live.helpers import make_session, play_to_the_end, right_choice

    quiz = build_configured_quiz(attempts_allowed=1)
    module = learning_module(title="Mot lan", slug="mot-lan", quiz=quiz)
    session = make_session(quiz=quiz)
    seat = live_player_join(session=session, user=pupil).player
    play_to_the_end(session, [(seat, right_choice(session, 0))])
    assert ModuleProgress.objects.get(user=pupil, module=module).attempts_count == 1

    result = pupil_client.get(f"/hoc/{module.pk}/ket-qua/").content.decode()
    assert f'action="/hoc/{module.pk}/bai-kiem-tra/"' in result  # may still take it
    # "N tries so far" counts what the limit counts: the game was not a try.
    assert "Em đã làm" not in result
    # So the button offers a first try, not a try "again".
    assert "Làm bài kiểm tra</button>" in result
    assert "Làm lại bài kiểm tra" not in result
    pupil_client.post(f"/hoc/{module.pk}/bai-kiem-tra/")
    own = Attempt.objects.get(user=pupil, context_key=f"module:{module.pk}")
    answer_all(own, pupil)
    attempt_submit(attempt=own, user=pupil)
    result = pupil_client.get(f"/hoc/{module.pk}/ket-qua/").content.decode()
    assert f'action="/hoc/{module.pk}/bai-kiem-tra/"' not in result  # used up
    assert "Em đã làm 1 lần" in result  # "1 try so far", not 2


def test_without_consent_the_quiz_waits_with_a_kind_word(client, module):
    pupil = make_pupil(SchoolClassFactory(grade=4))  # no consent, read-only default
    client.force_login(pupil)
    assert client.get(section_url(module, 0)).status_code == 200
    intro = client.get(f"/hoc/{module.pk}/bai-kiem-tra/").content.decode()
    assert "notice-box" in intro
    assert f'action="/hoc/{module.pk}/bai-kiem-tra/"' not in intro
    client.post(f"/hoc/{module.pk}/bai-kiem-tra/")
    assert not Attempt.objects.exists()


def test_english_learners_read_the_translation_with_fallback(
    pupil_client, pupil, module
):
    english = translate_module(module, title="My secrets", sections=2)
    pupil_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The English page's id leads to the same module, kept on the source page.
    assert pupil_client.get(f"/hoc/{english.pk}/").url == section_url(module, 0)
    first = pupil_client.get(section_url(module, 0)).content.decode()
    assert "English part 1" in first and "My secrets" in first
    assert 'lang="en"' in first
    # The translation lacks the third section: the Vietnamese one is shown.
    third = pupil_client.get(section_url(module, 2)).content.decode()
    assert "Lời khuyên số 3." in third
    pupil_client.post(section_url(module, 0))
    assert ModuleProgress.objects.get(user=pupil).module_id == module.pk


def test_a_module_without_translation_is_shown_in_vietnamese(pupil_client, module):
    pupil_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = pupil_client.get(section_url(module, 0)).content.decode()
    assert "Bí mật của em" in body and "Lời khuyên số 1." in body


def test_an_english_quiz_is_started_for_english_learners(pupil_client, pupil, module):
    english_quiz = module.quiz.copy_for_translation(
        Locale.objects.get(language_code="en")
    )
    english_quiz.title = "Secrets quiz"
    english_quiz.save()
    english_quiz.save_revision().publish()
    pupil_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pupil_client.post(f"/hoc/{module.pk}/bai-kiem-tra/")
    attempt = Attempt.objects.get(user=pupil)
    assert attempt.quiz_id == english_quiz.pk
    assert attempt.context_key == f"module:{module.pk}"


def test_a_module_without_quiz_ends_on_its_result(pupil_client, pupil):
    module = learning_module(title="Doc thoi", slug="doc-thoi", with_quiz=False)
    for index in range(3):
        response = read(pupil_client, module, index)
    assert response.url == f"/hoc/{module.pk}/ket-qua/"
    assert ModuleProgress.objects.get(user=pupil).status == ProgressStatus.COMPLETED


def test_a_failed_quiz_ends_on_an_honest_result(pupil_client, pupil, module):
    """The quiz failed: the result says "not passed yet" and offers another try;
    no "Completed" badge, no praise."""
    for index in range(3):
        read(pupil_client, module, index)
    take_quiz(pupil, module, correct=False)
    assert ModuleProgress.objects.get(user=pupil).status == ProgressStatus.COMPLETED

    result = pupil_client.get(f"/hoc/{module.pk}/ket-qua/").content.decode()
    assert 'class="badge ok"' not in result
    assert "Đã hoàn thành" not in result  # "Completed"
    assert "Giỏi lắm" not in result  # "Well done!"
    with translation.override("vi"):  # the words as the catalogue has them
        badge = pgettext("module progress", "Not passed yet")
        try_again = gettext(
            "You have not passed the quiz yet. Read the lessons again if you like, "
            "then try once more: every try helps you learn."
        )
    assert f'<span class="badge warn">{badge}</span>' in result
    assert try_again in result
    assert "Làm lại bài kiểm tra</button>" in result  # "Try the quiz again"
