"""The mairie's targeted messages in the Wagtail admin: write, then see whom it reached.

For staff holding the broadcaster role of a commune (``permissions.official_communes``);
anyone else gets 404, and a message of another commune answers 404 as if it did not exist.
The views hand over to ``messaging.official``, which checks the role again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.profiles import directory_entries
from communities.form_refusals import form_refusal_show
from communities.sms_budget import sms_budget
from notifications.channels.sms import sms_price_per_segment
from notifications.models import SmsStatus
from notifications.progress import UnreachableReason, unreachable_reason

from .admin_forms import OfficialMessageForm
from .models import OfficialSend
from .official import (
    official_progress,
    official_replies,
    official_send,
    official_sms_counts,
    official_unreached,
)
from .permissions import official_communes, writes_official_messages

RECENT = 20
# The SMS budgets shown beside the form: a broadcaster of a handful of communes sees each.
BUDGETS_SHOWN = 5


class OfficialMixin(WagtailAdminTemplateMixin):
    header_icon = "mail"
    page_title = gettext_lazy("Messages de la mairie")

    def dispatch(self, request, *args, **kwargs):
        if not official_communes(user=request.user).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class OfficialFormView(OfficialMixin, TemplateView):
    template_name = "messaging/admin/official_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=OfficialMessageForm(user=request.user))
        )

    def post(self, request, *args, **kwargs):
        form = OfficialMessageForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                send = official_send(
                    author=request.user,
                    commune=data["commune"],
                    target=data["target"],
                    communities=data["communities"],
                    members=data["members"],
                    subject=data["subject"],
                    text=data["text"],
                    replies_allowed=data["replies_allowed"],
                    without_sms=data["without_sms"],
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                form_refusal_show(form=form, error=error)
            else:
                messages.success(request, _("Votre message est parti."))
                return redirect("official_messages:status", send_pk=send.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        recent = (
            OfficialSend.objects.filter(commune__in=official_communes(user=self.request.user))
            .select_related("commune", "sent_by")
            .order_by("-created_at")[:RECENT]
        )
        budgets = [
            (commune, sms_budget(commune=commune, with_engaged=True))
            for commune in official_communes(user=self.request.user)
            .filter(sms_budget__isnull=False)
            .order_by("name")[:BUDGETS_SHOWN]
        ]
        return super().get_context_data(
            recent=recent,
            budgets=budgets,
            price_per_segment=sms_price_per_segment(),
            **kwargs,
        )


# The call list on the status page: enough to phone, never a page of thousands.
CALL_LIST_LIMIT = 500


class OfficialStatusView(OfficialMixin, TemplateView):
    template_name = "messaging/admin/official_status.html"

    def get(self, request, *args, send_pk, **kwargs):
        self.send = get_object_or_404(
            OfficialSend.objects.filter(
                commune__in=official_communes(user=request.user)
            ).select_related("commune", "sent_by"),
            pk=send_pk,
        )
        return super().get(request, *args, **kwargs)

    def _call_list(self, send) -> list[tuple]:
        """Members aimed at whom no SMS reached, for the mairie to phone; their number as
        the directory's rule lets this viewer see it (``accounts.profiles``)."""
        users = list(official_unreached(send=send)[:CALL_LIST_LIMIT])
        fields = {
            entry.member.pk: entry.fields
            for entry in directory_entries(viewer=self.request.user, members=users)
        }
        return [
            (
                user,
                fields.get(user.pk, {}),
                UnreachableReason.LABELS[unreachable_reason(user, user=user)],
            )
            for user in users
        ]

    def get_context_data(self, **kwargs):
        send = self.send
        reach = send.reach or {}
        rows = [
            (_("Messagerie du site"), reach.get("web", 0)),
            (_("dont prévenus par e-mail"), reach.get("email", 0)),
            (_("dont prévenus par notification"), reach.get("push", 0)),
            (_("SMS (membres sans compte en ligne)"), reach.get("sms", 0)),
            (_("Injoignables (SMS refusés par STOP, pas de numéro)"), reach.get("unreachable", 0)),
        ]
        return super().get_context_data(
            send=send,
            rows=rows,
            total=reach.get("web", 0) + reach.get("sms", 0),
            sms_counts=[
                (SmsStatus(status).label, count)
                for status, count in official_sms_counts(send=send).items()
                if count
            ],
            replies=list(official_replies(send=send)),
            progress=official_progress(send=send),
            unreached=self._call_list(send),
            **kwargs,
        )


class OfficialMenuItem(MenuItem):
    def is_shown(self, request):
        return writes_official_messages(request=request)


class OfficialViewSet(ViewSet):
    name = "official_messages"
    url_prefix = "messages-mairie"
    icon = "mail"
    menu_label = gettext_lazy("Messages de la mairie")
    menu_item_class = OfficialMenuItem
    add_to_admin_menu = True
    menu_order = 242

    def get_urlpatterns(self):
        return [
            path("", OfficialFormView.as_view(), name="form"),
            path("<int:send_pk>/", OfficialStatusView.as_view(), name="status"),
        ]
