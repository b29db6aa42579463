"""The reports queue in the Wagtail admin ("Signalements"): reported items of any kind.

For the moderators of a commune and the platform team; anyone else gets 404, and an item
reported in another commune answers 404 as if it did not exist. The views read through
``moderation.queue`` and hand decisions to ``moderation.actions``, which check the role
again and record every action.
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
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from communities.form_refusals import form_refusal_show

from .actions import (
    author_suspend,
    author_warn,
    reported_item_hide,
    reports_dismiss,
    suspension_lift,
)
from .forms import ModerationNoteForm, SuspensionForm
from .permissions import sees_moderation_menu
from .queue import (
    actions_on,
    moderated_communes,
    open_reports_count,
    reported_item_for,
    reported_items_for,
    suspensions_in_force,
)


class ReportsMixin(WagtailAdminTemplateMixin):
    header_icon = "pick"
    page_title = gettext_lazy("Signalements")

    def dispatch(self, request, *args, **kwargs):
        if not sees_moderation_menu(request=request):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ReportsQueueView(ReportsMixin, TemplateView):
    """Reported items awaiting a decision, grouped per item, the most recently reported first."""

    template_name = "moderation/admin/reports_queue.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        lift_pk = kwargs.pop("lift_pk", None)
        lift_form = kwargs.pop("lift_form", None)
        suspensions = [
            (
                suspension,
                lift_form
                if suspension.pk == lift_pk
                else ModerationNoteForm(prefix=f"lever-{suspension.pk}"),
            )
            for suspension in suspensions_in_force(user=self.request.user)
        ]
        return super().get_context_data(
            items=reported_items_for(user=self.request.user),
            suspensions=suspensions,
            several_communes=moderated_communes(user=self.request.user).count() > 1,
            **kwargs,
        )


ACTIONS = {
    "masquer": (
        reported_item_hide,
        ModerationNoteForm,
        gettext_lazy("Contenu masqué et signalements clos."),
    ),
    "classer": (
        reports_dismiss,
        ModerationNoteForm,
        gettext_lazy("Signalements classés sans suite ; le contenu reste en ligne."),
    ),
    "avertir": (
        author_warn,
        ModerationNoteForm,
        gettext_lazy("Avertissement envoyé à l'auteur."),
    ),
    "suspendre": (
        author_suspend,
        SuspensionForm,
        gettext_lazy("Auteur suspendu dans la commune."),
    ),
}


PANELS = [
    ("masquer", gettext_lazy("Masquer ou retirer le contenu"), gettext_lazy("Masquer")),
    ("classer", gettext_lazy("Classer sans suite"), gettext_lazy("Classer les signalements")),
    ("avertir", gettext_lazy("Avertir l'auteur"), gettext_lazy("Envoyer l'avertissement")),
    ("suspendre", gettext_lazy("Suspendre l'auteur dans la commune"), gettext_lazy("Suspendre")),
]


class ReportedItemMixin(ReportsMixin):
    def dispatch(self, request, *args, content_type_id, object_id, **kwargs):
        if not sees_moderation_menu(request=request):
            raise Http404
        self.item = reported_item_for(
            user=request.user, content_type_id=content_type_id, object_id=object_id
        )
        if self.item is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def detail_url(self):
        return reverse(
            "moderation_reports:detail", args=(self.item.content_type.pk, self.item.object_id)
        )


class ReportedItemView(ReportedItemMixin, TemplateView):
    """One reported item: its summary only, every report on it, what was done, the actions."""

    template_name = "moderation/admin/reported_item.html"

    def get_page_subtitle(self):
        return self.item.summary.get("title", "")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("moderation_reports:queue"), "label": _("Signalements")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        failed = kwargs.pop("failed_action", "")
        failed_form = kwargs.pop("failed_form", None)
        item = self.item
        panels = []
        for name, title, button in PANELS:
            if name != "classer" and not item.actionable:
                continue
            if name in ("masquer", "classer") and not item.open_reports:
                continue
            form_class = ACTIONS[name][1]
            panels.append(
                {
                    "name": name,
                    "title": title,
                    "button": button,
                    "danger": name in ("masquer", "suspendre"),
                    "form": failed_form if name == failed else form_class(prefix=name),
                    "url": reverse(
                        "moderation_reports:act",
                        args=(item.content_type.pk, item.object_id, name),
                    ),
                }
            )
        shown = {panel["name"] for panel in panels}
        orphan_errors = (
            list(failed_form.non_field_errors()) if failed and failed not in shown else []
        )
        return super().get_context_data(
            item=item,
            summary=item.summary,
            orphan_errors=orphan_errors,
            author=item.author,
            actions=list(actions_on(item=item)),
            panels=panels,
            failed_action=failed,
            **kwargs,
        )


class ReportedItemActionView(ReportedItemMixin, View):
    """POST only: hide, dismiss, warn the author or suspend them."""

    http_method_names = ["post"]

    def post(self, request, *args, action, **kwargs):
        if action not in ACTIONS:
            raise Http404
        service, form_class, done = ACTIONS[action]
        form = form_class(request.POST, prefix=action)
        if form.is_valid():
            try:
                service(item=self.item, by=request.user, **form.cleaned_data)
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                form_refusal_show(form=form, error=error)
            else:
                messages.success(request, done)
                if action in ("masquer", "classer"):
                    return redirect("moderation_reports:queue")
                return redirect(self.detail_url())
        detail = ReportedItemView(request=request, args=args, kwargs=kwargs)
        detail.item = self.item
        context = detail.get_context_data(failed_action=action, failed_form=form)
        return detail.render_to_response(context, status=400)


class SuspensionLiftView(ReportsMixin, View):
    """POST only: end a suspension of the user's communes now, with a note."""

    http_method_names = ["post"]

    def post(self, request, *args, suspension_pk, **kwargs):
        suspension = get_object_or_404(suspensions_in_force(user=request.user), pk=suspension_pk)
        form = ModerationNoteForm(request.POST, prefix=f"lever-{suspension.pk}")
        if form.is_valid():
            try:
                suspension_lift(suspension=suspension, by=request.user, **form.cleaned_data)
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                form_refusal_show(form=form, error=error)
            else:
                messages.success(
                    request, _("Suspension levée ; le membre peut de nouveau publier.")
                )
                return redirect("moderation_reports:queue")
        queue = ReportsQueueView(request=request, args=args, kwargs=kwargs)
        context = queue.get_context_data(lift_pk=suspension.pk, lift_form=form)
        return queue.render_to_response(context, status=400)


class ReportsMenuItem(MenuItem):
    """ "Signalements (3)": moderators and the platform team, with their own queue's count.

    Menu items are shared between requests: the label is built per request.
    """

    def is_shown(self, request):
        return sees_moderation_menu(request=request)

    def render_component(self, request):
        label = _("Signalements (%(count)s)") % {"count": open_reports_count(user=request.user)}
        return LinkMenuItem(
            self.name,
            label,
            self.url,
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=self.attrs,
        )


class ReportsViewSet(ViewSet):
    name = "moderation_reports"
    url_prefix = "signalements"
    icon = "pick"
    menu_label = gettext_lazy("Signalements")
    menu_item_class = ReportsMenuItem
    add_to_admin_menu = True
    menu_order = 246

    def get_urlpatterns(self):
        return [
            path("", ReportsQueueView.as_view(), name="queue"),
            path(
                "suspensions/<int:suspension_pk>/lever/",
                SuspensionLiftView.as_view(),
                name="lift",
            ),
            path(
                "<int:content_type_id>/<int:object_id>/",
                ReportedItemView.as_view(),
                name="detail",
            ),
            path(
                "<int:content_type_id>/<int:object_id>/<slug:action>/",
                ReportedItemActionView.as_view(),
                name="act",
            ),
        ]
