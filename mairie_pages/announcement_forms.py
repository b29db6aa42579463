"""The announcement's editing form: publishing with "envoyer aussi par SMS" over the SMS
budget is refused, with what remains possible (publish without the SMS)."""

from wagtail.admin.forms import WagtailAdminPageForm

from communities.selectors import commune_for_page

from .announcement_audience import announcement_sms_refusal, announcement_sms_text


class AnnouncementPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        # Only a publication sends; a draft with the box ticked is saved as it is.
        if not cleaned.get("sms_requested") or "action-publish" not in self.data:
            return cleaned
        page = self.instance
        if (
            page.pk
            and page.translation_key
            and page.sends.model.objects.filter(translation_key=page.translation_key).exists()
        ):
            return cleaned  # already sent: publishing again sends nothing
        commune = commune_for_page(page=page if page.pk else self.parent_page)
        if commune is None:
            return cleaned
        if page.pk and page.url_path:
            url = page.get_full_url() or commune.site.root_url
        else:
            base = (self.parent_page.get_full_url() if self.parent_page else None) or (
                f"{commune.site.root_url}/"
            )
            url = f"{base}{cleaned.get('slug') or 'annonce'}/"
        text = announcement_sms_text(
            commune_name=commune.name,
            title=cleaned.get("title") or "",
            summary=cleaned.get("summary") or "",
            url=url,
        )
        refusal = announcement_sms_refusal(commune=commune, text=text)
        if refusal:
            self.add_error("sms_requested", refusal)
        return cleaned
