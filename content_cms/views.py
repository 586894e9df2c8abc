"""Pages of the content app outside the page tree: search, a module refused, PDFs.

An adults' module's facilitator guide and take-home sheet are answered here by
page id, for whoever may open the module (parents' modules are public); a
module's printable worksheet by its slug, for whoever may open the module.
"""

import io

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import translation
from wagtail.models import Locale

from common.errors import not_found_as_404
from content_cms import selectors, session_pdf
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


def _pdf_response(content: bytes, filename: str) -> FileResponse:
    """A PDF shown in the browser (saved under ``filename`` when kept)."""
    return FileResponse(
        io.BytesIO(content), content_type="application/pdf", filename=filename
    )


@not_found_as_404
def session_guide_pdf(request, page_id: int):
    """The facilitator guide of an adults' module, as a PDF (404 if not theirs)."""
    module = selectors.module_session_materials_for(user=request.user, page_id=page_id)
    with translation.override(module.locale.language_code):
        content = session_pdf.session_guide_pdf(module=module)
    return _pdf_response(content, f"huong-dan-to-chuc-{module.slug}.pdf")


@not_found_as_404
def take_home_pdf(request, page_id: int):
    """The take-home sheet of an adults' module, as a PDF (404 if not theirs)."""
    module = selectors.module_session_materials_for(user=request.user, page_id=page_id)
    # The printout speaks the module's language, whatever the visitor's.
    with translation.override(module.locale.language_code):
        content = session_pdf.take_home_pdf(module=module)
    return _pdf_response(content, f"to-roi-{module.slug}.pdf")


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
    return _pdf_response(
        worksheet_pdf(page=page, sheet_value=sheet), f"{page.slug}-phieu-hoc-tap.pdf"
    )
