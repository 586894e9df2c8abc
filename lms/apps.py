from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    """The school layer: organisation, people, roles, assignments and reports."""

    name = "lms"
    verbose_name = _("Schools and people")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from lms.people.roles import role_groups_sync

        # Role groups carry the permissions of each role; keep them in step with
        # lms/people/roles.py after every migrate, so a deploy never leaves them stale.
        # post_migrate fires once per app; the sync waits for the last one, when
        # every app's permissions exist.
        post_migrate.connect(role_groups_sync, dispatch_uid="lms.role_groups_sync")

        from lms.learning.services import on_attempt_submitted
        from quizzes.signals import attempt_submitted

        # The learning loop: a quiz submitted in a module updates the learner's
        # progress and the rollups inside the quiz engine's submit transaction.
        attempt_submitted.connect(
            on_attempt_submitted, dispatch_uid="lms.progress_on_attempt_submitted"
        )

        from django.db.models.signals import post_save

        from lms.learning.progress_live import on_module_completed, on_progress_saved
        from lms.models import ModuleProgress
        from lms.signals import module_completed

        # Live class progress grids: after commit, tell the pupil's classes.
        module_completed.connect(
            on_module_completed, dispatch_uid="lms.progress_live_completed"
        )
        post_save.connect(
            on_progress_saved,
            sender=ModuleProgress,
            dispatch_uid="lms.progress_live_saved",
        )

        from wagtail.users.models import UserProfile

        from lms.accounts.wagtail_profile import on_profile_saved, on_user_saved
        from lms.models import User

        # One language per person, in the product and in Wagtail's admin e-mails.
        post_save.connect(on_user_saved, sender=User, dispatch_uid="lms.lang_user")

        from django.db.models.signals import post_delete, pre_save

        from lms.learning.rollups import (
            on_session_deleted,
            on_session_pre_save,
            on_session_saved,
        )
        from lms.models import TeachingSession

        # A teaching session counts toward its class's topics and its school's
        # period in the transaction that saves or deletes it (the rollups).
        pre_save.connect(
            on_session_pre_save, sender=TeachingSession, dispatch_uid="lms.session_pre"
        )
        post_save.connect(
            on_session_saved, sender=TeachingSession, dispatch_uid="lms.session_saved"
        )
        post_delete.connect(
            on_session_deleted,
            sender=TeachingSession,
            dispatch_uid="lms.session_deleted",
        )
        post_save.connect(
            on_profile_saved, sender=UserProfile, dispatch_uid="lms.lang_profile"
        )
