"""Django admin: platform administrators edit issuing rules and look up certificates.

Certificates are read-only here: revoking and re-issuing go through the school
administrators' pages (and the services), so they are always audit-logged.
"""

from django.contrib import admin

from certificates.models import Certificate, CertificateBundle, IssuingRule


@admin.register(IssuingRule)
class IssuingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "module", "age_band", "is_active"]
    list_filter = ["kind", "is_active"]
    autocomplete_fields: list[str] = []
    raw_id_fields = ["module"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "display_code",
        "learner_name",
        "achievement",
        "issued_at",
        "status",
    ]
    list_filter = ["rule", "revoked_at"]
    search_fields = ["code"]
    readonly_fields = [field.name for field in Certificate._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CertificateBundle)
class CertificateBundleAdmin(admin.ModelAdmin):
    list_display = ["school_class", "kind", "status", "done", "total", "created_at"]
    readonly_fields = [field.name for field in CertificateBundle._meta.fields]

    def has_add_permission(self, request):
        return False
