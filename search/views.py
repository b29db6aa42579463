"""The search page of a commune's site (``/recherche/?q=…``)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from communities.selectors import commune_for_request

from .selectors import MAX_QUERY_LENGTH, search_results


@require_GET
def search(request):
    """Search what the viewer may read on this commune's site; 404 on the platform's site."""
    commune = commune_for_request(request=request)
    if commune is None:
        raise Http404
    results = search_results(
        request=request, viewer=request.user, commune=commune, query=request.GET.get("q", "")
    )
    response = render(
        request,
        "search/results.html",
        {
            "query": results.query,
            "results": results.page,
            "hits": results.hits,
            "max_length": MAX_QUERY_LENGTH,
        },
    )
    if request.user.is_authenticated:
        # Members' results include their community's posts: never kept by a shared cache.
        patch_cache_control(response, private=True, no_store=True)
    return response
