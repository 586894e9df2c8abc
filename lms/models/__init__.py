"""Models of the school layer, re-exported so code imports ``lms.models.X``."""

from lms.models.organisation import (
    AdministrativeUnit,
    ReportingPeriod,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
)
from lms.models.people import Enrolment, Role, RoleAssignment, User

__all__ = [
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
