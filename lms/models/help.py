"""A child's request for help, and what the school did about it.

A ``HelpRequest`` is the most confidential record the platform holds. It reaches
the counsellors of the pupil's school (or the school administrators when the
school has no counsellor, or when nobody acknowledged it in time); nobody else,
not even the pupil's own teacher, may read it. Who may see one is decided in
``lms.safeguarding.selectors``; every view and change is written to ``AuditEntry``.
``HelpRequestAction`` records what the adults did: notes, referrals, status
changes. Officers above the school see only anonymous counts.

The lifecycle is data: received (``created_at``) → acknowledged
(``acknowledged_at``, due by ``ack_due_at``) → actions (``first_action_at`` is the
first of them; a referral to the commune child-protection officer sets
``referred_unit``) → closed with an ``outcome``. Deadlines come from the
province's ``HelpDeadlines`` and are fixed on the request when it arrives.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MESSAGE_MAX_LENGTH = 1000


class HelpCategory(models.TextChoices):
    BOTHERED = "bothered", _("Someone is bothering me")
    PHOTOS_OR_MEETING = "photos_or_meeting", _("Someone asked for photos or to meet")
    UPSETTING = "upsetting", _("I saw something upsetting")
    TRICKED = "tricked", _("I was tricked or lost an account")
    OTHER = "other", _("Something else")


# Grooming (photos, meeting) and bullying can put a child in danger within hours:
# these get hotline 111 first on the confirmation screen and a shorter deadline.
# Scams and lost accounts hurt, but a counsellor the next school day is in time.
SERIOUS_CATEGORIES = frozenset({HelpCategory.BOTHERED, HelpCategory.PHOTOS_OR_MEETING})


class HelpWish(models.TextChoices):
    TEACHER = "teacher", _("A teacher")
    COUNSELLOR = "counsellor", _("The school counsellor")
    EITHER = "either", _("Either is fine")


class HelpStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("help request status", "In progress")
    CLOSED = "closed", _("Closed")


class HelpOutcome(models.TextChoices):
    SUPPORTED_AT_SCHOOL = "supported_at_school", _("Supported at school")
    REFERRED_SUPPORTED = "referred_supported", _("Referred and supported")
    DECLINED = "declined", _("The child or family declined help")
    NOT_SAFETY = "not_safety", _("Not a safety matter")
    MOVED_AWAY = "moved_away", _("The child moved away")
    NO_CONTACT = "no_contact", _("Could not reach the child")


# Outcomes that mean the child was supported: the plan's target 2.
SUPPORTED_OUTCOMES = frozenset(
    {HelpOutcome.SUPPORTED_AT_SCHOOL, HelpOutcome.REFERRED_SUPPORTED}
)

# The defaults a province starts with (HelpDeadlines without a row).
DEFAULT_SERIOUS_HOURS = 24
DEFAULT_OTHER_SCHOOL_DAYS = 3


def add_school_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """Return ``start`` plus ``days`` school days: time counts Monday to Friday only.

    A school day is a whole weekday (00:00-24:00, Vietnam time); Saturday and
    Sunday do not count. Sent on Friday at 15:00, three school days end on
    Wednesday at 15:00; sent on Saturday, they end at the end of Wednesday.
    Public holidays count as school days (the province may allow more days).
    """
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = start.astimezone(zone)
    remaining = datetime.timedelta(days=days)
    while True:
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        next_day = day_start + datetime.timedelta(days=1)  # Vietnam keeps no DST
        if local.weekday() < 5:
            left_today = next_day - local
            if remaining <= left_today:
                return (local + remaining).astimezone(datetime.UTC)
            remaining -= left_today
        local = next_day


class HelpDeadlines(models.Model):
    """How long a province gives its schools to acknowledge a request.

    One row per province (a root administrative unit), edited by its officers.
    A request that is not acknowledged by its deadline is escalated to the school
    administrators; one more deadline later, to the commune child-protection officer.
    """

    unit = models.OneToOneField(
        "lms.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="help_deadlines",
    )
    serious_hours = models.PositiveSmallIntegerField(
        _("serious requests: acknowledge within (hours)"),
        default=DEFAULT_SERIOUS_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )
    other_school_days = models.PositiveSmallIntegerField(
        _("other requests: acknowledge within (school days)"),
        default=DEFAULT_OTHER_SCHOOL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("help request deadlines")
        verbose_name_plural = _("help request deadlines")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.serious_hours} h / {self.other_school_days} d"

    def due_after(self, start: datetime.datetime, *, serious: bool):
        """Return when a request received (or escalated) at ``start`` is due."""
        if serious:
            return start + datetime.timedelta(hours=self.serious_hours)
        return add_school_days(start, self.other_school_days)


class HelpSource(models.TextChoices):
    PUPIL = "pupil", _("The pupil")
    PARENT = "parent", _("A parent or guardian")
    COMMUNITY = "community", _("Someone in the community")


class HelpRequest(models.Model):
    """One request for help, routed to the adults of a school or to a commune.

    A pupil asks for themself; a parent raises a concern about their linked child
    (``pupil`` is the child, ``raised_by`` the parent, routed to the child's
    school); anyone may report a concern from the public page (no pupil, no
    school, no account: ``commune`` says where, for the commune's officer).
    """

    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    school = models.ForeignKey(
        "lms.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    source = models.CharField(
        _("raised by"),
        max_length=16,
        choices=HelpSource.choices,
        default=HelpSource.PUPIL,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commune = models.ForeignKey(
        "lms.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(
        _("what happened"), max_length=32, choices=HelpCategory.choices
    )
    message = models.TextField(
        _("in the pupil's words"), max_length=MESSAGE_MAX_LENGTH, blank=True
    )
    wants_to_talk_to = models.CharField(
        _("wants to talk to"),
        max_length=16,
        choices=HelpWish.choices,
        default=HelpWish.EITHER,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=HelpStatus.choices, default=HelpStatus.NEW
    )
    created_at = models.DateTimeField(_("sent at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The deadlines in force when the request arrived (HelpDeadlines): to be
    # acknowledged by ``ack_due_at``; still unacknowledged at ``commune_due_at``,
    # it goes to the commune child-protection officer.
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    commune_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when nobody acknowledged the request in time; from then on the school
    # administrators see it too, flagged.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Set when it was still unacknowledged one deadline later: the commune's
    # child-protection officer sees it from then on.
    escalated_to_commune_at = models.DateTimeField(
        _("escalated to the commune at"), null=True, blank=True
    )
    first_action_at = models.DateTimeField(_("first action at"), null=True, blank=True)
    # The commune whose child-protection officer the school referred the child to
    # (always the school's own commune).
    referred_unit = models.ForeignKey(
        "lms.AdministrativeUnit",
        verbose_name=_("referred to the commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_referrals",
    )
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=32, choices=HelpOutcome.choices, blank=True
    )
    # Set by retention or erasure when the free text was removed.
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "escalated_at", "created_at"]),
            models.Index(fields=["school", "created_at"]),
        ]

    def __str__(self) -> str:
        # Never the pupil's name or words: this string may reach logs.
        return f"#{self.pk} · {self.get_category_display()}"

    @property
    def is_serious(self) -> bool:
        return self.category in SERIOUS_CATEGORIES

    @property
    def time_to_acknowledge(self):
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.created_at


class HelpActionKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    TALKED = "talked", _("Talked with the child")
    FAMILY = "family", _("Informed the family")
    NOTE = "note", _("Action taken")
    REFERRAL = "referral", _("Referral")
    STATUS = "status", _("Status changed")
    ESCALATED = "escalated", _("Escalated to the school administrators")
    ESCALATED_COMMUNE = "to_commune", _("Escalated to the commune officer")


# What an adult records having done (the form's choices); the others are the
# flow's own steps.
ACTION_KINDS = (HelpActionKind.TALKED, HelpActionKind.FAMILY, HelpActionKind.NOTE)


class Referral(models.TextChoices):
    COMMUNE = "commune_officer", _("Commune child-protection officer")
    HOTLINE_111 = "hotline_111", _("Hotline 111")
    PARENTS = "parents", _("Parents or guardians")
    POLICE = "police", _("Police")
    HEALTH = "health", _("Health service")


class HelpRequestAction(models.Model):
    """One thing an adult did about a request: a note, a referral, a status change."""

    help_request = models.ForeignKey(
        HelpRequest, on_delete=models.CASCADE, related_name="actions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=16, choices=HelpActionKind.choices)
    referral = models.CharField(
        _("referred to"), max_length=16, choices=Referral.choices, blank=True
    )
    status = models.CharField(max_length=16, choices=HelpStatus.choices, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("help request action")
        verbose_name_plural = _("help request actions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.help_request_id} · {self.get_kind_display()}"
