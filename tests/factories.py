"""Factories for the school layer: a believable organisation, built on demand."""

import datetime

import factory
from factory.django import DjangoModelFactory

from lms.models import (
    AdministrativeUnit,
    Enrolment,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
    User,
)
from lms.people.services import role_assign


class UnitFactory(DjangoModelFactory):
    """A province by default; pass ``parent`` to make a commune under it."""

    class Meta:
        model = AdministrativeUnit

    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    code = factory.Sequence(lambda n: f"U{n:05d}")
    level = "province"

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.add_root(**kwargs)
        kwargs.setdefault("level", "commune")
        return parent.add_child(**kwargs)


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Trường Tiểu học số {n}")
    code = factory.Sequence(lambda n: f"S{n:06d}")
    school_type = SchoolType.PRIMARY
    unit = factory.LazyFunction(lambda: UnitFactory())
    contact_name = "Cô Lê Thị Hoa"
    contact_phone = "0276 3812 345"


class SchoolYearFactory(DjangoModelFactory):
    class Meta:
        model = SchoolYear
        django_get_or_create = ["name"]

    name = "2026-2027"
    starts_on = datetime.date(2026, 9, 5)
    ends_on = datetime.date(2027, 5, 31)


class ReportingPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ["school_year", "name"]

    school_year = factory.SubFactory(SchoolYearFactory)
    name = "Học kỳ I"
    starts_on = datetime.date(2026, 9, 5)
    ends_on = datetime.date(2027, 1, 15)


class SchoolClassFactory(DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    name = factory.Sequence(lambda n: f"5A{n}")
    grade = 5


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"Người dùng {n}")
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-Dai-123")

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_staff(role: str, *, school=None, unit=None, **kwargs) -> User:
    """Create a user holding ``role`` at ``school`` or ``unit``."""
    user = UserFactory(**kwargs)
    role_assign(user=user, role=role, school=school, unit=unit)
    return user


def make_teacher(school_class: SchoolClass, **kwargs) -> User:
    teacher = make_staff(Role.TEACHER, school=school_class.school, **kwargs)
    school_class.teachers.add(teacher)
    return teacher


def make_pupil(school_class: SchoolClass, **kwargs) -> User:
    """Create a pupil enrolled in ``school_class``."""
    pupil = make_staff(Role.PUPIL, school=school_class.school, **kwargs)
    Enrolment.objects.create(pupil=pupil, school_class=school_class)
    return pupil


def make_totp_device(user: User):
    """Give ``user`` a confirmed authenticator-app (TOTP) device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)


def login_verified(client, user: User):
    """Sign ``user`` in with a verified second factor, as after the 2FA step.

    Province officers and platform administrators must pass two-factor sign-in
    before any page (lms/accounts/security.py); tests that act as them use this.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    device = make_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
