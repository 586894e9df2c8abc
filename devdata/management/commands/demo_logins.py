"""``manage.py demo_logins``: the demo accounts, their passwords and what they show."""

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.urls import reverse
from django.utils.translation import gettext as _

from common.site import absolute_url
from devdata.demo import DEMO_LOGINS, PUPIL_PASSWORD
from lms.accounts.security import TWO_FACTOR_REQUIRED_ROLES
from lms.models import Role, User


class Command(BaseCommand):
    help = "Print the demo sign-ins created by load_demo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="",
            help="The address the site is served on (make run passes its port).",
        )

    def handle(self, *args, **options):
        header = [_("Role"), _("Username"), _("Password"), _("What they see")]
        rows = [
            [
                str(Role(login.role).label),
                login.username,
                login.password,
                str(login.sees),
            ]
            for login in DEMO_LOGINS
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]

        def line(cells):
            padded = [
                cell.ljust(width) for cell, width in zip(cells, widths, strict=False)
            ]
            return "  ".join([*padded, cells[3]]).rstrip()

        address = options["address"].rstrip("/")
        path = reverse("lms:login")
        url = address + path if address else absolute_url(path)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo sign-ins")))
        self.stdout.write(line(header))
        self.stdout.write(line(["-" * width for width in widths] + ["-" * 12]))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        self.stdout.write(_("Sign in at %(url)s") % {"url": url})
        self.stdout.write(
            _("Every demo pupil's password is %(password)s.")
            % {"password": PUPIL_PASSWORD}
        )
        two_step = [
            login.username
            for login in DEMO_LOGINS
            if login.role in TWO_FACTOR_REQUIRED_ROLES
        ]
        self.stdout.write(
            _(
                "Two-step sign-in: %(usernames)s must set up an authenticator app "
                "(Google Authenticator, Microsoft Authenticator…) at the first "
                "sign-in: scan the QR code, type its 6-digit code, and keep the 10 "
                "recovery codes shown once."
            )
            % {"usernames": ", ".join(two_step)}
        )
        usernames = [login.username for login in DEMO_LOGINS]
        try:
            found = User.objects.filter(username__in=usernames).count()
        except DatabaseError:  # no tables yet: nothing to sign in to
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The database is not set up yet: run make run (or "
                        "manage.py migrate, then manage.py load_demo)."
                    )
                )
            )
            return
        if found < len(usernames):
            self.stdout.write(
                self.style.WARNING(
                    _("Some demo accounts are missing: run manage.py load_demo.")
                )
            )
