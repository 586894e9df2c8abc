"""Modules for the gaps the issue named, grades 6-12: they load, a pupil reads them.

Gambling and in-game spending, dangerous challenges and livestreams, sexual content
(ages 11-14) and AI (ages 15-17) had no module; a pupil of the band opens each in
Vietnamese and English, with the 111 hotline where a child may need help.
"""

import pytest
from django.conf import settings
from django.core.management import call_command

from content_cms.curriculum.loader import CURRICULUM_DIR
from tests.factories import SchoolClassFactory, make_pupil

pytestmark = pytest.mark.django_db

# file, grade of the pupil who reads it, Vietnamese title, English title
GAP_MODULES = [
    (
        "g6-9/gambling.yaml",
        7,
        "Tiền thật trong trò chơi, rương may rủi và cờ bạc trực tuyến",
        "Real money in games, loot boxes and online gambling",
    ),
    (
        "g6-9/challenges.yaml",
        8,
        "Thử thách nguy hiểm và phát trực tiếp",
        "Dangerous challenges and livestreams",
    ),
    (
        "g6-9/sexual-content.yaml",
        6,
        "Cơ thể em là của em",
        "Your body belongs to you",
    ),
    (
        "g10-12/gambling.yaml",
        11,
        "Cá độ, cờ bạc trực tuyến và tiền trong trò chơi",
        "Betting, online gambling and money in games",
    ),
    (
        "g10-12/ai.yaml",
        12,
        "AI trong học tập và đời sống",
        "AI for study and everyday life",
    ),
]


def test_a_pupil_of_the_band_reads_each_module_in_both_languages(client):
    # One load for all five: loading is the slow part, and loading each file
    # (schema, rules, quiz versions) is what tests/content_cms/test_curriculum.py
    # checks for every file.
    call_command(
        "load_curriculum", *[str(CURRICULUM_DIR / path) for path, *_ in GAP_MODULES]
    )
    for path, grade, title_vi, title_en in GAP_MODULES:
        band, stem = path.removesuffix(".yaml").split("/")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
        client.force_login(make_pupil(SchoolClassFactory(grade=grade)))
        response = client.get(f"/bai-hoc/{band}-{stem}/")
        body = response.content.decode()
        assert response.status_code == 200, path
        assert title_vi in body, path
        assert "111" in body, path
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        assert title_en in client.get(f"/bai-hoc/{band}-{stem}/").content.decode()
