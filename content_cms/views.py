"""Pages of the content app outside the page tree: search, a module refused."""

from django.shortcuts import render
from django.template.response import TemplateResponse
from wagtail.models import Locale

from content_cms import selectors
from content_cms.errors import ModuleOutsideAgeBand
from content_cms.models import CatalogueIndexPage


def search(request):
    """Search the modules this visitor may open (parents' modules when anonymous)."""
    query = (request.GET.get("q") or "").strip()[:200]
    modules = selectors.module_search(user=request.user, query=query) if query else []
    return render(
        request, "content_cms/search.html", {"query": query, "modules": modules}
    )


def module_refused(request, error: ModuleOutsideAgeBand) -> TemplateResponse:
    """Say kindly why a module is closed (403), with the way to the pupil's lessons.

    Module pages and the module player (``lms``) answer with this page.
    """
    catalogue = (
        CatalogueIndexPage.objects.live().filter(locale=Locale.get_default()).first()
    )
    catalogue = catalogue.localized if catalogue is not None else None
    return TemplateResponse(
        request,
        "content_cms/module_refused.html",
        {"message": error.message, "catalogue": catalogue},
        status=error.status_code,
    )
