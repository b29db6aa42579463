"""Browser-side protections: the Content-Security-Policy (django-csp) and no third-party calls.

Transport protections (HTTPS redirect, HSTS, secure cookies) are production's, in
``production.py``; the admin's policy is applied by ``portal.content_security``.
"""

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from .maps import MAP_TILE_ORIGINS

# Public and member pages: scripts only from our own static files, never inline code or eval
# (the live counters and polling are static files; the json_script blocks they read are data,
# which CSP does not govern). Styles from our static CSS too: no style="" attributes; the one
# <style> element, the commune's colour in base.html, carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the TOTP set-up QR code (allauth renders it as a data: SVG); the map's
        # base-map tiles when a tile server is configured (``maps``).
        "img-src": [SELF, "data:", *MAP_TILE_ORIGINS],
        # The alert progress and conversation polling, the push subscription API.
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The Wagtail admin (and its preview of pages and the userbar's edit links) still uses inline
# scripts and style attributes: same policy with those allowed, and blob: images for its upload
# previews. Framing stays refused except for the preview panel (see portal.content_security).
ADMIN_CONTENT_SECURITY_POLICY = {
    "PATH_PREFIXES": ("/admin/",),
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *MAP_TILE_ORIGINS],
    },
}
# Nor does the admin fetch staff avatars from Gravatar (that would also hand Gravatar a hash
# of each staff member's e-mail address): Wagtail shows its default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
