"""The charter, the terms of use, and accepting them again after a change (``accounts.terms``).

``/charte/`` and ``/conditions-d-utilisation/`` are public on every site (the registration
form and every footer link to them); ``/charte/accepter/`` is where a member whose accepted
version is out of date is sent, once, at their next visit.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from communities.selectors import commune_for_request

from .member_language import in_member_language
from .models import TermsOfUse
from .terms import acceptance_version, last_acceptance, terms_accept, terms_changed_at

TERMS_CHECKED_SESSION_KEY = "accounts_terms_checked"


def _terms() -> TermsOfUse | None:
    return TermsOfUse.objects.first()  # never written on a read: the admin creates it


def charter(request):
    commune = commune_for_request(request=request)
    return render(request, "account/charter.html", {"commune": commune})


def terms(request):
    return render(request, "account/terms.html", {"terms": _terms()})


class TermsAcceptForm(forms.Form):
    accept = forms.BooleanField(
        label=_("J'ai lu et j'accepte la charte et les conditions d'utilisation."),
        error_messages={"required": _("Cochez la case pour accepter et continuer.")},
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("member_home")


def terms_checked(request, version) -> None:
    """Remember in the session that this member is up to date with ``version``."""
    request.session[TERMS_CHECKED_SESSION_KEY] = version.isoformat() if version else ""


@in_member_language
@never_cache
@login_required
def terms_accept_view(request):
    commune = commune_for_request(request=request)
    form = TermsAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        terms_accept(user=request.user)
        terms_checked(request, acceptance_version(commune=commune))
        return redirect(_next_url(request))
    accepted = last_acceptance(user=request.user)
    context = {
        "form": form,
        "commune": commune,
        "terms": _terms(),
        "next": _next_url(request),
        # What changed since the member's last acceptance, to say so first.
        "charter_changed": _changed_since(
            commune.charter_changed_at if commune else None, accepted
        ),
        "terms_changed": _changed_since(terms_changed_at(), accepted),
    }
    return render(request, "account/terms_accept.html", context)


def _changed_since(changed, accepted):
    return changed if changed and accepted and changed > accepted else None
