"""What the apps above lms add to its pages, named by settings, never by lms.

``{% class_page_links as links %}`` returns the templates listed in
``settings.LMS_CLASS_PAGE_LINKS`` (the class's certificates, from the certificates
app); the class page and the progress grid include each one with the page's
context, so lms names none of them.
"""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def class_page_links() -> list[str]:
    return list(getattr(settings, "LMS_CLASS_PAGE_LINKS", []))
