"""Admin screen "Équipe de la mairie": staff roles and community referents of a commune.

For the platform team (every commune) and a commune's administrators (their own only): a
commune that the user does not manage answers 404, as if it did not exist. The rules are
those of ``communities.roles``, asked again by every write.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogFormatter

from .form_refusals import form_refusal_show
from .models import Community, StaffRole
from .pagination import page_of
from .roles import (
    ACTION_REFERENT_SET,
    ACTION_REFERENT_UNSET,
    ACTION_ROLE_GRANTED,
    ACTION_ROLE_REVOKED,
    communes_managed_by,
    manages_a_team,
    no_such_member_message,
    referent_set,
    referents_of,
    staff_role_assign,
    staff_role_revoke,
    team_candidate_by_email,
    team_history,
    team_of,
    verified_memberships_of,
)

HISTORY_LENGTH = 20
MEMBERS_PER_PAGE = 50


# --- Forms -------------------------------------------------------------------------------------


class GrantForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        help_text=gettext_lazy(
            "Celle d'un habitant vérifié de la commune ou d'un membre de l'équipe de la mairie."
        ),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"), choices=[("", "---------"), *StaffRole.choices]
    )


class RevokeForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=StaffRole.choices, widget=forms.HiddenInput)


class ReferentForm(forms.Form):
    referent = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Nom ou adresse e-mail"), required=False)
    community = forms.ModelChoiceField(
        label=gettext_lazy("Communauté"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=gettext_lazy("Toutes"),
    )

    def __init__(self, *args, commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = commune.communities.order_by("name")


# --- History ------------------------------------------------------------------------------------


def _person(user_id) -> str:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return _("ancien membre")
    return user.get_full_name() or user.email or str(user.phone)


def _role_label(value) -> str:
    try:
        return str(StaffRole(value).label)
    except ValueError:
        return str(value)


class RoleGrantedFormatter(LogFormatter):
    label = gettext_lazy("Rôle attribué")

    def format_message(self, log_entry):
        return _("Rôle « %(role)s » attribué à %(name)s") % {
            "role": _role_label(log_entry.data.get("role")),
            "name": _person(log_entry.data.get("user_id")),
        }


class RoleRevokedFormatter(LogFormatter):
    label = gettext_lazy("Rôle retiré")

    def format_message(self, log_entry):
        return _("Rôle « %(role)s » retiré à %(name)s") % {
            "role": _role_label(log_entry.data.get("role")),
            "name": _person(log_entry.data.get("user_id")),
        }


class ReferentSetFormatter(LogFormatter):
    label = gettext_lazy("Référent nommé")

    def format_message(self, log_entry):
        return _("Rôle de référent attribué à %(name)s") % {
            "name": _person(log_entry.data.get("user_id"))
        }


class ReferentUnsetFormatter(LogFormatter):
    label = gettext_lazy("Référent retiré")

    def format_message(self, log_entry):
        return _("Rôle de référent retiré à %(name)s") % {
            "name": _person(log_entry.data.get("user_id"))
        }


LOG_FORMATTERS = {
    ACTION_ROLE_GRANTED: RoleGrantedFormatter,
    ACTION_ROLE_REVOKED: RoleRevokedFormatter,
    ACTION_REFERENT_SET: ReferentSetFormatter,
    ACTION_REFERENT_UNSET: ReferentUnsetFormatter,
}


# --- Views -------------------------------------------------------------------------------------


def _managed_commune(request, commune_pk):
    return get_object_or_404(communes_managed_by(user=request.user), pk=commune_pk)


class TeamIndexView(WagtailAdminTemplateMixin, TemplateView):
    """The communes whose team the user manages; straight to it when there is only one."""

    template_name = "communities/admin/team_index.html"
    page_title = gettext_lazy("Équipe de la mairie")
    header_icon = "group"

    def get(self, request, *args, **kwargs):
        self.communes = list(communes_managed_by(user=request.user).order_by("name"))
        if not self.communes:
            raise Http404
        if len(self.communes) == 1:
            return redirect("equipe:team", commune_pk=self.communes[0].pk)
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(communes=self.communes, **kwargs)


class CommuneTeamMixin(WagtailAdminTemplateMixin):
    header_icon = "group"

    def dispatch(self, request, *args, commune_pk, **kwargs):
        self.commune = _managed_commune(request, commune_pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Équipe de la mairie")

    def get_page_subtitle(self):
        return self.commune.name

    def team_url(self):
        return reverse("equipe:team", kwargs={"commune_pk": self.commune.pk})

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("equipe:index"), "label": _("Équipe de la mairie")},
            {"url": "", "label": self.commune.name},
        ]


class TeamView(CommuneTeamMixin, TemplateView):
    """Who holds which role, a form to give one, the referents and the recent changes."""

    template_name = "communities/admin/team.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(grant_form=GrantForm()))

    def post(self, request, *args, **kwargs):
        """Give a role to an account found by e-mail among the commune's members."""
        form = GrantForm(request.POST)
        if form.is_valid():
            user = team_candidate_by_email(
                commune=self.commune, email=form.cleaned_data["email"], by=request.user
            )
            role = StaffRole(form.cleaned_data["role"])
            if user is None:
                form.add_error("email", no_such_member_message())
            else:
                try:
                    granted = staff_role_assign(
                        user=user, commune=self.commune, role=role, by=request.user
                    )
                except PermissionDenied as error:
                    raise Http404 from error
                except ValidationError as error:
                    form_refusal_show(form=form, error=error)
                else:
                    _role_changed_message(request, user=user, role=role, granted=granted)
                    return redirect(self.team_url())
        return self.render_to_response(self.get_context_data(grant_form=form), status=200)

    def get_context_data(self, **kwargs):
        history = list(team_history(commune=self.commune)[:HISTORY_LENGTH])
        return super().get_context_data(
            commune=self.commune,
            team=team_of(commune=self.commune),
            referents=referents_of(commune=self.commune),
            history=history,
            commune_history_url=reverse("communes:history", args=(self.commune.pk,)),
            **kwargs,
        )


def _role_changed_message(request, *, user, role, granted):
    names = {"role": role.label, "name": user.get_full_name() or user.email}
    if not granted:
        messages.info(request, _("%(name)s a déjà le rôle « %(role)s ».") % names)
        return
    messages.success(
        request,
        _(
            "Rôle « %(role)s » attribué à %(name)s. Cette personne devra activer la double "
            "authentification à sa prochaine visite de l'administration."
        )
        % names,
    )


class RevokeView(CommuneTeamMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = RevokeForm(request.POST)
        if not form.is_valid():
            raise Http404
        role = StaffRole(form.cleaned_data["role"])
        user = get_object_or_404(
            get_user_model().objects.filter(
                groups__commune_role__commune=self.commune, groups__commune_role__role=role
            ),
            pk=form.cleaned_data["user"],
        )
        try:
            staff_role_revoke(user=user, commune=self.commune, role=role, by=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Rôle « %(role)s » retiré à %(name)s.")
                % {"role": role.label, "name": user.get_full_name() or user.email},
            )
        return redirect(self.team_url())


class ReferentsView(CommuneTeamMixin, TemplateView):
    """The commune's verified members, to name or remove referents; searchable, by pages."""

    template_name = "communities/admin/referents.html"

    def get_page_title(self):
        return _("Référents des communautés")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("equipe:index"), "label": _("Équipe de la mairie")},
            {"url": self.team_url(), "label": self.commune.name},
            {"url": "", "label": _("Référents")},
        ]

    def get_context_data(self, **kwargs):
        search = MemberSearchForm(self.request.GET or None, commune=self.commune)
        memberships = verified_memberships_of(commune=self.commune)
        if search.is_valid():
            if community := search.cleaned_data["community"]:
                memberships = memberships.filter(community=community)
            for word in search.cleaned_data["q"].split():
                memberships = memberships.filter(
                    Q(user__first_name__icontains=word)
                    | Q(user__last_name__icontains=word)
                    | Q(user__email__icontains=word)
                )
        page = page_of(request=self.request, items=memberships, per_page=MEMBERS_PER_PAGE)
        return super().get_context_data(
            commune=self.commune,
            search_form=search,
            page_obj=page,
            **kwargs,
        )


class ReferentView(CommuneTeamMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, membership_pk, **kwargs):
        membership = get_object_or_404(
            verified_memberships_of(commune=self.commune), pk=membership_pk
        )
        form = ReferentForm(request.POST)
        if not form.is_valid():
            raise Http404
        referent = form.cleaned_data["referent"]
        try:
            referent_set(membership=membership, referent=referent, by=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            names = {
                "name": membership.user.get_full_name(),
                "community": membership.community.name,
            }
            if referent:
                text = _("%(name)s est désormais référent de %(community)s.") % names
            else:
                text = _("%(name)s n'est plus référent de %(community)s.") % names
            messages.success(request, text)
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect(self.team_url())


# --- Menu and URLs -----------------------------------------------------------------------------


class TeamMenuItem(MenuItem):
    """Shown to the communes' administrators and the platform team only."""

    def is_shown(self, request):
        return manages_a_team(request=request)


class TeamViewSet(ViewSet):
    name = "equipe"
    icon = "group"
    menu_label = gettext_lazy("Équipe de la mairie")
    menu_item_class = TeamMenuItem

    def get_urlpatterns(self):
        return [
            path("", TeamIndexView.as_view(), name="index"),
            path("<int:commune_pk>/", TeamView.as_view(), name="team"),
            path("<int:commune_pk>/retirer/", RevokeView.as_view(), name="revoke"),
            path("<int:commune_pk>/referents/", ReferentsView.as_view(), name="referents"),
            path(
                "<int:commune_pk>/referents/<int:membership_pk>/",
                ReferentView.as_view(),
                name="referent",
            ),
        ]
