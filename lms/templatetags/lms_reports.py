"""Small template helpers of the report pages."""

from django import template

from lms.models import DONE_STATUSES

register = template.Library()


@register.filter
def index(sequence, position):
    """Return ``sequence[position]`` (the grid's module of a cell)."""
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None


@register.simple_tag
def cell_overdue(cell, module, today) -> bool:
    """Return whether a grid cell is overdue: given, not finished, due date passed."""
    due_on = getattr(module, "due_on", None)
    return bool(
        cell.assigned
        and cell.status not in DONE_STATUSES
        and due_on is not None
        and due_on < today
    )
