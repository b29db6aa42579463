"""Search over the API: the commune site's own search (``search.selectors.search_results``).

The same candidates (the commune's public pages and the gazette posts the member may read),
the same order, the same pages of ten as ``/recherche/``. Only on a commune's host name,
as the search page.
"""

from datetime import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema

from search.selectors import MAX_QUERY_LENGTH, RESULTS_PER_PAGE, search_results

from .problems import Problem
from .scope import request_commune

router = Router(tags=["Recherche"])


class HitOut(Schema):
    id: int
    kind: str
    title: str
    title_html: str = Field(..., description="Le titre, les mots cherchés entre `<mark>`.")
    excerpt_html: str = Field(..., description="Un extrait échappé, les mots entre `<mark>`.")
    gazette: bool = Field(..., description="Une annonce de la gazette, réservée aux membres.")
    start: datetime | None = Field(None, description="Le début d'un événement de l'agenda.")
    url: str


class SearchPage(Schema):
    number: int
    next_page: int | None
    per_page: int


class SearchOut(Schema):
    query: str
    count: int
    items: list[HitOut]
    page: SearchPage


@router.get(
    "/",
    response={200: SearchOut, 404: Problem},
    summary="Rechercher sur le site de la commune",
    description=(
        "Les mêmes résultats que la page Recherche du site : pages publiques de la commune et "
        f"annonces de la gazette que le membre peut lire, {RESULTS_PER_PAGE} par page "
        "(`page`). Sur le nom d'hôte d'une commune seulement."
    ),
)
def search(
    request,
    q: str = Query("", max_length=MAX_QUERY_LENGTH),
    page: int = Query(1, ge=1, le=10_000),
):
    commune = request_commune(request)
    if commune is None:
        raise Http404
    results = search_results(request=request, viewer=request.auth, commune=commune, query=q)
    found = results.page
    return {
        "query": results.query,
        "count": found.paginator.count if found is not None else 0,
        "items": [
            {
                "id": hit.page.pk,
                "kind": hit.kind,
                "title": hit.page.title,
                "title_html": str(hit.title),
                "excerpt_html": str(hit.excerpt),
                "gazette": hit.is_gazette,
                "start": getattr(hit.page, "start", None),
                "url": hit.url or "",
            }
            for hit in results.hits
        ],
        "page": {
            "number": found.number if found is not None else 1,
            "next_page": found.next_page_number()
            if found is not None and found.has_next()
            else None,
            "per_page": RESULTS_PER_PAGE,
        },
    }
