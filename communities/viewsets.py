"""Admin screens for communes and their communities, limited to the communes a user serves.

Every lookup (listing, edit, delete, history, usage) goes through the permission policy of
the model, so that a crafted URL naming another commune's record answers 404.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from .boundaries import boundary_clean
from .charter import charter_changed, charter_text_differs
from .models import Commune, Community
from .permissions import communes_granting, images_for_commune_branding, sms_budget_settable
from .role_views import TeamViewSet
from .widgets import BoundaryWidget

LISTING_ACTIONS = ("add", "change", "delete", "view")


class CommuneScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions that reach only the communes whose staff group grants them.

    ``admin_actions`` lists the actions the admin offers on this model at all.
    """

    commune_lookup = "commune"
    admin_actions = frozenset(LISTING_ACTIONS)

    def commune_id_of(self, instance) -> int | None:
        return instance.commune_id

    def communes_for(self, user, actions):
        permissions = [
            self._get_permission_name(action) for action in actions if action in self.admin_actions
        ]
        if not permissions:
            return Commune.objects.none()
        return communes_granting(user=user, permissions=permissions)

    def user_has_permission(self, user, action):
        return action in self.admin_actions and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self.communes_for(user, [action]).filter(pk=self.commune_id_of(instance)).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        return self.model._default_manager.filter(
            **{f"{self.commune_lookup}__in": self.communes_for(user, actions)}
        )


class CommunePermissionPolicy(CommuneScopedPermissionPolicy):
    """A commune is created with its site, tree, collection and groups by the
    ``create_commune`` command, and never deleted from the admin, even by a superuser."""

    commune_lookup = "pk"
    admin_actions = frozenset({"change", "view"})

    def commune_id_of(self, instance) -> int | None:
        return instance.pk


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, self.any_permission_required
        )
        return super().get_base_queryset().filter(pk__in=allowed.values("pk"))

    def get_edit_url(self, instance):
        if self.user_has_permission_for_instance("change", instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if self.user_has_permission_for_instance("delete", instance):
            return super().get_delete_url(instance)
        return None


class ScopedEditView(generic.EditView):
    def get_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(self.request.user, "change")


class ScopedDeleteView(generic.DeleteView):
    def get_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(self.request.user, "delete")


class ScopedHistoryView(HistoryView):
    def get_base_object_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, self.any_permission_required
        )


class ScopedUsageView(UsageView):
    def get_base_object_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(
            self.request.user, self.permission_required
        )


class CommunityForm(WagtailAdminModelForm):
    """The commune can only be one where the user may create (or edit) communities; the
    boundary is drawn on a map, and refused unless it is a valid polygon."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        action = "change" if self.instance.pk else "add"
        communes = communes_granting(
            user=self.for_user, permissions=[f"communities.{action}_community"]
        )
        field = self.fields["commune"]
        field.queryset = communes
        if not self.instance.pk and communes.count() == 1:
            field.initial = communes.get().pk
        commune_id = self.instance.commune_id or field.initial
        neighbours = (
            Community.objects.filter(commune_id=commune_id, commune__in=communes)
            .exclude(pk=self.instance.pk)
            .exclude(boundary=None)
            .values_list("name", "boundary")
            if commune_id
            else []
        )
        self.fields["boundary"].widget = BoundaryWidget(context=list(neighbours))

    def clean_boundary(self):
        return boundary_clean(self.cleaned_data.get("boundary"))


class CommuneForm(WagtailAdminModelForm):
    """The logo can only be an image of the commune's own media collection; a new charter
    text is a new version, which members accept again (``accounts.terms``). The SMS budget
    is the platform team's to set: the mairie's staff see it, and a value they post is
    ignored (a disabled field keeps the stored one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].queryset = images_for_commune_branding(commune=self.instance)
        if "sms_budget" in self.fields and not sms_budget_settable(user=self.for_user):
            self.fields["sms_budget"].disabled = True

    def save(self, commit=True):
        # Compared as members read it: the rich text editor reports an untouched field as
        # changed.
        if charter_text_differs(self.initial.get("charter"), self.cleaned_data.get("charter")):
            charter_changed(commune=self.instance)
        return super().save(commit=commit)


class ScopedModelViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    inspect_view_enabled = False


class CommunityViewSet(ScopedModelViewSet):
    model = Community
    icon = "group"
    menu_label = _("Communautés")
    add_to_admin_menu = False
    list_display = ["name", "commune", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "description"]
    ordering = ["commune__name", "name"]
    edit_handler = ObjectList(
        [
            FieldPanel("commune"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
            FieldPanel("kind"),
            FieldPanel("description"),
            FieldPanel("boundary"),
        ],
        base_form_class=CommunityForm,
    )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Community.objects.select_related("commune"), **kwargs
        )


class CommuneViewSet(ScopedModelViewSet):
    model = Commune
    icon = "site"
    menu_label = _("Ma commune")
    add_to_admin_menu = False
    list_display = ["name", "insee_code", "moderation_policy"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("name"),
                    FieldPanel("moderation_policy"),
                    FieldPanel("gazette_moderation_policy"),
                    FieldPanel("sms_sender_name"),
                ],
                heading=_("Commune"),
            ),
            MultiFieldPanel(
                [FieldPanel("logo"), FieldPanel("primary_colour")],
                heading=_("Identité visuelle"),
            ),
            MultiFieldPanel([FieldPanel("sms_budget")], heading=_("Budget SMS")),
            MultiFieldPanel(
                [FieldPanel("charter")],
                heading=_("Charte du voisin vigilant et solidaire"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("address"),
                    FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
                    FieldPanel("opening_hours"),
                ],
                heading=_("Mairie"),
            ),
        ],
        base_form_class=CommuneForm,
    )

    def get_urlpatterns(self):
        return [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name not in {"add", "delete"}
        ]


class MairieViewSetGroup(ModelViewSetGroup):
    menu_label = _("Mairie")
    menu_icon = "site"
    menu_order = 250
    items = (CommuneViewSet("communes"), CommunityViewSet("communautes"), TeamViewSet())
