"""The Wagtail admin's form for gazette posts: staff aim a post at their own commune only."""

from wagtail.admin.forms import WagtailAdminPageForm


class GazettePostAdminForm(WagtailAdminPageForm):
    """Offers only the commune's own communities; a crafted id of another commune's
    community is not a valid choice, so the save is refused."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        from communities.models import Community

        from .models import _commune_of

        commune = None
        if self.instance.commune_id:
            commune = self.instance.commune
        elif parent_page is not None:
            commune = _commune_of(parent_page)
        if "communities" in self.fields:
            self.fields["communities"].queryset = (
                Community.objects.filter(commune=commune) if commune else Community.objects.none()
            )

    def save(self, commit=True):
        if not self.instance.author_id and self.for_user is not None:
            self.instance.author = self.for_user
        return super().save(commit=commit)
