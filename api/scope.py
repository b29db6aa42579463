"""The commune an API request is about: the site it was sent to, if any.

Apps call the commune's own host name (``cadaujac.example.org/api/v1/…``); there every list
is narrowed to that commune, as the site's pages are. On the platform's host, lists hold
what the one visibility rule lets the member read, whatever the commune.
"""

from communities.selectors import commune_for_request


def request_commune(request):
    return commune_for_request(request=request)
