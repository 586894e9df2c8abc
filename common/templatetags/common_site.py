"""Template helpers every app may use (common is the floor).

``{{ share|percent }}``: a percentage written the one way (``common.numbers``).
``{% filter site_title %}…{% endfilter %}``: a page's title followed by the site's
name, or the site's name alone when the page has no other title (the landing
page is called what the site is called: never "An toàn trên mạng · An toàn trên
mạng").
"""

from django import template
from django.utils.translation import gettext as _

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
