"""Loads the demo data through the same services as production. Idempotent: what exists is kept."""

import io
from datetime import datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Locale, Page

from accounts.models import Profile
from communities.models import (
    Community,
    CommunityRole,
    Membership,
    MembershipStatus,
    ProofOfAddress,
    StaffRole,
)
from communities.services import commune_create, platform_site_ensure, staff_role_grant
from mairie_pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    EventIndexPage,
    EventPage,
    StandardPage,
)

from . import content
from .alerts import demo_alerts_load
from .gazette import demo_gazette_load
from .history import demo_history_load
from .messaging import demo_messaging_load

DEMO_PORT = 8000


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    return page


def _translate(page: Page, fields: dict) -> Page:
    """The English version of ``page`` (created and published once, kept afterwards)."""
    english = Locale.objects.get(language_code="en")
    existing = page.get_translation_or_none(english)
    if existing is not None:
        return existing.specific
    translation = page.copy_for_translation(english, copy_parents=True)
    for name, value in fields.items():
        setattr(translation, name, value)
    return _publish(translation)


def _logo(commune, colour) -> Image:
    title = f"Logo {commune.name}"
    existing = Image.objects.filter(title=title, collection=commune.collection).first()
    if existing:
        return existing
    canvas = PillowImage.new("RGB", (256, 256), "white")
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((16, 16, 240, 240), fill=colour)
    draw.rectangle((88, 96, 168, 176), fill="white")
    draw.polygon([(72, 104), (128, 56), (184, 104)], fill="white")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return Image.objects.create(
        title=title,
        collection=commune.collection,
        file=ImageFile(buffer, name=f"logo-{slugify(commune.name)}.png"),
    )


def _child(parent: Page, model, slug: str, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    page = parent.add_child(instance=model(slug=slug, **fields))
    _publish(page)
    return page, True


def _load_commune(spec: dict):
    commune = commune_create(
        name=spec["name"],
        insee_code=spec["insee_code"],
        hostname=spec["hostname"],
        port=DEMO_PORT,
        sms_sender_name=spec["sms_sender_name"],
    ).commune
    commune.primary_colour = spec["primary_colour"]
    commune.address = spec["address"]
    commune.phone = spec["phone"]
    commune.email = spec["email"]
    commune.opening_hours = spec["opening_hours"]
    commune.sms_budget = Decimal(spec["sms_budget"])  # as the platform team would set it
    commune.logo = _logo(commune, spec["logo_colour"])
    commune.save()

    for name, kind, description in spec["communities"]:
        boundary = content.BOUNDARIES.get((spec["insee_code"], name))
        community, created = Community.objects.get_or_create(
            commune=commune,
            slug=slugify(name),
            defaults={
                "name": name,
                "kind": kind,
                "description": description,
                "boundary": boundary,
            },
        )
        # A demo loaded before communities had boundaries gets them; one staff redrew stays.
        if not created and community.boundary is None and boundary is not None:
            community.boundary = boundary
            community.save(update_fields=["boundary"])

    home = commune.site.root_page.specific
    if (home.hero_title, home.hero_intro) != (spec["hero_title"], spec["hero_intro"]):
        home.hero_title = spec["hero_title"]
        home.hero_intro = spec["hero_intro"]
        _publish(home)
    _translate(home, {"hero_title": spec["hero_title_en"], "hero_intro": spec["hero_intro_en"]})

    for page_spec in content.STANDARD_PAGES[spec["insee_code"]]:
        page, _created = _child(
            home,
            StandardPage,
            page_spec["slug"],
            title=page_spec["title"],
            intro=page_spec["intro"],
            body=page_spec["body"],
            show_in_menus=True,
        )
        if "en" in page_spec:
            _translate(page, page_spec["en"])

    news = AnnouncementIndexPage.objects.child_of(home).get()
    if not news.show_in_menus:
        news.show_in_menus = True
        _publish(news)
    _translate(news, {"title": "News"})
    today = timezone.localdate()
    for spec_item in content.ANNOUNCEMENTS[spec["insee_code"]]:
        page, created = _child(
            news,
            AnnouncementPage,
            spec_item["slug"],
            title=spec_item["title"],
            date=today - timezone.timedelta(days=spec_item["days_ago"]),
            summary=spec_item["summary"],
            body=[("paragraph", spec_item["body"])],
        )
        if "en" in spec_item:
            english = spec_item["en"]
            _translate(
                page,
                {
                    "title": english["title"],
                    "summary": english["summary"],
                    "body": [("paragraph", english["body"])],
                },
            )
        if created:
            # Published on its date, as the mairie would have: lists that merge the mairie's
            # news by publication time (the gazette) then show them in the order of their dates.
            published = timezone.make_aware(datetime.combine(page.date, time(9)))
            AnnouncementPage.objects.filter(translation_key=page.translation_key).update(
                first_published_at=published, last_published_at=published
            )

    agenda = EventIndexPage.objects.child_of(home).get()
    if not agenda.show_in_menus:
        agenda.show_in_menus = True
        _publish(agenda)
    _translate(agenda, {"title": "Events"})
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    for spec_item in content.EVENTS[spec["insee_code"]]:
        start = midnight + spec_item["starts_in"]
        page, _created = _child(
            agenda,
            EventPage,
            spec_item["slug"],
            title=spec_item["title"],
            start=start,
            end=start + spec_item["duration"],
            location=spec_item["location"],
            summary=spec_item["summary"],
        )
        if "en" in spec_item:
            _translate(page, spec_item["en"])
    return commune


def _proof_image(name: str) -> ImageFile:
    """A small generated PNG standing for a scanned utility bill."""
    canvas = PillowImage.new("RGB", (600, 400), "white")
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((20, 20, 580, 80), fill=(200, 200, 200))
    draw.text((40, 40), f"Facture d'electricite - {name}", fill="black")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return ImageFile(buffer, name="justificatif.png")


def _load_membership(user, commune, spec: dict) -> None:
    if Membership.objects.filter(user=user).exists():
        return
    community = Community.objects.get(commune=commune, name=spec["community"])
    status = spec.get("status", MembershipStatus.VERIFIED)
    membership = Membership.objects.create(
        user=user,
        community=community,
        address=spec["address"],
        status=status,
        role=spec.get("role", CommunityRole.RESIDENT),
        decided_at=None if status == MembershipStatus.PENDING else timezone.now(),
    )
    if status == MembershipStatus.PENDING:
        proof = _proof_image(user.get_full_name())
        ProofOfAddress.objects.create(
            membership=membership, file=proof, content_type="image/png", size=proof.size
        )
    Profile.objects.update_or_create(
        user=user,
        defaults={"interests": spec.get("interests", ""), "bio": spec.get("bio", "")},
    )


def _load_people(communes: dict):
    user_model = get_user_model()
    for email, first_name, last_name, phone, insee, roles, _community in content.PEOPLE:
        user = user_model.objects.filter(email=email).first()
        if user is None:
            if roles == "superuser":
                user = user_model.objects.create_superuser(
                    email=email,
                    password=content.DEMO_PASSWORD,
                    first_name=first_name,
                    last_name=last_name,
                )
            else:
                user = user_model.objects.create_user(
                    email=email,
                    password=content.DEMO_PASSWORD,
                    first_name=first_name,
                    last_name=last_name,
                    phone=phone,
                )
            user.email_verified_at = timezone.now()
            user.phone_verified_at = timezone.now() if phone else None
            user.save()
        if insee and roles and roles != "superuser":
            for role in roles:
                staff_role_grant(user=user, commune=communes[insee], role=StaffRole(role))
        if email in content.RESIDENTS:
            _load_membership(user, communes[insee], content.RESIDENTS[email])


def _load_neighbours(communes: dict):
    user_model = get_user_model()
    for first_name, last_name, phone, email, insee, community, address in content.NEIGHBOURS:
        user = user_model.objects.filter(phone=phone).first()
        if user is None:
            user = user_model.objects.create_user(
                email=email,
                password=content.DEMO_PASSWORD if email else None,
                phone=phone,
                first_name=first_name,
                last_name=last_name,
            )
            user.email_verified_at = timezone.now() if email else None
            user.phone_verified_at = timezone.now()
            user.save()
        commune = communes[insee]
        _load_membership(
            user,
            commune,
            {"community": community, "address": f"{address}, {commune.name}"},
        )


@transaction.atomic
def demo_load() -> dict:
    """Create (or complete) the demo communes, their pages and the contract's accounts."""
    platform_site = platform_site_ensure()
    platform_site.port = DEMO_PORT
    platform_site.hostname = "127.0.0.1"
    platform_site.save()
    communes = {spec["insee_code"]: _load_commune(spec) for spec in content.COMMUNES}
    _load_people(communes)
    _load_neighbours(communes)
    demo_alerts_load(communes)
    demo_messaging_load(communes)
    demo_gazette_load(communes)
    demo_history_load(communes)
    return communes
