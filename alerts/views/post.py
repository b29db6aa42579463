"""The resident's alert form, with its live SMS counter."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from alerts.forms import AlertForm
from alerts.models import RESIDENT_CATEGORIES, Alert, AlertSource, ModerationStatus
from alerts.services import alert_post
from alerts.sms_text import alert_sms_text
from communities.commune_site import commune_site_view
from communities.form_refusals import form_refusal_show
from communities.memberships import active_membership, verified_membership
from communities.models import Membership, MembershipStatus
from communities.wording import of_place
from notifications.sms.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM7_MULTIPART_SEGMENT,
    GSM7_SINGLE_SEGMENT,
    UCS2_MULTIPART_SEGMENT,
    UCS2_SINGLE_SEGMENT,
)

_MARK = "\x00"


def _counter_config(*, membership, commune) -> dict:
    """What the live SMS counter needs, from the same sources as the server's count."""
    wrappers = {}
    for category in RESIDENT_CATEGORIES:
        sample = Alert(commune=commune, community=membership.community, category=category)
        before, _mark, after = alert_sms_text(alert=sample, text=_MARK).partition(_MARK)
        wrappers[category.value] = [before, after]
    return {
        "gsm7_basic": "".join(sorted(GSM7_BASIC)),
        "gsm7_extension": "".join(sorted(GSM7_EXTENSION)),
        "gsm7_single": GSM7_SINGLE_SEGMENT,
        "gsm7_multipart": GSM7_MULTIPART_SEGMENT,
        "ucs2_single": UCS2_SINGLE_SEGMENT,
        "ucs2_multipart": UCS2_MULTIPART_SEGMENT,
        "max_text": AlertForm.max_text,
        "wrappers": wrappers,
        "default_wrapper": wrappers[RESIDENT_CATEGORIES[-1].value],
    }


def _reach_message(alert: Alert) -> str:
    if alert.moderation_status == ModerationStatus.HELD:
        return _(
            "Votre alerte attend la validation d'un modérateur de la mairie : elle sera envoyée "
            "dès qu'elle sera validée, et vous serez prévenu de la décision."
        )
    neighbours = (
        Membership.objects.filter(community=alert.community, status=MembershipStatus.VERIFIED)
        .exclude(user=alert.author)
        .count()
    )
    names = {
        "count": neighbours,
        "community": alert.community.name,
        "of_community": of_place(alert.community.name),
        "of_commune": of_place(alert.commune.name),
    }
    if not neighbours:
        return (
            _(
                "Votre alerte est envoyée à la mairie et à la police municipale %(of_commune)s ; "
                "%(community)s n'a pas encore d'autre membre vérifié."
            )
            % names
        )
    return (
        ngettext(
            "Votre alerte est envoyée à l'autre membre vérifié %(of_community)s, à la mairie "
            "et à la police municipale %(of_commune)s.",
            "Votre alerte est envoyée aux %(count)d autres membres vérifiés %(of_community)s, "
            "à la mairie et à la police municipale %(of_commune)s.",
            neighbours,
        )
        % names
    )


@require_http_methods(["GET", "POST"])
@commune_site_view
def alert_create(request, commune):
    """A verified resident of this commune alerts their own community."""
    membership = verified_membership(user=request.user)
    if membership is None or membership.community.commune_id != commune.pk:
        return render(
            request,
            "alerts/cannot_post.html",
            {"membership": active_membership(user=request.user)},
            status=403,
        )
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert = alert_post(
                author=request.user,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                identifying_details=form.cleaned_data["identifying_details"],
                source=AlertSource.WEB,
            )
        except (ValidationError, PermissionDenied) as error:
            form_refusal_show(form=form, error=error)
        else:
            messages.success(request, _reach_message(alert))
            return redirect("alerts:detail", pk=alert.pk)
    return render(
        request,
        "alerts/alert_form.html",
        {
            "form": form,
            "membership": membership,
            "counter_config": _counter_config(membership=membership, commune=commune),
        },
    )
