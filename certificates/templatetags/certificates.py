"""``{% my_certificates user %}``: the pupil home's certificates section.

A template tag rather than a context processor: it runs only where a page asks
for it, not on every request. The pupil home (lms) includes
``certificates/_pupil_home_section.html``, which loads this library, because
``settings.LMS_PUPIL_HOME_SECTIONS`` lists it: lms names nothing of certificates.
"""

from django import template

from certificates.selectors import certificates_of_user

register = template.Library()


@register.inclusion_tag("certificates/_my_certificates.html")
def my_certificates(user):
    return {"certificates": certificates_of_user(user=user)}
