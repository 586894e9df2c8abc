"""The access matrix: every page and API operation x every role x own / foreign data.

The routes are not listed by hand. Pages come from the URL resolver and API
operations from the OpenAPI schema (generated in-process), so a new page or endpoint
is in the matrix the moment it is routed. Each path argument is filled from
``KWARGS`` by its name; a route with an argument the table does not know fails with
"classify this new URL", so whoever adds an endpoint decides here what "foreign"
means for it.

The world (built once per module, rolled back at the end) has a province P1 with two
communes (C1 with school S1, C2 with school S2) and a second province P2 (commune C3,
school S3). School S1 has class K1 (pupils p1 and the classmate p1b) and class K1x
(pupil p1x); S2 has K2 (p2); S3 has K3 (p3). Every pupil has a submitted attempt and
a help request, every class an assignment. The actors all work at S1 / C1 / P1.

A "side" is a bundle of objects (unit, school, class, pupil, attempt, request...).
For each role some sides are foreign (``FOREIGN_SIDES``): a request that names any
object of a foreign side must answer 3xx / 403 / 404 (401 for the API; a redirect
to sign-in for anonymous visitors), and the response must not contain any of the
side's marker strings (names found nowhere else). List pages and list endpoints
must not show any marker of any side foreign to the role. Requests about the
actor's own side must not fail with a server error.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from lms.models import Role

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    Role.PUPIL,
    Role.TEACHER,
    Role.COUNSELLOR,
    Role.SCHOOL_ADMIN,
    Role.UNIT_OFFICER,
    Role.PROVINCE_OFFICER,
    Role.COMMUNE_PROTECTION,
    Role.CONTENT_EDITOR,
    Role.PLATFORM_ADMIN,
    Role.PARENT,
]
SIDES = ["own", "classmate", "other_class", "other_school", "other_province"]
# Which sides hold data the role must never get. The platform administrator is
# global by design: only "no server error" is checked for them.
FOREIGN_SIDES: dict[str, set[str]] = {
    "anonymous": set(SIDES),
    Role.PUPIL: {"classmate", "other_class", "other_school", "other_province"},
    Role.TEACHER: {"other_class", "other_school", "other_province"},
    Role.COUNSELLOR: {"other_school", "other_province"},
    Role.SCHOOL_ADMIN: {"other_school", "other_province"},
    Role.UNIT_OFFICER: {"other_school", "other_province"},
    Role.PROVINCE_OFFICER: {"other_province"},
    # Need to know: only the request the school referred to them (the own side's).
    Role.COMMUNE_PROTECTION: {
        "classmate",
        "other_class",
        "other_school",
        "other_province",
    },
    Role.CONTENT_EDITOR: set(SIDES),
    Role.PLATFORM_ADMIN: set(),
    # A parent follows their own linked child ("own"), no other.
    Role.PARENT: {"classmate", "other_class", "other_school", "other_province"},
}


@dataclasses.dataclass
class Side:
    unit: object
    school: object
    school_class: object
    pupil: object
    attempt: object
    help_request: object
    assignment: object
    markers: list[str]
    certificate: object = None
    bundle: object = None
    export: object = None
    live_session: object = None
    teaching_session: object = None
    parent_meeting: object = None


@dataclasses.dataclass
class World:
    module: object
    period: object
    sides: dict[str, Side]
    actors: dict[str, object]
    devices: dict[str, object]


# --- How each path argument is filled ----------
# A value function takes (world, side) and returns the argument. "Shared"
# arguments (content, formats, indexes) have no owner: the same value is used on
# every side. Secrets that only their holder knows (a login card's key, a batch
# kept in the creator's session) get a value nobody holds.


def _side(attr: str) -> Callable[[World, Side], object]:
    def value(world: World, side: Side):
        return getattr(side, attr).pk

    return value


KWARGS: dict[str, Callable[[World, Side], object]] = {
    "unit_id": _side("unit"),
    "school_id": _side("school"),
    "class_id": _side("school_class"),
    "pupil_id": _side("pupil"),
    "attempt_id": _side("attempt"),
    "request_id": _side("help_request"),
    "assignment_id": _side("assignment"),
    "certificate_id": _side("certificate"),
    "bundle_id": _side("bundle"),
    "export_id": _side("export"),
    "session_id": _side("live_session"),
    "teaching_id": _side("teaching_session"),
    "meeting_id": _side("parent_meeting"),
}
SHARED_KWARGS: dict[str, Callable[[World], object]] = {
    "module_id": lambda world: world.module.pk,
    # A module page's id (adults' session PDFs): modules are shared content.
    "page_id": lambda world: world.module.pk,
    "slug": lambda world: world.module.slug,  # a module's worksheet PDF
    "index": lambda world: 1,
    "fmt": lambda world: "json",  # see _variants: xlsx for progress downloads
    "card_key": lambda world: "khong-phai-the-that-0000000000000000",
    "batch": lambda world: "lo-khong-co-that",
    "quiz_id": lambda world: world.module.quiz_id,
    "period_id": lambda world: world.period.pk,
    # A live quiz's PIN and a certificate's code open their page to whoever holds
    # them, by design; one nobody holds must not open anything.
    "pin": lambda world: "000000",
    "code": lambda world: "KHONGCOMA",
}

# Routes that are public by design or not part of the school layer.
EXCLUDED_PREFIXES = (
    "cms/",  # Wagtail admin: its own permission system
    "django-admin/",  # Django admin: platform administrators only
    "documents/",  # Wagtail documents
    "static/",
    "media/",
    "i18n/",  # the language switch (POST, no data)
    "api/",  # API operations come from the OpenAPI schema below
    "bench/",
    "_util/",  # Wagtail: password form of a restricted page
)
# Read-only content catalogue: open to everyone, holds no school data.
PUBLIC_API_PREFIXES = ("/api/catalogue/",)
PUBLIC_ROUTES = {
    "healthz",
    "lms:login",
    "lms:logout",
    "lms:privacy_notice",
    "content_cms:search",
    "lms:login_card",
    "lms:help",  # "I need help": the public help page for anyone not a pupil
    "quizzes:live_join",  # players type a PIN here, signed in or not
    "certificates:verify",  # anyone may check a certificate's code
    "lms:parent_sign_up",  # a parent types the code on their child's slip
    "lms:community_report",  # anyone may report a concern about a child
    # The installable app (common/pwa.py): the same for everyone, no school data.
    "web_manifest",
    "service_worker",
    "offline_page",
}


# --- The routes ----------


@dataclasses.dataclass(frozen=True)
class Route:
    name: str
    template: str  # with {kwarg} placeholders
    kwargs: tuple[str, ...]
    methods: tuple[str, ...] = ("GET", "POST")
    query: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name


def _route_text(pattern) -> tuple[str, tuple[str, ...]] | None:
    if isinstance(pattern, RoutePattern):
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern._route))
        return text, tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex
        if pattern.regex.groups and not pattern.regex.groupindex:
            return None  # positional groups: Wagtail's page tree
        text = regex.lstrip("^").rstrip("$")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
        return text.replace("\\", ""), tuple(pattern.regex.groupindex)
    return None


def _walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        parsed = _route_text(entry.pattern)
        if parsed is None:
            continue
        text, kwargs = parsed
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + text, ns)
        elif isinstance(entry, URLPattern):
            full = prefix + text
            name = f"{namespace}{entry.name}" if entry.name else full
            yield name, full, tuple(re.findall(r"\{(\w+)\}", full))


def page_routes() -> list[Route]:
    routes = {}
    for name, text, kwargs in _walk(get_resolver().url_patterns):
        if text.startswith(EXCLUDED_PREFIXES) or name in PUBLIC_ROUTES:
            continue
        routes[name] = Route(name=name, template="/" + text, kwargs=kwargs)
    return sorted(routes.values(), key=str)


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def api_routes() -> list[Route]:
    routes = []
    for path, operations in sorted(_schema()["paths"].items()):
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = operation.get("parameters", [])
            routes.append(
                Route(
                    name=f"{method.upper()} {path}",
                    template=path,
                    kwargs=tuple(p["name"] for p in params if p["in"] == "path"),
                    methods=(method.upper(),),
                    query=tuple(
                        p["name"]
                        for p in params
                        if p["in"] == "query" and p["name"] in KWARGS
                    ),
                )
            )
    return routes


PAGE_ROUTES = page_routes()
API_ROUTES = api_routes()


def test_every_route_is_classified():
    """A route with a path argument the matrix cannot fill must be classified."""
    known = set(KWARGS) | set(SHARED_KWARGS)
    unknown = [
        f"{route.template} ({', '.join(sorted(set(route.kwargs) - known))})"
        for route in PAGE_ROUTES + API_ROUTES
        if set(route.kwargs) - known
    ]
    assert not unknown, (
        "classify this new URL: add its path arguments to KWARGS (owned by a "
        "school, class or pupil) or SHARED_KWARGS in tests/test_access_matrix.py: "
        + "; ".join(unknown)
    )


def test_every_api_route_is_in_the_schema():
    """An API view missing from the OpenAPI schema would escape the matrix."""
    schema_paths = {re.sub(r"\{\w+\}", "{}", path) for path in _schema()["paths"]} | {
        "/api/schema/",
        "/api/docs/",
        "/api/",  # the catch-all: any other /api/ address is a JSON 404
    }
    routed = {
        re.sub(r"\{\w+\}", "{}", "/" + text)
        for _name, text, _kwargs in _walk(get_resolver().url_patterns)
        if text.startswith("api/")
    }
    assert routed <= schema_paths, (
        f"API routes missing from the OpenAPI schema: {sorted(routed - schema_paths)}"
    )


def test_the_matrix_covers_the_product():
    """Guard against the enumeration silently finding nothing."""
    names = {route.name for route in PAGE_ROUTES}
    assert {"lms:home", "lms:class_detail", "lms:pupil_data"} <= names
    assert any(r.template == "/api/classes/{class_id}/" for r in API_ROUTES)


# --- The world ----------


def _build_world() -> World:
    from certificates.models import BundleKind, Certificate, CertificateBundle
    from lms.learning.services import assignment_create
    from lms.models import (
        ExportFormat,
        ParentLink,
        ParentMeeting,
        Referral,
        ReportExport,
        TeachingAttendance,
        TeachingSession,
    )
    from lms.people.services import role_assign
    from lms.safeguarding.services import (
        help_request_create,
        help_request_record_action,
    )
    from quizzes.live.models import LiveLeaderboard, LiveScoring
    from quizzes.live.services import live_session_create
    from tests.factories import (
        ReportingPeriodFactory,
        SchoolClassFactory,
        SchoolFactory,
        UnitFactory,
        UserFactory,
        make_pupil,
        make_staff,
        make_teacher,
        make_totp_device,
    )
    from tests.lms.learning_helpers import (
        allow_learning_records,
        learning_module,
        take_quiz,
    )

    allow_learning_records()
    period = ReportingPeriodFactory()
    module = learning_module(title="Ma trận quyền", slug="ma-tran-quyen")
    p1 = UnitFactory(name="Tỉnh Phía Đông Alpha")
    c1 = UnitFactory(parent=p1, name="Xã Hòa Bình Alpha")
    c2 = UnitFactory(parent=p1, name="Xã Láng Giềng Quxeno")
    p2 = UnitFactory(name="Tỉnh Xa Lạ Vortigan")
    c3 = UnitFactory(parent=p2, name="Xã Xa Lạ Wendrix")
    s1 = SchoolFactory(name="Trường Nhà Alpha", unit=c1)
    s2 = SchoolFactory(name="Trường Láng Giềng Brontex", unit=c2)
    s3 = SchoolFactory(name="Trường Xa Lạ Carvello", unit=c3)
    today = datetime.date.today()

    def bundle(unit, school, class_name, pupil_name, *, school_class=None, teacher):
        if school_class is None:
            school_class = SchoolClassFactory(school=school, name=class_name)
            school_class.teachers.add(teacher)
        pupil = make_pupil(school_class, display_name=pupil_name)
        attempt = take_quiz(pupil, module)
        help_request = help_request_create(
            pupil=pupil, category="other", message=f"Lời nhắn của {pupil_name}"
        )
        assignment = assignment_create(
            actor=teacher,
            school_class=school_class,
            module=module,
            opens_on=today,
            pupils=[pupil],
        )
        certificate = Certificate.objects.filter(user=pupil).first()
        assert certificate is not None, "passing the module issues a certificate"
        # Written as rows: the matrix is about reading them, not the rules.
        teaching_session = TeachingSession.objects.create(
            school_class=school_class,
            module=module,
            taught_on=min(today, school_class.school_year.ends_on),
            duration_minutes=45,
            recorded_by=teacher,
        )
        TeachingAttendance.objects.create(session=teaching_session, pupil=pupil)
        return Side(
            teaching_session=teaching_session,
            parent_meeting=ParentMeeting.objects.create(
                school=school, held_on=today, parents_count=12
            ),
            certificate=certificate,
            bundle=CertificateBundle.objects.create(
                requested_by=teacher, school_class=school_class, kind=BundleKind.ZIP
            ),
            export=ReportExport.objects.create(
                requested_by=make_staff(Role.UNIT_OFFICER, unit=unit),
                unit=unit,
                period=period,
                export_format=ExportFormat.XLSX,
            ),
            live_session=live_session_create(
                host=teacher,
                quiz=module.quiz,
                scoring=LiveScoring.ACCURACY,
                leaderboard=LiveLeaderboard.TOP5,
                seconds_per_question=20,
            ),
            unit=unit,
            school=school,
            school_class=school_class,
            pupil=pupil,
            attempt=attempt,
            help_request=help_request,
            assignment=assignment,
            markers=[pupil_name, f"Lời nhắn của {pupil_name}"],
        )

    k1 = SchoolClassFactory(school=s1, name="5Alpha")
    teacher = make_teacher(k1, display_name="Cô Giáo Alpha")
    other_teacher = make_staff(Role.TEACHER, school=s1, display_name="Thầy Khác Lớp")
    t2 = make_staff(Role.TEACHER, school=s2, display_name="Cô Láng Giềng Dorvane")
    t3 = make_staff(Role.TEACHER, school=s3, display_name="Thầy Xa Lạ Elbrook")
    sides = {
        "own": bundle(c1, s1, "", "Em Nhà Alpha", school_class=k1, teacher=teacher),
        "classmate": bundle(
            c1, s1, "", "Em Bạn Cùng Lớp Fenwick", school_class=k1, teacher=teacher
        ),
        "other_class": bundle(
            c1, s1, "5Khác Gristle", "Em Lớp Khác Hollin", teacher=other_teacher
        ),
        "other_school": bundle(
            c2, s2, "5Láng Giềng Ixora", "Em Láng Giềng Jolvey", teacher=t2
        ),
        "other_province": bundle(
            c3, s3, "5Xa Lạ Kestrel", "Em Xa Lạ Lumbrio", teacher=t3
        ),
    }
    sides["other_class"].markers += ["5Khác Gristle"]
    sides["other_school"].markers += [
        s2.name,
        "5Láng Giềng Ixora",
        c2.name,
        t2.display_name,
    ]
    sides["other_province"].markers += [
        s3.name,
        "5Xa Lạ Kestrel",
        p2.name,
        c3.name,
        t3.display_name,
    ]
    counsellor = make_staff(Role.COUNSELLOR, school=s1)
    help_request_record_action(
        user=counsellor,
        help_request=sides["own"].help_request,
        referral=Referral.COMMUNE,
        note="Chuyển cán bộ xã",
    )
    actors = {
        Role.PUPIL: sides["own"].pupil,
        Role.TEACHER: teacher,
        Role.COUNSELLOR: counsellor,
        Role.SCHOOL_ADMIN: make_staff(Role.SCHOOL_ADMIN, school=s1),
        Role.UNIT_OFFICER: make_staff(Role.UNIT_OFFICER, unit=c1),
        Role.PROVINCE_OFFICER: make_staff(Role.PROVINCE_OFFICER, unit=p1),
        Role.COMMUNE_PROTECTION: make_staff(Role.COMMUNE_PROTECTION, unit=c1),
        Role.CONTENT_EDITOR: make_staff(Role.CONTENT_EDITOR),
        Role.PLATFORM_ADMIN: make_staff(Role.PLATFORM_ADMIN),
    }
    parent = UserFactory(display_name="Phụ Huynh Alpha")
    role_assign(user=parent, role=Role.PARENT, school=s1)
    ParentLink.objects.create(parent=parent, pupil=sides["own"].pupil)
    actors[Role.PARENT] = parent
    devices = {
        role: make_totp_device(actors[role])
        for role in (Role.PROVINCE_OFFICER, Role.PLATFORM_ADMIN)
    }
    UserFactory(username="unused")  # keeps sequences apart from other modules
    return World(
        module=module, period=period, sides=sides, actors=actors, devices=devices
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build the world once for the module, inside a transaction rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def client_for(world: World, role: str) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    if role == "anonymous":
        return client
    client.force_login(world.actors[role])
    if role in world.devices:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = world.devices[role].persistent_id
        session.save()
    return client


# --- Checking one request ----------


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _variants(world: World, route: Route, role: str):
    """Yield (label, side names per kwarg, url) for own and foreign requests."""
    owned = [k for k in route.kwargs + route.query if k in KWARGS]
    shared = {k: SHARED_KWARGS[k](world) for k in route.kwargs if k in SHARED_KWARGS}
    if "fmt" in shared and "tien-do" in route.template:
        shared["fmt"] = "xlsx"  # the class progress download

    def url_for(choice: dict[str, str]) -> str:
        values = dict(shared)
        values.update(
            {
                k: KWARGS[k](world, world.sides[choice[k]])
                for k in route.kwargs
                if k in KWARGS
            }
        )
        path = route.template.format(**{k: values[k] for k in route.kwargs})
        query = "&".join(
            f"{k}={KWARGS[k](world, world.sides[choice[k]])}" for k in route.query
        )
        return f"{path}?{query}" if query else path

    def same_as_own(kwarg: str, side: str) -> bool:
        own = world.sides["own"]
        return KWARGS[kwarg](world, world.sides[side]) == KWARGS[kwarg](world, own)

    yield "own", dict.fromkeys(owned, "own"), url_for(dict.fromkeys(owned, "own"))
    for side in SIDES[1:]:
        # Every mix of own and foreign objects with at least one foreign one:
        # /school/<own>/pupil/<foreign>/ is the classic hole.
        for picks in itertools.product(("own", side), repeat=len(owned)):
            if side not in picks:
                continue
            choice = dict(zip(owned, picks, strict=True))
            # A side shares some objects with "own" (a classmate's class is the
            # pupil's own class): label each object by its real owner.
            aimed = {
                k: "own" if same_as_own(k, choice[k]) else choice[k] for k in owned
            }
            if side in aimed.values():
                yield side, aimed, url_for(choice)


def _check(world, role, client, method, url, aimed: set[str]) -> str | None:
    """Request ``url``; ``aimed`` are the sides of the objects the URL names."""
    foreign = aimed & FOREIGN_SIDES[role]
    if method == "GET":
        response = client.get(url)
    else:
        response = client.generic(
            method, url, data=b"{}", content_type="application/json"
        )
    status = response.status_code
    where = f"{role} {method} {url} -> {status}"
    if status >= 500:
        return f"{where}: server error"
    if foreign:
        if role == "anonymous":
            # Refused, or sent elsewhere (to sign in, or back to a public page).
            if status < 300 or status == 400 and method == "GET":
                return f"{where}: anonymous visitor not sent to sign in"
        elif status < 300 or (status == 400 and method == "GET"):
            return f"{where}: foreign object ({', '.join(sorted(foreign))}) answered"
    # Whatever was asked, nothing of a side foreign to the role may show.
    markers = {m for s in FOREIGN_SIDES[role] for m in world.sides[s].markers}
    body = _body(response)
    leaked = sorted(m for m in markers if m in body)
    if leaked:
        return f"{where}: foreign data in the response: {leaked}"
    return None


def _run(world: World, route: Route, role: str) -> list[str]:
    client = client_for(world, role)
    failures = []
    public = route.template.startswith(PUBLIC_API_PREFIXES)
    for _label, choice, url in _variants(world, route, role):
        aimed = set(choice.values())
        if not choice and role == "anonymous" and not public:
            aimed = {"own"}  # a private page about nobody: sign in first
        is_foreign = bool(aimed & FOREIGN_SIDES[role])
        for method in route.methods:
            if method != "GET" and not is_foreign:
                continue  # writes are only tried where they must be refused
            problem = _check(world, role, client, method, url, aimed)
            if problem:
                failures.append(problem)
    return failures


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", PAGE_ROUTES, ids=str)
def test_page_access(world, route, role):
    failures = _run(world, route, role)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_api_access(world, route, role):
    failures = _run(world, route, role)
    assert not failures, "\n".join(failures)
