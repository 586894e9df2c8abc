"""One language per person, in the product and in Wagtail's admin.

A person's language is ``User.preferred_language`` (the account page, the
language switch). Wagtail keeps its own in ``UserProfile.preferred_language``, and
its e-mails (a module submitted for review, changes requested) go out in that one,
falling back to the language of whoever triggered them: a Vietnamese editor's
submission reached an English-speaking reviewer in Vietnamese. The two are kept
in step both ways here; ``QuerySet.update`` writes the other side, so neither
receiver sets off the other.
"""

from __future__ import annotations

from django.conf import settings

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def on_user_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    """The person chose a language: their Wagtail profile follows, if they have one."""
    if created:
        return  # no profile yet: Wagtail makes it when needed (on_profile_saved)
    if update_fields is not None and "preferred_language" not in update_fields:
        return  # a sign-in's last_login, a password change: not the language
    from wagtail.users.models import UserProfile

    UserProfile.objects.filter(user_id=instance.pk).exclude(
        preferred_language=instance.preferred_language
    ).update(preferred_language=instance.preferred_language)


def on_profile_saved(sender, instance, created, **kwargs) -> None:
    """Wagtail made or changed a profile: a new one starts in the person's language;
    a language chosen on Wagtail's account page becomes the person's language."""
    from lms.models import User

    if created or not instance.preferred_language:
        language = (
            User.objects.filter(pk=instance.user_id)
            .values_list("preferred_language", flat=True)
            .first()
        )
        if language:
            type(instance).objects.filter(pk=instance.pk).update(
                preferred_language=language
            )
            instance.preferred_language = language
    elif instance.preferred_language in SUPPORTED:
        User.objects.filter(pk=instance.user_id).exclude(
            preferred_language=instance.preferred_language
        ).update(preferred_language=instance.preferred_language)
