"""The platform team's console in the Wagtail admin: every commune in one sortable table,
its CSV, and creating a commune.

Superusers only (``dashboard.permissions.platform_console_allowed``): to anyone else the
console's addresses answer 404, as if they did not exist, and its menu entry is hidden.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from communities.models import Commune, validate_insee_code
from communities.services import commune_create

from .console import COLUMNS, DEFAULT_SORT, console_rows, console_sorted
from .exports import console_sections, csv_response, export_filename
from .permissions import platform_console_allowed


class PlatformOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not platform_console_allowed(user=request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ConsoleView(PlatformOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "dashboard/admin/console.html"
    page_title = gettext_lazy("Console de la plateforme")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, sort = console_sorted(
            console_rows(now=timezone.now()), sort=self.request.GET.get("tri", DEFAULT_SORT)
        )
        context.update(
            rows=rows,
            sort=sort,
            headers=[
                {
                    "label": column.label,
                    "numeric": column.numeric,
                    # A click on the sorted column reverses it.
                    "url": "?tri=" + (f"-{column.key}" if sort == column.key else column.key),
                    "aria_sort": (
                        "ascending"
                        if sort == column.key
                        else "descending"
                        if sort == f"-{column.key}"
                        else ""
                    ),
                }
                for column in COLUMNS
            ],
            csv_url=reverse("platform_console:csv") + f"?tri={sort}",
        )
        return context


@never_cache
def console_csv(request):
    if not platform_console_allowed(user=request.user):
        raise Http404
    now = timezone.now()
    rows, _sort = console_sorted(console_rows(now=now), sort=request.GET.get("tri", DEFAULT_SORT))
    return csv_response(
        filename=export_filename(subject="communes", now=now),
        sections=console_sections(rows=rows, now=now),
    )


class CommuneCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom de la commune"), max_length=120)
    insee_code = forms.CharField(
        label=gettext_lazy("Code INSEE"),
        max_length=5,
        help_text=gettext_lazy("5 caractères, par exemple 33080 pour Cadaujac."),
    )
    hostname = forms.CharField(
        label=gettext_lazy("Nom d'hôte du site"),
        max_length=253,
        help_text=gettext_lazy("Par exemple voisins.cadaujac.fr, sans https:// ni chemin."),
    )
    sms_sender_name = forms.CharField(
        label=gettext_lazy("Nom d'expéditeur SMS"),
        max_length=11,
        required=False,
        help_text=gettext_lazy("11 caractères au plus, sans accent ; vide : tiré du nom."),
    )

    def clean_insee_code(self):
        insee_code = self.cleaned_data["insee_code"].strip().upper()
        validate_insee_code(insee_code)
        existing = Commune.objects.filter(insee_code=insee_code).first()
        if existing is not None:
            raise ValidationError(
                _("La commune %(insee)s existe déjà : %(name)s."),
                params={"insee": insee_code, "name": existing.name},
            )
        return insee_code


class CommuneCreateView(PlatformOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """The ``create_commune`` command's service behind a form: the same checks, one
    transaction; a refused input writes nothing and says why beside its field."""

    template_name = "dashboard/admin/commune_create.html"
    page_title = gettext_lazy("Créer une commune")
    header_icon = "site"
    form_class = CommuneCreateForm

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("platform_console:index"), "label": _("Console de la plateforme")},
            {"url": "", "label": self.get_page_title()},
        ]

    def form_valid(self, form):
        try:
            result = commune_create(
                name=form.cleaned_data["name"].strip(),
                insee_code=form.cleaned_data["insee_code"],
                hostname=form.cleaned_data["hostname"],
                sms_sender_name=form.cleaned_data["sms_sender_name"] or None,
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        commune = result.commune
        messages.success(
            self.request,
            _(
                "Commune créée : %(name)s (%(insee)s) sur %(hostname)s. Nommez maintenant ses "
                "administrateurs dans « Équipe de la mairie »."
            )
            % {
                "name": commune.name,
                "insee": commune.insee_code,
                "hostname": commune.site.hostname,
            },
        )
        return redirect("platform_console:index")


class ConsoleMenuItem(MenuItem):
    """Shown to the platform team only."""

    def is_shown(self, request):
        return platform_console_allowed(user=request.user)


class ConsoleViewSet(ViewSet):
    name = "platform_console"
    url_prefix = "console"
    icon = "site"
    menu_label = gettext_lazy("Console de la plateforme")
    menu_item_class = ConsoleMenuItem
    add_to_admin_menu = True
    menu_order = 51

    def get_urlpatterns(self):
        return [
            path("", ConsoleView.as_view(), name="index"),
            path("communes.csv", console_csv, name="csv"),
            path("nouvelle-commune/", CommuneCreateView.as_view(), name="commune_create"),
        ]
