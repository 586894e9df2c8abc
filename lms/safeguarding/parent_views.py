"""Pages of a parent or guardian: their children, consent online, progress, concerns.

Thin: which children a parent reaches is ``lms.people.parents``' answer (a child
not linked to them is 404); writes go through its services and, for a concern,
through the help flow's (``help_request_raise_by_parent``). What a parent sees of
their child is read-only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import DomainError, not_found_as_404
from content_cms.models import Audience
from content_cms.selectors import modules_localized, modules_visible_to
from lms.learning import selectors as learning_selectors
from lms.models import ModuleProgress, ProgressStatus, Role
from lms.people import parents as parent_services
from lms.people.consent import consent_is_complete
from lms.people.selectors import pupil_current_enrolment, user_has_role
from lms.safeguarding import services as help_services
from lms.safeguarding.forms import ParentConcernForm


def _parent(request):
    if not user_has_role(request.user, Role.PARENT):
        raise Http404
    return request.user


def _parent_modules(user) -> list:
    """The parents' modules, localized, each with the parent's own status."""
    sources = list(
        modules_visible_to(user).filter(audience=Audience.PARENT).order_by("title")
    )
    status = dict(
        ModuleProgress.objects.filter(user=user, module__in=sources).values_list(
            "module_id", "status"
        )
    )
    pages = modules_localized(sources)
    for source, page in zip(sources, pages, strict=True):
        page.source_id = source.pk
        page.my_status = ProgressStatus(
            status.get(source.pk, ProgressStatus.NOT_STARTED)
        ).label
    return pages


@login_required
def parent_home(request):
    """A parent's page: each child (consent given or not), and the parents' modules."""
    parent = _parent(request)
    children = []
    for child in parent_services.children_of(parent).order_by("display_name"):
        enrolment = pupil_current_enrolment(child)
        children.append(
            {
                "child": child,
                "school_class": enrolment.school_class if enrolment else None,
                "consent": parent_services.parent_consent_active(pupil=child),
            }
        )
    return render(
        request,
        "lms/parents/home.html",
        {"children": children, "modules": _parent_modules(parent)},
    )


@login_required
@not_found_as_404
def parent_child(request, pupil_id: int):
    """One child's modules and progress (read-only), consent, and "raise a concern"."""
    parent = _parent(request)
    child = parent_services.parent_child_get(parent=parent, pupil_id=pupil_id)
    enrolment = pupil_current_enrolment(child)
    assignments = learning_selectors.assignments_given_to(pupil=child)
    module_ids = sorted({a.module_id for a in assignments})
    titles = learning_selectors.module_titles(module_ids=module_ids)
    progress = {
        row.module_id: row
        for row in ModuleProgress.objects.filter(user=child, module_id__in=module_ids)
    }
    rows = [
        {
            "title": titles.get(module_id, ""),
            "status": (
                progress[module_id].get_status_display()
                if module_id in progress
                else ProgressStatus.NOT_STARTED.label
            ),
            "done": module_id in progress and progress[module_id].is_done,
        }
        for module_id in module_ids
    ]
    grade = enrolment.school_class.grade if enrolment else None
    return render(
        request,
        "lms/parents/child.html",
        {
            "child": child,
            "school_class": enrolment.school_class if enrolment else None,
            "rows": rows,
            "done_count": sum(1 for row in rows if row["done"]),
            "consent": parent_services.parent_consent_active(pupil=child),
            "consent_complete": consent_is_complete(pupil=child, grade=grade),
        },
    )


@login_required
@require_POST
@not_found_as_404
def parent_consent(request, pupil_id: int):
    """Give (``give``) or withdraw (``withdraw``) the parent's consent online."""
    parent = _parent(request)
    action = request.POST.get("action")
    if action == "give":
        parent_services.parent_consent_give(parent=parent, pupil_id=pupil_id)
        messages.success(request, _("Thank you. Your consent is recorded."))
    elif action == "withdraw":
        parent_services.parent_consent_withdraw(parent=parent, pupil_id=pupil_id)
        messages.success(
            request,
            _(
                "Your consent is withdrawn. Your child can still read the lessons "
                "and ask for help."
            ),
        )
    else:
        parent_services.parent_child_get(parent=parent, pupil_id=pupil_id)
    return redirect("lms:parent_child", pupil_id=pupil_id)


@login_required
@not_found_as_404
def parent_concern(request, pupil_id: int):
    """A parent tells the school's counsellor of a worry about their child."""
    parent = _parent(request)
    child = parent_services.parent_child_get(parent=parent, pupil_id=pupil_id)
    form = ParentConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            help_services.help_request_raise_by_parent(
                parent=parent, pupil=child, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your message was sent to the school counsellor. They will "
                    "contact you."
                ),
            )
            return redirect("lms:parent_child", pupil_id=child.pk)
    return render(request, "lms/parents/concern.html", {"form": form, "child": child})
