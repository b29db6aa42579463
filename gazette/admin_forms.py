"""The Wagtail admin's form for gazette posts: staff aim a post at their own commune only.

Photos added in the admin are re-encoded like residents' (``accounts.images``): checked
for their declared size before decoding, stored without their metadata.
"""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm

from accounts.images import image_reencode
from communities.models import Community

from .placement import PHOTO_MAX_SIDE, commune_of_page


class GazettePostAdminForm(WagtailAdminPageForm):
    """Offers only the commune's own communities; a crafted id of another commune's
    community is not a valid choice, so the save is refused."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        commune = None
        if self.instance.commune_id:
            commune = self.instance.commune
        elif parent_page is not None:
            commune = commune_of_page(parent_page)
        if "communities" in self.fields:
            self.fields["communities"].queryset = (
                Community.objects.filter(commune=commune) if commune else Community.objects.none()
            )

    def clean(self):
        cleaned_data = super().clean()
        photos = self.formsets.get("photos")
        if photos is not None and photos.is_valid():
            for form in photos.forms:
                uploaded = form.cleaned_data.get("file")
                if "file" not in form.changed_data or not uploaded:
                    continue
                if form.cleaned_data.get("DELETE"):
                    continue
                try:
                    content = image_reencode(uploaded, max_side=PHOTO_MAX_SIDE)
                except ValidationError as error:
                    form.add_error("file", error)
                    continue
                # The child form has already copied the upload onto its instance.
                form.cleaned_data["file"] = content
                form.instance.file = content
        return cleaned_data

    def save(self, commit=True):
        if not self.instance.author_id and self.for_user is not None:
            # Only the mairie's staff enter the admin: what they write there, they write
            # for the mairie.
            self.instance.author = self.for_user
            self.instance.from_mairie = True
        return super().save(commit=commit)
