"""allauth's e-mails (codes, password resets, security notices) in the commune's colours.

Sent from a commune's site, they carry its name in the subject ("[Cadaujac] …") and the
signature, and an HTML part in its colour with its logo; the plain text stays, as the first
part, for every reader that prefers it. Elsewhere (the platform's site) they are Voisinage's.
The HTML part is built from the plain text: one text per e-mail, written once, in French.
"""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils.translation import get_language

from communities.models import Commune

LOGO_SPEC = "max-240x80"
# A paragraph that is only a code ("K7PQ-2XMD", "482913") is shown large, to be read easily.
CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$|^\d{6}$")


def email_branding(*, commune: Commune | None) -> dict:
    """What the templates need to brand an e-mail: the commune, its colour, its site and logo."""
    if commune is None:
        return {"commune": None, "colour": "#1d4e89", "site_url": "", "logo_url": ""}
    site_url = commune.site.root_url.rstrip("/")
    logo_url = ""
    if commune.logo_id:
        rendition = commune.logo.get_rendition(LOGO_SPEC)
        logo_url = rendition.url if "://" in rendition.url else f"{site_url}{rendition.url}"
    return {
        "commune": commune,
        "colour": commune.primary_colour or "#1d4e89",
        "site_url": site_url,
        "logo_url": logo_url,
    }


def email_html_part(*, subject: str, text: str, branding: dict) -> str:
    """The HTML part of an account e-mail: its plain text, in the commune's layout."""
    paragraphs = [
        {"text": part.strip(), "code": bool(CODE.match(part.strip()))}
        for part in re.split(r"\n\s*\n", text)
        if part.strip()
    ]
    return render_to_string(
        "account/email/branded_message.html",
        {
            **branding,
            "subject": subject,
            "paragraphs": paragraphs,
            "language": get_language() or "fr",
        },
    )
