"""What members and the mairie do on one alert's page: follow it up, end it, report it.

Each action answers on the alert's page: a refusal about the alert itself (its state, the
user's rights) after a redirect, a refusal about what was typed on the form it came from.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts.forms import CloseForm, FollowUpForm, ReportForm
from alerts.services import alert_close, alert_follow_up, alert_report
from communities.commune_site import commune_site_view
from communities.form_refusals import form_refusal_show

from .pages import alert_detail_render
from .scope import alert_or_404


def _refused(request, error) -> bool:
    """A refusal about the alert itself (its state, the user's rights) rather than about what
    was typed: said on the alert's page after a redirect. Returns False for field errors."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return False
    messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    return True


def _follow_up_action(request, commune, pk, *, service, form_class, prefix, key, done):
    alert = alert_or_404(request, commune, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(alert=alert, by=request.user, text=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as error:
            if _refused(request, error):
                return redirect("alerts:detail", pk=alert.pk)
            form_refusal_show(form=form, error=error)
        else:
            messages.success(request, done)
            return redirect("alerts:detail", pk=alert.pk)
    return alert_detail_render(request, alert, forms={key: form}, status=400)


@require_POST
@commune_site_view
def alert_follow_up_post(request, commune, pk):
    return _follow_up_action(
        request,
        commune,
        pk,
        service=alert_follow_up,
        form_class=FollowUpForm,
        prefix="suivi",
        key="follow_up",
        done=_("Le suivi est publié et envoyé aux destinataires de l'alerte."),
    )


@require_POST
@commune_site_view
def alert_close_post(request, commune, pk):
    return _follow_up_action(
        request,
        commune,
        pk,
        service=alert_close,
        form_class=CloseForm,
        prefix="fin",
        key="close",
        done=_("L'alerte est close ; la fin d'alerte est envoyée à ses destinataires."),
    )


@require_POST
@commune_site_view
def alert_report_post(request, commune, pk):
    alert = alert_or_404(request, commune, pk)
    form = ReportForm(request.POST, prefix="signalement")
    if form.is_valid():
        try:
            alert_report(alert=alert, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            if _refused(request, error):
                return redirect("alerts:detail", pk=alert.pk)
            form_refusal_show(form=form, error=error)
        else:
            messages.success(
                request, _("Merci : votre signalement est transmis aux modérateurs de la mairie.")
            )
            return redirect("alerts:detail", pk=alert.pk)
    return alert_detail_render(request, alert, forms={"report": form}, status=400)
