"""Writes about communes: creating one with its whole Wagtail tree, groups and permissions.

The pages themselves come from the apps that define them, through the provisioning registry
(``communities.provisioning``): this module never imports a page type.
"""

import re
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
)

from .models import Commune, CommuneGroup, StaffRole, validate_insee_code
from .provisioning import commune_steps, home_pages

PAGE_PERMISSIONS = {
    StaffRole.ADMINISTRATOR: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
    StaffRole.EDITOR: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
MEDIA_PERMISSIONS = ["add", "change", "choose", "delete"]
MODEL_PERMISSIONS = {
    # (app_label, codename): roles holding it. Instances are always limited to the commune.
    ("wagtailadmin", "access_admin"): [
        StaffRole.ADMINISTRATOR,
        StaffRole.EDITOR,
        StaffRole.MODERATOR,
        StaffRole.BROADCASTER,
    ],
    ("communities", "view_community"): [StaffRole.ADMINISTRATOR, StaffRole.MODERATOR],
    ("communities", "add_community"): [StaffRole.ADMINISTRATOR],
    ("communities", "change_community"): [StaffRole.ADMINISTRATOR],
    ("communities", "delete_community"): [StaffRole.ADMINISTRATOR],
    ("communities", "view_commune"): [StaffRole.ADMINISTRATOR],
    ("communities", "change_commune"): [StaffRole.ADMINISTRATOR],
}


@dataclass(frozen=True)
class CommuneCreation:
    commune: Commune
    created: bool


def platform_site_ensure() -> Site:
    """The platform's default site, rooted at a PlatformHomePage (replacing Wagtail's welcome)."""
    locale = Locale.get_default()
    Locale.objects.get_or_create(language_code="en")
    pages = home_pages()
    home = pages.platform_model.objects.filter(locale=locale).first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=pages.platform_page(locale=locale))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Voisinage",
        )
    elif site.root_page_id != home.pk:
        previous_root = site.root_page
        site.root_page = home
        site.site_name = site.site_name or "Voisinage"
        site.save()
        # Wagtail's "Welcome" placeholder page has no other use once replaced.
        if type(previous_root.specific) is Page and not previous_root.get_children().exists():
            previous_root.delete()
    return site


def _check_new_commune(*, name: str, insee_code: str, hostname: str, port: int) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = _("Le nom de la commune est obligatoire.")
    try:
        validate_insee_code(insee_code)
    except ValidationError as error:
        errors["insee_code"] = error.messages[0]
    if not HOSTNAME_RE.match(hostname):
        errors["hostname"] = _("« %(hostname)s » n'est pas un nom d'hôte valide.") % {
            "hostname": hostname
        }
    elif Site.objects.filter(hostname=hostname).exists():
        errors["hostname"] = _("Le nom d'hôte %(hostname)s est déjà utilisé par un autre site.") % {
            "hostname": hostname
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def commune_create(
    *,
    name: str,
    insee_code: str,
    hostname: str,
    port: int = 80,
    sms_sender_name: str | None = None,
) -> CommuneCreation:
    """Create a commune with its Wagtail site, page tree, media collection and staff groups.

    Idempotent: running it again for the same commune and host name only repairs what is
    missing (groups, permissions). A host name or INSEE code that belongs to another commune
    is refused, and nothing is written (one transaction).
    """
    hostname = hostname.strip().lower()
    insee_code = insee_code.strip().upper()
    existing = Commune.objects.select_related("site").filter(insee_code=insee_code).first()
    if existing is not None:
        if existing.site.hostname != hostname:
            raise ValidationError(
                {
                    "insee_code": _(
                        "La commune %(insee)s existe déjà, avec le nom d'hôte %(hostname)s."
                    )
                    % {"insee": insee_code, "hostname": existing.site.hostname}
                }
            )
        _commune_steps_run(commune=existing, created=False)
        staff_groups_ensure(commune=existing)
        return CommuneCreation(commune=existing, created=False)

    _check_new_commune(name=name, insee_code=insee_code, hostname=hostname, port=port)
    platform_site_ensure()

    collection = Collection.get_first_root_node().add_child(name=f"{name} ({insee_code})")
    root = Page.get_first_root_node()
    home = root.add_child(
        instance=home_pages().commune_page(
            name=name,
            slug=_unique_root_slug(slugify(name) or insee_code),
            locale=Locale.get_default(),
        )
    )
    site = Site.objects.create(hostname=hostname, port=port, root_page=home, site_name=name)
    commune = Commune(
        site=site,
        name=name,
        insee_code=insee_code,
        sms_sender_name=sms_sender_name or _sender_name_from(name),
        collection=collection,
    )
    commune.full_clean()
    commune.save()
    _commune_steps_run(commune=commune, created=True)
    staff_groups_ensure(commune=commune)
    return CommuneCreation(commune=commune, created=True)


def _commune_steps_run(*, commune: Commune, created: bool) -> None:
    """Every registered provisioning step (communities.provisioning), in order: on a repair
    run, what later versions added (the gazette and its workflow…)."""
    for step in commune_steps():
        step.run(commune=commune, created=created)


def _unique_root_slug(slug: str) -> str:
    candidate, counter = slug, 1
    while Page.objects.filter(depth=2, slug=candidate).exists():
        counter += 1
        candidate = f"{slug}-{counter}"
    return candidate


def _sender_name_from(name: str) -> str:
    ascii_name = "".join(c for c in slugify(name).replace("-", "") if c.isalnum())
    return (ascii_name.capitalize() or "Mairie")[:11]


def staff_groups_ensure(*, commune: Commune) -> dict[str, Group]:
    """One group per staff role, with page, image and document rights on this commune only."""
    groups = {}
    home = commune.site.root_page
    for role in StaffRole:
        link = (
            CommuneGroup.objects.filter(commune=commune, role=role).select_related("group").first()
        )
        if link is None:
            group, _created = Group.objects.get_or_create(
                name=f"{commune.name} ({commune.insee_code}) — {role.label}"
            )
            CommuneGroup.objects.create(commune=commune, role=role, group=group)
        else:
            group = link.group
        groups[role] = group

        for codename in PAGE_PERMISSIONS.get(role, []):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=home,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        if role in PAGE_PERMISSIONS:
            for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
                for action in MEDIA_PERMISSIONS:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group,
                        collection=commune.collection,
                        permission=Permission.objects.get(
                            content_type__app_label=app_label, codename=f"{action}_{model}"
                        ),
                    )
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for (app_label, codename), roles in MODEL_PERMISSIONS.items()
                if role in roles
            ]
        )
    return groups


def staff_role_grant(*, user, commune: Commune, role: StaffRole) -> None:
    """Give ``user`` a role in ``commune`` (through the commune's group for that role)."""
    groups = staff_groups_ensure(commune=commune)
    user.groups.add(groups[role])
