"""Template helpers for lists of pupils' names: mark the names that collide.

``{% with same_names=enrolments|colliding_names:"pupil.display_name" %}`` finds the
names that occur more than once in a list (``lms.people.names``); ``{% pupil_name
name same_names number=... username=... %}`` prints a name, followed by the roster
number (or the username) only when it is one of them; ``{% pupil_label ... %}`` is
the same in plain text (for attributes and announcements).
"""

from django import template
from django.template.base import Variable, VariableDoesNotExist
from django.utils.html import format_html

from lms.people.names import colliding_name_keys, name_collides, name_disambiguator

register = template.Library()


def _resolve(item, path: str):
    try:
        return Variable(path).resolve(item)
    except VariableDoesNotExist:
        return ""


@register.filter
def colliding_names(items, path: str = "") -> frozenset[str]:
    """Return the names (at ``path`` in each item) that occur more than once."""
    return colliding_name_keys(
        str(_resolve(item, path) if path else item or "") for item in items or ()
    )


@register.simple_tag
def pupil_label(name, same_names, number=None, username=""):
    """The same as ``pupil_name`` in plain text ("Nguyễn Minh An (STT 12)"), for
    attributes and what scripts announce ("… has just completed …")."""
    if not name_collides(name, same_names or frozenset()):
        return str(name)
    return f"{name} ({name_disambiguator(roster_number=number, username=username)})"


@register.simple_tag
def pupil_name(name, same_names, number=None, username=""):
    """Print ``name``; beside it "STT 12" (or the username) if a namesake is listed."""
    if not name_collides(name, same_names or frozenset()):
        return format_html("{}", name)
    return format_html(
        '{} <span class="muted name-tag">({})</span>',
        name,
        name_disambiguator(roster_number=number, username=username),
    )
