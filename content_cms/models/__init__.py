"""Models of the content app: taxonomy snippets and the page tree."""

from content_cms.models.pages import (
    Audience,
    CatalogueIndexPage,
    GetHelpPage,
    HomePage,
    ModulePage,
    ParentCornerIndexPage,
    PrivacyPage,
    StaffCornerIndexPage,
)
from content_cms.models.taxonomy import AgeBand, Framework, FrameworkStrand, Topic

__all__ = [
    "AgeBand",
    "Audience",
    "CatalogueIndexPage",
    "Framework",
    "FrameworkStrand",
    "GetHelpPage",
    "HomePage",
    "ModulePage",
    "ParentCornerIndexPage",
    "PrivacyPage",
    "StaffCornerIndexPage",
    "Topic",
]
