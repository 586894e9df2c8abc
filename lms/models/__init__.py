"""Models of the school layer, re-exported so code imports ``lms.models.X``."""

from lms.models.help import (
    HelpCategory,
    HelpDeadlines,
    HelpOutcome,
    HelpRequest,
    HelpRequestAction,
    HelpSource,
    HelpStatus,
    HelpWish,
    Referral,
)
from lms.models.learning import (
    DONE_STATUSES,
    Assignment,
    CountedAttempt,
    ModuleProgress,
    ProgressStatus,
)
from lms.models.organisation import (
    AdministrativeUnit,
    ReportingPeriod,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
)
from lms.models.parents import ParentLink, ParentPhone
from lms.models.people import Enrolment, Role, RoleAssignment, User
from lms.models.privacy import (
    AuditEntry,
    ConsentGiver,
    ConsentMethod,
    ConsentRecord,
    ConsentSlip,
    PrivacySettings,
    WithoutConsent,
)
from lms.models.reports import (
    ExportFormat,
    ExportStatus,
    ProgrammeTarget,
    ReportExport,
    TopicRequirement,
)
from lms.models.rollups import (
    ClassModuleRollup,
    ClassTopicRollup,
    SchoolPeriodRollup,
)
from lms.models.teaching import ParentMeeting, TeachingAttendance, TeachingSession

__all__ = [
    "ExportFormat",
    "ExportStatus",
    "ProgrammeTarget",
    "ReportExport",
    "TopicRequirement",
    "ParentMeeting",
    "TeachingAttendance",
    "TeachingSession",
    "DONE_STATUSES",
    "Assignment",
    "ClassModuleRollup",
    "ClassTopicRollup",
    "CountedAttempt",
    "ModuleProgress",
    "ProgressStatus",
    "SchoolPeriodRollup",
    "AuditEntry",
    "ConsentGiver",
    "ConsentMethod",
    "ConsentRecord",
    "ConsentSlip",
    "HelpCategory",
    "HelpDeadlines",
    "HelpOutcome",
    "HelpRequest",
    "HelpRequestAction",
    "HelpSource",
    "ParentLink",
    "ParentPhone",
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
