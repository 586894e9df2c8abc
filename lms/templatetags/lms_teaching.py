"""The class page's list of lessons taught (the rosters area's page shows it).

The class page belongs to ``lms.rosters``, below ``lms.learning``; the list is
read here, only on the page that shows it, as the certificates add their
section to the pupil's home page.
"""

from django import template

from lms.learning.teaching import selectors as teaching_selectors

register = template.Library()


@register.inclusion_tag("lms/learning/_class_teaching.html", takes_context=True)
def class_teaching(context, school_class):
    """Render the lessons taught to ``school_class`` that the viewer may see."""
    user = context["request"].user
    return {
        "school_class": school_class,
        "may_record": teaching_selectors.class_for_teaching(
            user=user, class_id=school_class.pk
        )
        is not None,
        "sessions": teaching_selectors.class_teaching_sessions(
            user=user, school_class=school_class
        ),
        "past_year": context.get("past_year"),
    }
