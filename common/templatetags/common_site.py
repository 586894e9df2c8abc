"""Template helpers every app may use (common is the floor).

``{{ share|percent }}``: a percentage written the one way (``common.numbers``).
``{% filter site_title %}…{% endfilter %}``: a page's title followed by the site's
name, or the site's name alone when the page has no other title (the landing
page is called what the site is called: never "An toàn trên mạng · An toàn trên
mạng").
"""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.numbers import percent_text

register = template.Library()


@register.filter
def percent(value, decimals: int = 1) -> str:
    return percent_text(value, decimals=int(decimals))


@register.filter
def site_title(title) -> str:
    site = _("Safe online")
    title = " ".join(str(title or "").split())
    if not title or title.casefold() == site.casefold():
        return site
    return f"{title} · {site}"


def _waiting_texts(count: int) -> dict:
    """What waits on the phone, for ``count`` things (offline.js fills the number)."""
    return {
        "answers": ngettext("%(count)s answer", "%(count)s answers", count),
        "quizzes": ngettext(
            "%(count)s quiz to finish", "%(count)s quizzes to finish", count
        ),
        "steps": ngettext(
            "%(count)s lesson part read", "%(count)s lesson parts read", count
        ),
        "saved": ngettext(
            "Your %(count)s module is saved on this phone: you can read it and "
            "take the quiz without a network.",
            "Your %(count)s modules are saved on this phone: you can read them "
            "and take the quiz without a network.",
            count,
        ),
    }


@register.simple_tag
def offline_counted_texts() -> dict:
    """The texts common/offline.js shows with a number, in both plural forms.

    ``{% offline_counted_texts as counted %}`` then ``counted.one.answers`` (said
    of one thing) and ``counted.other.answers`` (of several). The script picks
    the form for its number; in Vietnamese both are the same words.
    """
    return {"one": _waiting_texts(1), "other": _waiting_texts(2)}
