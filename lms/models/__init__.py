"""Models of the school layer, re-exported so code imports ``lms.models.X``."""

from lms.models.organisation import (
    AdministrativeUnit,
    ReportingPeriod,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
)
from lms.models.help import (
    HelpCategory,
    HelpRequest,
    HelpRequestAction,
    HelpStatus,
    HelpWish,
    Referral,
)
from lms.models.people import Enrolment, Role, RoleAssignment, User
from lms.models.privacy import (
    AuditEntry,
    ConsentGiver,
    ConsentMethod,
    ConsentRecord,
    PrivacySettings,
    WithoutConsent,
)

__all__ = [
    "AuditEntry",
    "ConsentGiver",
    "ConsentMethod",
    "ConsentRecord",
    "HelpCategory",
    "HelpRequest",
    "HelpRequestAction",
    "HelpStatus",
    "HelpWish",
    "PrivacySettings",
    "Referral",
    "WithoutConsent",
    "AdministrativeUnit",
    "Enrolment",
    "ReportingPeriod",
    "Role",
    "RoleAssignment",
    "School",
    "SchoolClass",
    "SchoolType",
    "SchoolYear",
    "User",
]
