"""The machinery of the organisation admin in Wagtail (/cms/): scoped views.

Each screen of ``lms.people.admin.views`` and ``lms.people.admin.staff`` is a
``ScopedModelViewSet``, whose views read only through ``lms.people.selectors``:
``list_scope`` says which objects a person may list and open, ``change_scope``
which they may edit. A foreign object is not in the queryset, so it answers 404 in
every view (edit, history, usage, inspect), and Wagtail's model permissions,
granted per role in ``lms/people/roles.py``, decide which screens and buttons a
role has at all (403). Writes go through a service (``save_through_service``); a
refusal there comes back as a form error, with nothing written.

Nothing is deleted from the organisation admin: a school or a class holds
children's records, a unit or a school year is what those records are counted by.
Schools move, staff accounts close, classes are renamed.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.views import View
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from lms.errors import LmsError
from lms.models import User

Scope = Callable[[User], QuerySet]

# Which form field a service's refusal is about; the rest show above the form.
ERROR_FIELDS = {
    "unit_code_taken": "code",
    "school_code_taken": "code",
    "unit_not_found": "unit",
    "unit_move_into_itself": "parent",
    "school_year_name_taken": "name",
    "period_outside_year": "starts_on",
    "class_name_taken": "name",
    "teacher_not_at_school": "teachers",
    "username_taken": "username",
    "weak_password": NON_FIELD_ERRORS,
    "role_not_staff": "role",
    "school_not_found": "school",
}


def form_error_add(form, error: LmsError | ValidationError) -> None:
    """Show a service's refusal on the form, on its field when the form has it."""
    if isinstance(error, LmsError):
        field = ERROR_FIELDS.get(error.code)
        if field == "unit" and "unit" not in form.fields:
            field = "parent"
        form.add_error(field if field in form.fields else None, str(error.message))
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Views that read through the selectors ----------


class ScopedMixin:
    """Read objects through the selectors the viewset names, never the model."""

    list_scope: Scope | None = None
    change_scope: Scope | None = None
    list_select_related: tuple[str, ...] = ()

    def scoped(self, scope: Scope | None) -> QuerySet:
        return scope(self.request.user).select_related(*self.list_select_related)


class ScopedIndexView(ScopedMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.scoped(self.list_scope)

    def get_delete_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None


class ServiceFormMixin(ScopedMixin):
    """Save through a service; its refusal becomes a form error and nothing is kept."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (LmsError, ValidationError) as error:
            form_error_add(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_instance(self):
        instance = self.save_through_service(self.form.cleaned_data)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def save_through_service(self, data: dict):
        raise NotImplementedError


class ScopedCreateView(ServiceFormMixin, generic.CreateView):
    log_action = "wagtail.create"


class ScopedEditView(ServiceFormMixin, generic.EditView):
    log_action = "wagtail.edit"

    def get_queryset(self):
        return self.scoped(self.change_scope)

    @property
    def stored(self):
        """The object as it is stored: the form has already changed ``self.object``,
        and the services compare old with new (a school's unit, a staff role)."""
        return self.get_queryset().get(pk=self.object.pk)

    def get_delete_url(self):
        return None

    def get_copy_url(self):
        return None

    @property
    def can_delete(self):
        return False


class RefusedDeleteView(View):
    """Nothing is deleted from the organisation admin (see the module docstring)."""

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class ScopedHistoryView(ScopedMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped(self.list_scope)


class ScopedUsageView(ScopedMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.scoped(self.list_scope)


class ScopedInspectView(ScopedMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped(self.list_scope), pk=self.pk)

    def get_delete_url(self):
        return None


class ScopedModelViewSet(ModelViewSet):
    """A model viewset whose every view reads through two selectors."""

    list_scope: Scope
    change_scope: Scope
    list_select_related: tuple[str, ...] = ()
    form_class = None
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    index_view_class = ScopedIndexView
    delete_view_class = RefusedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_class = ScopedInspectView

    def get_common_view_kwargs(self, **kwargs):
        # construct_view passes each keyword only to the views that have it.
        return super().get_common_view_kwargs(
            list_scope=type(self).list_scope,
            change_scope=type(self).change_scope,
            list_select_related=self.list_select_related,
            **kwargs,
        )

    def get_form_class(self, for_update=False):
        return self.form_class

    def get_delete_view_kwargs(self, **kwargs):
        return {}

    @property
    def delete_view(self):
        return RefusedDeleteView.as_view()


def scoped_choice_filter(label, scope: Scope, **kwargs):
    """A filter whose choices are only the objects the person may see."""
    return django_filters.ModelChoiceFilter(
        label=label, queryset=lambda request: scope(request.user), **kwargs
    )
