"""Pages of the content app outside the page tree: search."""

from django.shortcuts import render

from content_cms import selectors


def search(request):
    """Search the modules this visitor may open (parents' modules when anonymous)."""
    query = (request.GET.get("q") or "").strip()[:200]
    modules = selectors.module_search(user=request.user, query=query) if query else []
    return render(
        request, "content_cms/search.html", {"query": query, "modules": modules}
    )
