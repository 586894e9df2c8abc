"""What a pupil's phone stores to learn without a network: the offline bundle.

``offline_bundle_prepare`` answers ``POST /api/my/offline/`` (the pupil's home
asks, common/offline.js stores): for each module given to the pupil, the pages to
keep (every lesson section, the quiz's introduction and the quiz itself) and a
version that changes whenever any of them would (a republished module, a newly
published quiz, another language, a new sign-in, consent given); the phone stores
again only a module whose version changed. The routes tell the service worker
what a form sent without a network means: "Next" in a section records the section
read later (``/api/my/progress/<id>/sections/<n>/``, replayed in order) and opens
the next part; "Take the quiz" opens the stored quiz.

To be taken offline the quiz must exist on the server before the network goes:
preparing the bundle starts (or resumes) the pupil's attempt, pinned to the
quiz version published now (``quizzes.services.attempt_start_latest``: an
untouched attempt of an older version is set aside for a new one, kept for a
second phone that may hold it; one with answers keeps the version its answers
were given to). The stored quiz page is the one the pupil
sees online: questions and choices in the drawn order, never the right answers
(scoring stays on the server). Pictures are not listed: the phone takes them from
the stored pages, so they are named once, however many pages show them.

Nothing here is a deadline: the server stamps what arrives when it arrives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from content_cms.selectors import module_localized_quiz
from lms.learning import selectors as learning_selectors
from lms.learning import services as learning_services
from lms.models import User
from quizzes.errors import QuizError
from quizzes.services import attempt_start_latest

# A phone keeps at most this many modules (the soonest due first): a cheap
# phone's storage is small, and a class rarely has more open at once.
OFFLINE_MODULE_LIMIT = 8


@dataclass
class OfflineModule:
    id: int
    title: str
    version: str
    pages: list[str]


@dataclass
class OfflineBundle:
    user: int
    pages: list[str]
    modules: list[OfflineModule] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    posts: dict[str, dict] = field(default_factory=dict)

    @property
    def routes(self) -> dict:
        return {"aliases": self.aliases, "posts": self.posts}


def _attempt_take_url(attempt) -> str:
    try:
        return reverse("quizzes:attempt_take", args=[attempt.pk])
    except NoReverseMatch:  # the quiz pages are not mounted (a trimmed set-up)
        return f"/bai-kiem-tra/{attempt.pk}/"


def _offline_attempt(*, user: User, source, player):
    """Start or resume the attempt the stored quiz page shows, or None."""
    if not player.has_quiz or not learning_selectors.learner_may_record_learning(
        user=user
    ):
        return None
    quiz = module_localized_quiz(module=source)
    if quiz is None:
        return None
    try:
        return attempt_start_latest(
            user=user,
            quiz=quiz,
            context_key=learning_services.module_context_key(source),
            return_url=reverse("lms:module_result", args=[source.pk]),
        )
    except QuizError:  # no try left, or not published: read-only offline
        return None


def _version(*parts) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[
        :16
    ]


def offline_bundle_prepare(*, user: User) -> OfflineBundle:
    """Return what the user's phone keeps for offline learning; start quizzes.

    A write (it may start an attempt), so the API answers it to a POST only.
    Modules are the ones given to the user (``my_assignments``, scoped there);
    finished ones are kept for reading, without their quiz.
    """
    bundle = OfflineBundle(user=user.pk, pages=[settings.PWA_START_URL])
    items = learning_selectors.my_assignments(pupil=user)[:OFFLINE_MODULE_LIMIT]
    for item in items:
        player = learning_selectors.player_module(user=user, module_id=item.source_id)
        if player is None or not player.section_count:
            continue
        source = player.source
        sections = [
            reverse("lms:module_section", args=[source.pk, index])
            for index in range(player.section_count)
        ]
        quiz_intro = reverse("lms:module_quiz", args=[source.pk])
        attempt = (
            None
            if item.is_done
            else _offline_attempt(user=user, source=source, player=player)
        )
        pages = list(sections)
        if player.has_quiz:
            pages.append(quiz_intro)
        after_sections = quiz_intro if player.has_quiz else settings.PWA_START_URL
        for index, url in enumerate(sections):
            bundle.posts[url] = {
                "next": sections[index + 1]
                if index + 1 < len(sections)
                else after_sections,
                "replay": reverse(
                    "lms-api:my-progress-section", args=[source.pk, index]
                ),
                "body": {},
            }
        if attempt is not None:
            take_url = _attempt_take_url(attempt)
            pages.append(take_url)
            bundle.posts[quiz_intro] = {"next": take_url}
        progress = learning_selectors.progress_for(user=user, module=source)
        position = progress.current_section if progress is not None else 0
        bundle.aliases[reverse("lms:module_resume", args=[source.pk])] = (
            sections[position]
            if position < len(sections) and not item.is_done
            else (quiz_intro if player.has_quiz and not item.is_done else sections[0])
        )
        bundle.modules.append(
            OfflineModule(
                id=source.pk,
                title=player.page.title,
                version=_version(
                    player.page.pk,
                    player.page.latest_revision_id,
                    player.page.last_published_at,
                    source.latest_revision_id,
                    source.last_published_at,
                    attempt.pk if attempt else "",
                    attempt.version_id if attempt else "",
                    item.is_done,
                    get_language(),
                    user.last_login,
                ),
                pages=pages,
            )
        )
    return bundle
