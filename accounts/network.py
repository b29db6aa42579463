"""The client's address, for rate limits and lockouts (allauth and axes both read it here)."""

import ipaddress

from django.conf import settings


def _valid(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address the request came from.

    ``X-Forwarded-For`` is read only when ``TRUSTED_PROXY_COUNT`` proxies of ours sit in
    front (the TLS-terminating proxy in production): the address is then the one our
    outermost proxy saw, counted from the right, where a client cannot write. Without that
    setting the header is ignored, or anyone could choose a new address for every attempt
    and never be locked out.

    (django-ipware's ``proxy_count`` counts proxies differently and, in strict mode, falls
    back to the proxy's own address when a client pre-fills the header; this rule is
    allauth's, so that allauth's rate limits and axes' lockouts agree.)
    """
    remote = _valid(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        if len(entries) >= proxies:
            return _valid(entries[-proxies]) or remote
    return remote
