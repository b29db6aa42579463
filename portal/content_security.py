"""Content-Security-Policy: a strict policy for the public and member pages, a looser one for
the Wagtail admin.

django-csp's middleware writes ``CONTENT_SECURITY_POLICY``. Wagtail's admin still relies on
inline scripts and style attributes, so under ``ADMIN_CONTENT_SECURITY_POLICY["PATH_PREFIXES"]``
this subclass writes that setting's directives instead (a view's own ``@csp`` decorator still
wins).

Browsers obey ``frame-ancestors`` over ``X-Frame-Options``, so the two must agree. Wagtail
renders a preview through the whole middleware stack with a dummy request for the page's
public URL (``request.is_dummy``): the page gets the public policy it will be served with,
except that the admin's preview panel, on the same origin, may frame it. Any other response
whose view let its own origin frame it (``X-Frame-Options: SAMEORIGIN``) gets the same.
"""

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        admin = settings.ADMIN_CONTENT_SECURITY_POLICY
        if parts.config is None and request.path_info.startswith(tuple(admin["PATH_PREFIXES"])):
            parts.config = default_config(admin["DIRECTIVES"])
        framed_here = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
        if framed_here or getattr(request, "is_dummy", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts
