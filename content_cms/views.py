"""Pages of the content app outside the page tree: search, a module refused,
a module's printable worksheet."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from wagtail.models import Locale

from content_cms import selectors
from content_cms.errors import ModuleOutsideAgeBand
from content_cms.models import CatalogueIndexPage
from content_cms.worksheets import worksheet_block, worksheet_pdf


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


def module_worksheet(request, slug: str):
    """Answer a module's printable worksheet (PDF) in the active language.

    Open to exactly those who may open the module: an anonymous visitor is sent to
    sign in (parents' modules are public), a pupil of another age band gets the
    kind refusal, and a module without a worksheet is a 404.
    """
    try:
        page = selectors.module_for_slug(user=request.user, slug=slug[:80])
    except ModuleOutsideAgeBand as error:
        return module_refused(request, error)
    if page is None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    sheet = worksheet_block(page) if page is not None else None
    if sheet is None:
        raise Http404("no worksheet")
    response = HttpResponse(
        worksheet_pdf(page=page, sheet_value=sheet), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{slug}-phieu-hoc-tap.pdf"'
    return response
