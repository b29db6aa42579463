"""The editor's "Envoi aux habitants" panel: who publishing will reach, and the SMS's cost.

Shown on an announcement beside the "envoyer aussi par SMS" box, so that staff decide on a
paid SMS with its price in front of them. The figures are the ones the fan-out will write
(``mairie_pages.announcement_audience``); once the announcement was sent, the panel says
when and to how many. With an SMS budget, it says what remains of it this month and
whether the SMS fit in.
"""

from django.db.models import Count, Q
from wagtail.admin.panels import Panel

from communities.selectors import commune_for_page
from communities.sms_budget import sms_budget
from notifications.models import Channel

from .announcement_audience import announcement_estimate


class AnnouncementReachPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "mairie_pages/admin/announcement_reach_panel.html"

        def is_shown(self):
            return self.instance is not None

        def _commune(self):
            page = self.instance if self.instance.pk else getattr(self.form, "parent_page", None)
            return commune_for_page(page=page)

        def _url(self, commune) -> str:
            """The announcement's address as the SMS will carry it (its future one if new)."""
            page = self.instance
            if page.pk and page.url_path:
                return page.get_full_url() or commune.site.root_url
            parent = getattr(self.form, "parent_page", None)
            base = (parent.get_full_url() if parent else None) or f"{commune.site.root_url}/"
            return f"{base}{page.slug or 'annonce'}/"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            commune = self._commune()
            context["commune"] = commune
            if commune is None:
                return context
            page = self.instance
            send = None
            if page.pk and page.translation_key:
                send = (
                    page.sends.model.objects.filter(translation_key=page.translation_key)
                    .annotate(
                        members=Count("deliveries__user", distinct=True),
                        sms=Count("deliveries", filter=Q(deliveries__channel=Channel.SMS)),
                    )
                    .first()
                )
            context["send"] = send
            if send is None:
                context["estimate"] = estimate = announcement_estimate(
                    commune=commune,
                    title=page.title or "",
                    summary=page.summary or "",
                    url=self._url(commune),
                    sms_requested=page.sms_requested,
                )
                if commune.sms_budget is not None:
                    context["budget"] = budget = sms_budget(commune=commune, with_engaged=True)
                    context["budget_allows"] = budget.allows(estimate.cost)
            return context
