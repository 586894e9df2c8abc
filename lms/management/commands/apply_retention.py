"""Anonymise or remove records past the province's retention periods (daily cron)."""

from django.core.management.base import BaseCommand

from lms.safeguarding.retention import retention_apply


class Command(BaseCommand):
    help = "Apply the retention periods set in PrivacySettings; --dry-run reports only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report, change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        report = retention_apply(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"Help requests whose words {verb} removed: "
            f"{len(report.help_requests_redacted)}"
        )
        self.stdout.write(
            f"Pupils who left long ago and {verb} erased: {len(report.pupils_erased)}"
        )
        self.stdout.write(
            f"Audit entries past their period that {verb} deleted: "
            f"{report.audit_entries_expired}"
        )
        self.stdout.write(
            f"Unanswered quiz attempts replaced by a newer version that {verb} "
            f"deleted: {report.replaced_attempts_deleted}"
        )
