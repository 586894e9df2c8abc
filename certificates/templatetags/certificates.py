"""``{% my_certificates user %}``: the pupil home's certificates section.

A template tag rather than a context processor: it runs only where a page asks
for it (the pupil home), not on every request, and ``lms`` keeps not importing
``certificates`` (only its template names the tag library).
"""

from django import template

from certificates.selectors import certificates_of_user

register = template.Library()


@register.inclusion_tag("certificates/_my_certificates.html")
def my_certificates(user):
    return {"certificates": certificates_of_user(user=user)}
