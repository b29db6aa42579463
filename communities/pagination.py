"""Lists shown a page at a time, the same way on every page of the platform.

One query parameter, ``?page=n``, read here and written by ``components/pagination.html``
(which keeps the list's other parameters: its search, its filters). It lives in this low
layer so that every app with pages can use it.
"""

from django.core.paginator import Page, Paginator

PAGE_PARAMETER = "page"
# How many items a public listing of the mairie's site shows at once (news, agenda, the
# gazette): one size, so that a commune's lists look alike.
LISTING_PAGE_SIZE = 12
# Links written before every list shared this rule (the referents' admin list said ``?p=n``).
OLD_PAGE_PARAMETER = "p"


def page_of(*, request, items, per_page: int) -> Page:
    """Page ``?page=n`` of ``items`` (``?p=n`` from older links works too).

    A missing or malformed number gives the first page and one past the end the last page:
    a list never answers an error for its page number.
    """
    number = request.GET.get(PAGE_PARAMETER) or request.GET.get(OLD_PAGE_PARAMETER)
    return Paginator(items, per_page).get_page(number)
