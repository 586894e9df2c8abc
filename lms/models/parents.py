"""Parents and guardians with an account, and the children they follow.

A parent signs up with the code printed on their child's consent slip: no e-mail,
a username and a password. ``ParentLink`` says which child a parent follows, from
which slip and since when; a parent reaches only their linked children. A phone
number is kept only when the parent gives it, with the purpose they gave it for
(``ParentPhone``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ParentLink(models.Model):
    """One parent or guardian following one child, linked with a consent slip."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("parent or guardian"),
        on_delete=models.CASCADE,
        related_name="children_links",
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pupil"),
        on_delete=models.CASCADE,
        related_name="parent_links",
    )
    slip = models.OneToOneField(
        "lms.ConsentSlip",
        verbose_name=_("consent slip"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parent_link",
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("parent link")
        verbose_name_plural = _("parent links")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "pupil"], name="parent_link_unique_parent_pupil"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} · {self.pupil_id}"


class PhonePurpose(models.TextChoices):
    SCHOOL_CONTACT = "school_contact", _("So the school can call me about my child")


class ParentPhone(models.Model):
    """A phone number a parent chose to give, and what for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="parent_phone",
    )
    number = models.CharField(_("phone number"), max_length=20)
    purpose = models.CharField(
        _("purpose"),
        max_length=32,
        choices=PhonePurpose.choices,
        default=PhonePurpose.SCHOOL_CONTACT,
    )
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("parent's phone number")
        verbose_name_plural = _("parents' phone numbers")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.get_purpose_display()}"
