"""What each role may do, in one table.

Every role is a Django group named ``role:<code>`` whose permissions come from
``ROLE_PERMISSIONS``; holding a role assignment puts the user in its group. Groups
(rather than a custom backend) are the one mechanism because Wagtail's page and
workflow permissions are group-based: the same groups drive the CMS, the Django
permission checks of the engines, and the school layer. *Which* schools, classes
and pupils a role reaches is a separate question, answered by ``lms.people.selectors``.
"""

from django.contrib.auth.models import Group, Permission

from common.migrate import is_last_post_migrate, permissions_ensure
from lms.models.people import Role

PUPIL_PERMISSIONS = ["lms.take_modules", "quizzes.take_quiz"]
TEACHER_PERMISSIONS = [
    "lms.take_modules",
    "quizzes.take_quiz",
    "lms.manage_roster",
    "lms.assign_modules",
    "lms.view_class_progress",
    "quizzes.host_live_quiz",
    # Recording a lesson taught to a class (lms/learning/teaching/services.py).
    "lms.add_teachingsession",
]

# Model permissions of the CMS. Page and collection permissions (which pages and
# images a group may touch) are Wagtail's own and are set by content_cms.services.
CONTENT_EDITOR_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "quizzes.add_quiz",
    "quizzes.change_quiz",
    "quizzes.lock_quiz",
    "content_cms.add_ageband",
    "content_cms.change_ageband",
    "content_cms.add_topic",
    "content_cms.change_topic",
    "content_cms.add_frameworkstrand",
    "content_cms.change_frameworkstrand",
    "simple_translation.submit_translation",
]
CONTENT_REVIEWER_PERMISSIONS = [
    *CONTENT_EDITOR_PERMISSIONS,
    "quizzes.publish_quiz",
    "quizzes.unlock_quiz",
]


def _model_permissions(actions: str, *models: str) -> list[str]:
    return [f"lms.{action}_{model}" for model in models for action in actions.split()]


# The organisation admin in Wagtail (/cms/, lms/people/admin/views.py and
# staff_admin.py). These say
# which screens a role opens; which units, schools, classes and staff it reaches
# there is lms.people.selectors' answer. Nobody deletes from those screens.
ORGANISATION_READER_PERMISSIONS = [
    "wagtailadmin.access_admin",
    *_model_permissions(
        "view", "administrativeunit", "school", "schoolyear", "reportingperiod"
    ),
]
ORGANISATION_MANAGER_PERMISSIONS = [
    "wagtailadmin.access_admin",
    *_model_permissions(
        "add change view",
        "administrativeunit",
        "school",
        "schoolyear",
        "reportingperiod",
        # Staff of the province's schools: a new school's first administrator.
        "roleassignment",
    ),
]
# The signature block printed on a province's certificates (the certificates
# app's screen in Wagtail; which province's, certificates.selectors decides).
CERTIFICATE_SIGNATURE_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "certificates.add_certificatesignature",
    "certificates.change_certificatesignature",
    "certificates.view_certificatesignature",
]
SCHOOL_SETUP_PERMISSIONS = [
    "wagtailadmin.access_admin",
    *_model_permissions("add change view", "schoolclass", "roleassignment"),
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.PUPIL: PUPIL_PERMISSIONS,
    Role.TEACHER: TEACHER_PERMISSIONS,
    Role.COUNSELLOR: [
        "lms.take_modules",
        "quizzes.take_quiz",
        "lms.handle_help_requests",
        "quizzes.host_live_quiz",
    ],
    Role.SCHOOL_ADMIN: [
        *TEACHER_PERMISSIONS,
        "lms.view_school_reports",
        "lms.handle_help_requests",
        "lms.manage_consent",
        *SCHOOL_SETUP_PERMISSIONS,
        # Bulk onboarding of their own school's staff, in the Wagtail admin.
        "lms.import_staff",
        # Confirming the school's lessons; recording its parents' meetings.
        "lms.change_teachingsession",
        "lms.add_parentmeeting",
    ],
    Role.UNIT_OFFICER: [
        "lms.take_modules",
        "quizzes.take_quiz",
        "lms.view_school_reports",
        "lms.view_unit_reports",
        "quizzes.host_live_quiz",
        *ORGANISATION_READER_PERMISSIONS,
    ],
    Role.PROVINCE_OFFICER: [
        "lms.take_modules",
        "quizzes.take_quiz",
        "lms.view_school_reports",
        "lms.view_unit_reports",
        "lms.edit_programme_target",
        "lms.edit_help_deadlines",
        "quizzes.host_live_quiz",
        *ORGANISATION_MANAGER_PERMISSIONS,
        *CERTIFICATE_SIGNATURE_PERMISSIONS,
        # Bulk onboarding of their province's units, schools and staff (Wagtail).
        "lms.import_organisation",
        "lms.import_staff",
    ],
    # Sees only the help requests referred (or escalated) to their commune.
    Role.COMMUNE_PROTECTION: [
        "lms.take_modules",
        "quizzes.take_quiz",
        "lms.handle_help_requests",
    ],
    # Parents take the parents' modules; what they see of their child is
    # lms.people.parents' answer, through their links.
    Role.PARENT: ["lms.take_modules", "quizzes.take_quiz"],
    Role.CONTENT_EDITOR: CONTENT_EDITOR_PERMISSIONS,
    Role.CONTENT_REVIEWER: CONTENT_REVIEWER_PERMISSIONS,
    Role.PLATFORM_ADMIN: sorted(
        {
            *ORGANISATION_MANAGER_PERMISSIONS,
            *SCHOOL_SETUP_PERMISSIONS,
            *CERTIFICATE_SIGNATURE_PERMISSIONS,
            "lms.import_organisation",
            "lms.import_staff",
            "lms.edit_help_deadlines",
        }
    ),
}


def role_group_name(role: str) -> str:
    return f"role:{role}"


def role_groups_sync(*, app_config=None, using: str = "default", **kwargs) -> None:
    """Create each role's group and set its permissions from ``ROLE_PERMISSIONS``.

    Connected to ``post_migrate``, which fires once per installed app with models;
    it acts on the last of them (``common.migrate``), after making sure every
    permission the table names exists.
    """
    if app_config is not None and not is_last_post_migrate(app_config):
        return
    permissions_ensure(
        sorted(
            {
                name.split(".", 1)[0]
                for names in ROLE_PERMISSIONS.values()
                for name in names
            }
        ),
        using=using,
    )
    for role, permission_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        permissions = []
        for name in permission_names:
            app_label, codename = name.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)
