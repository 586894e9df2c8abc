"""Templates and static files follow the apps' layers, as imports do.

From the top: config > devdata > certificates > lms > content_cms > quizzes > common.
A template may include, extend or load (tag libraries) only what belongs to its own
app or to one below it, and name only such static files. Template and static names
belong to an app by their first path segment (``lms/...`` is lms's); ``base.html``
and ``icons/...`` are common's. Names of no project app (Wagtail's own templates)
are outside the layers and allowed.

The engines at the bottom know nothing of the school layer's roles: they ask
``user.has_perm`` or are told by the context what to show.
"""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.backends.django import get_installed_libraries

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    "config",
    "devdata",
    "certificates",
    "lms",
    "content_cms",
    "quizzes",
    "common",
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}  # a larger rank is lower
# Django looks these up by fixed names: the error pages (400, 403, 404, 500, the
# CSRF failure) are common's, beside the base page they share.
COMMON_NAMES = (
    "base.html",
    "icons/",
    "400.html",
    "403.html",
    "403_csrf.html",
    "404.html",
    "500.html",
)

INCLUDE = re.compile(r"{%-?\s*(?:include|extends)\s+(['\"])(?P<name>[^'\"]+)\1")
STATIC = re.compile(r"{%-?\s*static\s+(['\"])(?P<name>[^'\"]+)\1")
LOAD = re.compile(r"{%-?\s*load\s+(?P<libraries>.+?)\s*-?%}")
TAG = re.compile(r"{%.*?%}", re.DOTALL)


def template_files() -> list[tuple[str, str, Path]]:
    """Return (app, template name, path) of every project template."""
    found = []
    for app in LAYERS:
        folder = ROOT / app / "templates"
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found.append((app, path.relative_to(folder).as_posix(), path))
    return found


def owner(name: str) -> str | None:
    """Return the project app a template or static name belongs to, or None."""
    if name.startswith(COMMON_NAMES):
        return "common"
    first = name.split("/", 1)[0]
    return first if first in RANK and "/" in name else None


TEMPLATES = template_files()
IDS = [f"{app}/templates/{name}" for app, name, _ in TEMPLATES]


def test_the_layers_hold_templates():
    apps = {app for app, _, _ in TEMPLATES}
    assert {"common", "quizzes", "content_cms", "lms", "certificates"} <= apps


@pytest.mark.parametrize(("app", "name", "path"), TEMPLATES, ids=IDS)
def test_a_template_is_named_after_its_app(app, name, path):
    """Otherwise the name would hide which app a template belongs to."""
    assert owner(name) == app, f"{app}/templates/{name} is named as {owner(name)}'s"


def violations(app: str, source: str) -> list[str]:
    found = []
    for match in INCLUDE.finditer(source):
        target = owner(match["name"])
        if target is not None and RANK[target] < RANK[app]:
            found.append(f"includes or extends {match['name']} ({target})")
    for match in STATIC.finditer(source):
        name = match["name"]
        target = owner(name)
        if target is None:
            found.append(f"static {name} belongs to no app")
        elif RANK[target] < RANK[app]:
            found.append(f"static {name} ({target})")
        elif not finders.find(name):
            found.append(f"static {name} does not exist")
    libraries = get_installed_libraries()
    for match in LOAD.finditer(source):
        words = match["libraries"].split()
        names = words[words.index("from") + 1 :] if "from" in words else words
        for library in names:
            package = libraries[library].split(".", 1)[0]
            if package in RANK and RANK[package] < RANK[app]:
                found.append(f"loads the tag library {library} ({package})")
    return found


@pytest.mark.parametrize(("app", "name", "path"), TEMPLATES, ids=IDS)
def test_a_template_uses_only_its_layer_and_below(app, name, path):
    assert violations(app, path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_template_reaching_up():
    source = (
        '{% extends "lms/home.html" %}{% load certificates %}'
        "{% include 'content_cms/includes/assets.html' with x=1 %}"
        "{% static 'lms/js/class_grid.js' %}{% include \"base.html\" %}"
    )
    assert len(violations("quizzes", source)) == 4
    assert violations("lms", source) == [
        "loads the tag library certificates (certificates)"
    ]
    assert violations("certificates", source) == []


# The engines and the shared app below the school layer.
BELOW_LMS = ["content_cms", "quizzes", "common"]
ROLE_WORDS = re.compile(r"\buser_roles\b|\broles\b|\bis_teacher\b|\bgroups\b")


def source_files(app: str, *suffixes: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / app).rglob("*"))
        if path.suffix in suffixes and path.is_file()
    ]


@pytest.mark.parametrize("app", BELOW_LMS)
def test_no_role_group_names_below_lms(app):
    """lms names its role groups ``role:<code>``; the apps below never do."""
    found = [
        str(path.relative_to(ROOT))
        for path in source_files(app, ".py", ".html", ".txt", ".js")
        if "role:" in path.read_text(encoding="utf-8")
    ]
    assert found == []


@pytest.mark.parametrize("app", BELOW_LMS)
def test_templates_below_lms_test_no_roles(app):
    """They check ``perms`` or a flag the context gives, never the user's roles."""
    found = [
        f"{path.relative_to(ROOT)}: {tag}"
        for path in source_files(app, ".html", ".txt")
        for tag in TAG.findall(path.read_text(encoding="utf-8"))
        if ROLE_WORDS.search(tag)
    ]
    assert found == []
