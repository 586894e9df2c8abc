"""``{% my_certificates user %}``: the pupil home's certificates section;
``{% class_certificates_link school_class user %}``: the link from a class's pages
(the class page and its progress grid, ``settings.LMS_CLASS_PAGE_LINKS``) to its
certificates, for those who may open them.

A template tag rather than a context processor: it runs only where a page asks
for it, not on every request. The pupil home (lms) includes
``certificates/_pupil_home_section.html``, which loads this library, because
``settings.LMS_PUPIL_HOME_SECTIONS`` lists it: lms names nothing of certificates.
"""

from django import template

from certificates.selectors import certificates_of_user, may_open_class_certificates

register = template.Library()


@register.inclusion_tag("certificates/_my_certificates.html")
def my_certificates(user):
    return {"certificates": certificates_of_user(user=user)}


@register.inclusion_tag("certificates/_class_certificates_link.html")
def class_certificates_link(school_class, user):
    allowed = may_open_class_certificates(user=user, class_id=school_class.pk)
    return {"school_class": school_class, "allowed": allowed}
