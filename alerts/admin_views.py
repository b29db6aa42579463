"""The mairie's alert screens in the Wagtail admin: one-click broadcast, moderation queue.

"Alerter la commune" is for staff holding the broadcaster role of at least one commune;
"Modération des alertes" for the moderators of a commune and the platform team. Anyone
else gets 404, and an alert of another commune answers 404 as if it did not exist. The
views only read and hand over: ``alerts.services``, ``alerts.broadcast`` and
``alerts.moderation`` decide, and check the role again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from communities.dates import date_display
from communities.form_refusals import form_refusal_show
from communities.models import StaffRole
from communities.selectors import communes_where, staff_roles_held
from communities.sms_budget import sms_budget_refusal
from notifications.models import Channel
from notifications.progress import deliveries_counts

from .admin_forms import BroadcastForm, DecisionForm
from .broadcast import broadcast_estimate
from .models import Alert, AlertMessage, AlertSource
from .moderation import (
    QueueFilter,
    alert_approve,
    alert_reject,
    alert_reports,
    alert_retract,
    alerts_moderated_by,
    moderation_queue,
    open_report_reasons,
    queue_counts,
    report_dismiss,
)
from .permissions import alert_withdraw_refusal
from .retraction import RetractionEstimate, retraction_estimate
from .services import broadcast_post

RECENT_BROADCASTS = 10
QUEUE_LENGTH = 100


def broadcaster_communes(user):
    return communes_where(user=user, role=StaffRole.BROADCASTER)


def broadcasts(*, request) -> bool:
    """Whether ``broadcaster_communes`` is not empty for ``request.user``, from the roles read
    once per request: the admin's menu asks on every page."""
    return StaffRole.BROADCASTER in staff_roles_held(request=request)


def delivery_counts(*, alert: Alert) -> list[dict]:
    """Deliveries of every message of ``alert`` per channel and status: one aggregate query.

    One row per channel: ``{"channel", "label", "total", "queued", "sending", "sent",
    "delivered", "failed"}``.
    """
    counts = deliveries_counts(
        message_ids=list(AlertMessage.objects.filter(alert=alert).values_list("pk", flat=True))
    )
    return [
        {"channel": channel, "label": label, "total": sum(counts[channel].values())}
        | counts[channel]
        for channel, label in Channel.choices
    ]


def _public_alert_url(alert: Alert) -> str:
    return f"{alert.commune.site.root_url}{reverse('alerts:detail', args=(alert.pk,))}"


# --- Broadcast -----------------------------------------------------------------------------------


class BroadcastMixin(WagtailAdminTemplateMixin):
    header_icon = "warning"
    page_title = gettext_lazy("Alerter la commune")

    def dispatch(self, request, *args, **kwargs):
        if not broadcaster_communes(request.user).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class BroadcastView(BroadcastMixin, TemplateView):
    """The form; a first POST shows what the broadcast will reach and cost, a second sends.

    Nothing is sent before the confirmation, and the confirmation itself is validated again
    (a crafted commune or community is refused like on the first step).
    """

    template_name = "alerts/admin/broadcast_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=BroadcastForm(user=request.user)))

    def post(self, request, *args, **kwargs):
        form = BroadcastForm(request.POST, user=request.user)
        if not form.is_valid() or "edit" in request.POST:
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        if request.POST.get("confirmed") != "1":
            return self._confirmation(form)
        try:
            alert = broadcast_post(
                author=request.user,
                commune=data["commune"],
                category=data["category"],
                text=data["text"],
                communities=data["communities"],
                urgent=data["urgent"],
                transliterate=data["transliterate"],
                without_sms=data["without_sms"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form_refusal_show(form=form, error=error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("L'alerte est partie : suivez ici son envoi."))
        return redirect("alert_broadcast:status", alert_pk=alert.pk)

    def _confirmation(self, form):
        data = form.cleaned_data
        estimate = broadcast_estimate(
            commune=data["commune"],
            category=data["category"],
            text=data["text"],
            communities=data["communities"],
            urgent=data["urgent"],
            transliterate=data["transliterate"],
            without_sms=data["without_sms"],
            author=self.request.user,
        )
        self.template_name = "alerts/admin/broadcast_confirm.html"
        return self.render_to_response(
            self.get_context_data(
                form=form,
                estimate=estimate,
                hidden_values=form.hidden_values(),
                reach_rows=[
                    (label, estimate.reach.get(channel, 0)) for channel, label in Channel.choices
                ],
                category_label=dict(form.fields["category"].choices)[data["category"]],
                budget_refusal=(
                    sms_budget_refusal(commune=data["commune"], cost=estimate.cost)
                    if estimate.budget_refused
                    else None
                ),
            )
        )

    def get_context_data(self, **kwargs):
        recent = (
            Alert.objects.visible_to(self.request.user)
            .filter(source=AlertSource.ADMIN, commune__in=broadcaster_communes(self.request.user))
            .select_related("commune")
            .order_by("-created_at")[:RECENT_BROADCASTS]
        )
        return super().get_context_data(recent=recent, **kwargs)


class BroadcastStatusView(BroadcastMixin, TemplateView):
    """A broadcast after it left: its text, targets and delivery counts per channel."""

    template_name = "alerts/admin/broadcast_status.html"

    def get_page_subtitle(self):
        return self.alert.get_category_display()

    def get(self, request, *args, alert_pk, **kwargs):
        self.alert = get_object_or_404(
            Alert.objects.visible_to(request.user)
            .filter(commune__in=broadcaster_communes(request.user))
            .select_related("commune__site", "author"),
            pk=alert_pk,
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        alert = self.alert
        first = alert.messages.order_by("pk").first()
        return super().get_context_data(
            alert=alert,
            message=first,
            targets=list(alert.communities.order_by("name")),
            counts=delivery_counts(alert=alert),
            public_url=_public_alert_url(alert),
            **kwargs,
        )


class BroadcastMenuItem(MenuItem):
    """Shown to staff holding the broadcaster role in at least one commune."""

    def is_shown(self, request):
        return broadcasts(request=request)


class BroadcastViewSet(ViewSet):
    name = "alert_broadcast"
    url_prefix = "alerter"
    icon = "warning"
    menu_label = gettext_lazy("Alerter la commune")
    menu_item_class = BroadcastMenuItem
    add_to_admin_menu = True
    menu_order = 240

    def get_urlpatterns(self):
        return [
            path("", BroadcastView.as_view(), name="form"),
            path("<int:alert_pk>/", BroadcastStatusView.as_view(), name="status"),
        ]


# --- Moderation ----------------------------------------------------------------------------------


def moderates_alerts(*, request) -> bool:
    return StaffRole.MODERATOR in staff_roles_held(request=request)


class ModerationMixin(WagtailAdminTemplateMixin):
    header_icon = "warning"
    page_title = gettext_lazy("Modération des alertes")

    def dispatch(self, request, *args, **kwargs):
        if not moderates_alerts(request=request):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def queue_url(self):
        return reverse("alert_moderation:queue")


QUEUE_FILTERS = [
    (QueueFilter.TO_REVIEW, gettext_lazy("À relire")),
    (QueueFilter.HELD, gettext_lazy("Retenues")),
    (QueueFilter.REPORTED, gettext_lazy("Signalées")),
    (QueueFilter.ALL, gettext_lazy("Toutes")),
]


class QueueView(ModerationMixin, TemplateView):
    """The alerts of the user's communes, newest first, filtered by what awaits them."""

    template_name = "alerts/admin/moderation_queue.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        show = self.request.GET.get("filtre", QueueFilter.TO_REVIEW)
        if show not in dict(QUEUE_FILTERS):
            show = QueueFilter.TO_REVIEW
        counts = queue_counts(user=self.request.user)
        alerts = list(moderation_queue(user=self.request.user, show=show)[:QUEUE_LENGTH])
        reasons = open_report_reasons(alerts=alerts)
        for alert in alerts:
            alert.open_report_reasons = reasons.get(alert.pk, [])
        return super().get_context_data(
            alerts=alerts,
            show=show,
            filters=[(key, label, counts[key]) for key, label in QUEUE_FILTERS],
            queue_length=QUEUE_LENGTH,
            **kwargs,
        )


class AlertModerationMixin(ModerationMixin):
    def dispatch(self, request, *args, alert_pk, **kwargs):
        if not moderates_alerts(request=request):
            raise Http404
        self.alert = get_object_or_404(
            alerts_moderated_by(user=request.user).select_related(
                "commune__site", "community", "author"
            ),
            pk=alert_pk,
        )
        return super().dispatch(request, *args, **kwargs)


class AlertDetailView(AlertModerationMixin, TemplateView):
    """One alert for its moderator: text, identifying details, author, reports, history."""

    template_name = "alerts/admin/moderation_detail.html"

    def get_page_subtitle(self):
        return self.alert.get_category_display()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.queue_url(), "label": _("Modération des alertes")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        alert = self.alert
        reports = list(alert_reports(alert=alert))
        return super().get_context_data(
            alert=alert,
            targets=list(alert.communities.order_by("name")),
            events=list(alert.events.select_related("actor")),
            reports=reports,
            open_reports=[report for report in reports if report.status == "open"],
            counts=delivery_counts(alert=alert),
            public_url=_public_alert_url(alert),
            decision_form=kwargs.pop("decision_form", None) or DecisionForm(),
            **kwargs,
        )


DECISIONS = {
    "valider": (alert_approve, gettext_lazy("Alerte validée.")),
    "refuser": (alert_reject, gettext_lazy("Alerte refusée : rien n'a été envoyé.")),
    "classer": (
        report_dismiss,
        gettext_lazy("Signalements classés sans suite ; l'alerte reste en ligne."),
    ),
}


class DecisionView(AlertModerationMixin, View):
    """POST only: approve, refuse, withdraw, or dismiss the reports of one alert."""

    http_method_names = ["post"]

    def post(self, request, *args, action, **kwargs):
        if action not in DECISIONS:
            raise Http404
        decide, done = DECISIONS[action]
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                decide(alert=self.alert, by=request.user, reason=form.cleaned_data["reason"])
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                form_refusal_show(form=form, error=error)
            else:
                messages.success(request, done)
                return redirect("alert_moderation:detail", alert_pk=self.alert.pk)
        detail = AlertDetailView(request=request, args=args, kwargs=kwargs)
        detail.alert = self.alert
        context = detail.get_context_data(decision_form=form)
        return detail.render_to_response(context, status=400)


def _retracted_message(estimate: RetractionEstimate) -> str:
    if not estimate.people:
        return _("Alerte retirée. Personne ne l'avait reçue : aucun rectificatif n'est envoyé.")
    if estimate.not_before:
        return _(
            "Alerte retirée. Le rectificatif part par e-mail ; ses SMS et notifications "
            "partiront %(when)s, à la fin des heures calmes."
        ) % {"when": date_display(estimate.not_before, "l j F à H:i")}
    return _("Alerte retirée : le rectificatif part vers ceux qui l'ont reçue.")


class RetractView(AlertModerationMixin, TemplateView):
    """Withdraw a sent alert, in two steps: nothing changes before the moderator confirms.

    GET, or a POST without ``confirm=1`` (the detail screen's button, its reason carried
    over), shows who the correction will reach on each channel (those the alert actually
    reached, from the outbox's deliveries), its SMS and what it costs, and when it leaves:
    at once for a running alert, SMS and push after quiet hours for one that has ended.
    A POST with ``confirm=1`` withdraws (``alerts.moderation.alert_retract``, which checks
    the role and the alert's state again); a missing reason shows the page again.
    """

    template_name = "alerts/admin/retract_confirm.html"

    def get_page_subtitle(self):
        return _("Retirer l'alerte")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.queue_url(), "label": _("Modération des alertes")},
            {
                "url": reverse("alert_moderation:detail", args=(self.alert.pk,)),
                "label": self.alert.get_category_display(),
            },
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=DecisionForm()))

    def post(self, request, *args, **kwargs):
        if request.POST.get("confirm") != "1":
            form = DecisionForm(initial={"reason": request.POST.get("reason", "")})
            return self.render_to_response(self.get_context_data(form=form))
        form = DecisionForm(request.POST)
        if form.is_valid():
            estimate = retraction_estimate(alert=self.alert)
            try:
                alert_retract(alert=self.alert, by=request.user, reason=form.cleaned_data["reason"])
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                form_refusal_show(form=form, error=error)
            else:
                messages.success(request, _retracted_message(estimate))
                return redirect("alert_moderation:detail", alert_pk=self.alert.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        alert = self.alert
        refusal = alert_withdraw_refusal(alert=alert)
        estimate = None if refusal else retraction_estimate(alert=alert)
        labels = dict(Channel.choices)
        return super().get_context_data(
            alert=alert,
            refusal=refusal,
            estimate=estimate,
            reach_rows=[
                (labels[channel], estimate.reach[channel])
                for channel in (Channel.SMS, Channel.EMAIL, Channel.PUSH)
            ]
            if estimate
            else [],
            **kwargs,
        )


class ModerationMenuItem(MenuItem):
    """Shown to the moderators of a commune and to the platform team."""

    def is_shown(self, request):
        return moderates_alerts(request=request)


class ModerationViewSet(ViewSet):
    name = "alert_moderation"
    url_prefix = "moderation-alertes"
    icon = "warning"
    menu_label = gettext_lazy("Modération des alertes")
    menu_item_class = ModerationMenuItem
    add_to_admin_menu = True
    menu_order = 245

    def get_urlpatterns(self):
        return [
            path("", QueueView.as_view(), name="queue"),
            path("<int:alert_pk>/", AlertDetailView.as_view(), name="detail"),
            path("<int:alert_pk>/retirer/", RetractView.as_view(), name="retract"),
            path("<int:alert_pk>/<slug:action>/", DecisionView.as_view(), name="decide"),
        ]
