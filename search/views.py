"""The search page of a commune's site (``/recherche/?q=…``)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from communities.pagination import page_of
from communities.selectors import commune_for_request

from .selectors import MAX_QUERY_LENGTH, search_hits, site_search

RESULTS_PER_PAGE = 10


@require_GET
def search(request):
    """Search what the viewer may read on this commune's site; 404 on the platform's site."""
    commune = commune_for_request(request=request)
    if commune is None:
        raise Http404
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    results = hits = None
    if query:
        results = page_of(
            request=request,
            items=site_search(viewer=request.user, commune=commune, query=query),
            per_page=RESULTS_PER_PAGE,
        )
        hits = search_hits(pages=list(results.object_list), query=query, request=request)
    response = render(
        request,
        "search/results.html",
        {
            "query": query,
            "results": results,
            "hits": hits,
            "max_length": MAX_QUERY_LENGTH,
        },
    )
    if request.user.is_authenticated:
        # Members' results include their community's posts: never kept by a shared cache.
        patch_cache_control(response, private=True, no_store=True)
    return response
