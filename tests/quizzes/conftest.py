import pytest

from tests.content_cms.factories import build_quiz
from tests.quizzes.attempt_helpers import make_pupil_user


@pytest.fixture
def pupil(db):
    return make_pupil_user()


@pytest.fixture
def other_pupil(db):
    return make_pupil_user()


@pytest.fixture
def quiz(db):
    return build_quiz()
