"""Django admin for privacy: the province settings, and a read-only audit log.

Help requests are deliberately not in the admin: platform administrators are
not among the people who may read them. The audit log can be read here but not
added to, changed or deleted (the model refuses too).
"""

from django.contrib import admin

from lms.models import AuditEntry, PrivacySettings


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "without_consent",
        "notice_version",
        "learning_records_years",
        "help_requests_years",
        "audit_log_years",
    ]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    readonly_fields = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "details",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
