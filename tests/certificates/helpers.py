"""Builders for the certificates tests: a demo-like pupil and the rules in force."""

from django.core.cache import cache

from certificates.models import IssuingRule, RuleKind
from tests.factories import SchoolClassFactory, SchoolFactory, make_pupil
from tests.lms.learning_helpers import allow_learning_records

PUPIL_NAME = "Nguyễn Thị Ánh Tuyết"


def only_rules(*kinds: str) -> list[IssuingRule]:
    """Keep the default rules of ``kinds`` active and switch the others off."""
    IssuingRule.objects.exclude(kind__in=kinds).update(is_active=False)
    IssuingRule.objects.filter(kind__in=kinds).update(is_active=True)
    return list(IssuingRule.objects.filter(kind__in=kinds))


def demo_like_class(name: str = "5A", school: str = "Trường Tiểu học Kim Đồng"):
    return SchoolClassFactory(name=name, grade=5, school=SchoolFactory(name=school))


def demo_like_pupil(school_class=None, **kwargs):
    """A pupil of grade 5, like hs.demo, who may record learning."""
    allow_learning_records()
    cache.clear()
    school_class = school_class or demo_like_class()
    kwargs.setdefault("display_name", PUPIL_NAME)
    return make_pupil(school_class, **kwargs)


__all__ = ["RuleKind", "demo_like_class", "demo_like_pupil", "only_rules"]
