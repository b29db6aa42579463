"""The whole path of a newcomer on a 390 px phone, in Chromium, on Cadaujac's demo site.

A visitor opens the home page and registers (e-mail and SMS codes); the mairie's moderator
approves; the new member signs in and lands on their community's page, posts an alert; a
neighbour reads it; the mairie publishes an announcement and the neighbour's phone gets it
by push at the fake push service. Every page opened on the way fits the screen (no sideways
scrolling) and axe-core finds no serious accessibility violation on it.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from accounts.services import totp_authenticator_ensure
from alerts.models import Alert
from communities.models import Membership, MembershipStatus
from demo.content import DEMO_PASSWORD
from demo.loader import demo_load
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage
from notifications.models import OutboundSms
from tests.browser.test_gazette_lost_cat import _serious_violations
from tests.browser.test_no_sideways_scrolling import OVERFLOW
from tests.browser.test_registration import proof_png
from tests.browser.test_registration_approval import TOTP_SECRET, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
MODERATOR = "mairie@cadaujac.demo.invalid"
NEIGHBOUR = "jean-yves@cadaujac.demo.invalid"  # Centre-bourg, like the newcomer
NEWCOMER = "nadia@exemple.test"
NEWCOMER_PASSWORD = "un-long-mot-de-passe-2026"
ALERT_TEXT = "Deux hommes relèvent les numéros des boîtes aux lettres place de la Mairie."
ANNOUNCEMENT = "Coupure d'eau rue de la Mairie"
PARIS = ZoneInfo("Europe/Paris")
SETTLED = """() => Promise.all(document.getAnimations()
  .filter((animation) => animation.effect?.getTiming().iterations !== Infinity)
  .map((animation) => animation.finished.catch(() => null)))"""


def _working_noon() -> datetime:
    """Today at noon in Paris, or Monday's if today is a Sunday: the mairie's news is not
    urgent, so its push waits out quiet hours (evenings, nights and Sundays)."""
    day = datetime.now(PARIS).date()
    if day.weekday() == 6:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=PARIS)


class Phone:
    """One person's browser on a 390 px phone; every page it opens is checked."""

    def __init__(self, browser, commune_url):
        self.context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.url = lambda path: commune_url("cadaujac", path)
        self.checked: list[str] = []

    def check(self):
        """No sideways scrolling and no serious axe violation on the page now shown."""
        page = self.page
        page.wait_for_load_state()
        # Axe measures contrast as painted: let fading messages and transitions end first.
        page.evaluate(SETTLED)
        fit = page.evaluate(OVERFLOW)
        assert fit["scroll"] <= fit["width"], (page.url, fit)
        assert _serious_violations(page) == [], page.url
        self.checked.append(page.url)

    def goto(self, path):
        self.page.goto(self.url(path))
        self.check()

    def sign_in(self, login, password=DEMO_PASSWORD):
        self.goto("/accounts/login/")
        self.page.get_by_label("E-mail ou téléphone mobile").fill(login)
        self.page.get_by_label("Mot de passe").fill(password)
        self.page.locator("main").get_by_role("button", name="Se connecter").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _register(phone: Phone):
    page = phone.page
    phone.goto("/")
    page.locator("main").get_by_role("link", name="Rejoindre mes voisins").first.click()
    page.wait_for_url("**/accounts/signup/")
    phone.check()
    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Roussel")
    page.get_by_label("Adresse e-mail").fill(NEWCOMER)
    page.get_by_label("Téléphone mobile").fill("06 12 34 56 78")
    page.get_by_label("Mot de passe").fill(NEWCOMER_PASSWORD)
    page.get_by_label(re.compile(r"^Adresse\b(?! e-mail)")).fill("3 place de la Mairie")
    page.get_by_label("Votre communauté").select_option(label="Centre-bourg")
    page.get_by_label("Justificatif de domicile").set_input_files(
        files=[{"name": "facture.png", "mimeType": "image/png", "buffer": proof_png()}]
    )
    page.get_by_label("J'accepte les conditions d'utilisation").check()
    page.get_by_role("button", name="M'inscrire").click()

    page.wait_for_url("**/accounts/confirm-email/")
    phone.check()
    email_code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M)
    page.get_by_label("Code").fill(email_code.group(1))
    page.get_by_role("button", name="Valider").click()

    page.wait_for_url("**/accounts/phone/verify/")
    phone.check()
    sms = OutboundSms.objects.filter(to="+33612345678", purpose="verification_code").get()
    page.get_by_label("Code").fill(re.search(r"\b(\d{6})\b", sms.body).group(1))
    page.get_by_role("button", name="Valider").click()

    page.wait_for_url("**/accounts/en-attente/")
    phone.check()


def _approve(phone: Phone):
    page = phone.page
    phone.sign_in(MODERATOR)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    phone.check()
    page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    phone.goto("/moderation/inscriptions/")
    page.get_by_role("link", name="Nadia Roussel").click()
    page.wait_for_url(re.compile(r"/moderation/inscriptions/\d+/$"))
    phone.check()
    page.get_by_role("button", name="Valider l'inscription").click()
    page.wait_for_url("**/moderation/inscriptions/")
    assert page.get_by_text("Inscription de Nadia Roussel validée").is_visible()
    phone.check()


def _publish_announcement(phone: Phone):
    """The same moderator, an editor of the mairie too, publishes from Wagtail's editor."""
    page = phone.page
    news = AnnouncementIndexPage.objects.get(
        url_path__startswith="/cadaujac/", locale__language_code="fr"
    )
    phone.goto(f"/admin/pages/add/mairie_pages/announcementpage/{news.pk}/")
    page.locator("#id_title").fill(ANNOUNCEMENT)
    page.locator("#id_summary").fill("L'eau sera coupée demain de 9 h à 11 h pour une réparation.")
    # Wagtail writes the slug from the title once the title is left, not always at once:
    # publishing before it is there is refused ("Slug: champ requis").
    expect(page.locator("#id_slug")).not_to_have_value("")
    page.locator("[data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name=re.compile(r"^Publier")).click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    phone.check()


def test_a_newcomer_on_a_phone_joins_alerts_and_hears_the_mairie(
    browser, commune_url, push_device, fake_push, private_storage
):
    with time_machine.travel(_working_noon(), tick=True):
        demo_load()
        moderator = get_user_model().objects.get(email=MODERATOR)
        totp_authenticator_ensure(user=moderator, secret=TOTP_SECRET)
        neighbour = get_user_model().objects.get(email=NEIGHBOUR)
        neighbours_phone = push_device(neighbour)

        newcomer = Phone(browser, commune_url)
        staff = Phone(browser, commune_url)
        jean_yves = Phone(browser, commune_url)
        try:
            _register(newcomer)
            membership = Membership.objects.get(user__email=NEWCOMER)
            assert membership.status == MembershipStatus.PENDING

            _approve(staff)
            membership.refresh_from_db()
            assert membership.status == MembershipStatus.VERIFIED

            # Signed in again, the new member lands on their community's page.
            newcomer.context.clear_cookies()
            newcomer.sign_in(NEWCOMER, NEWCOMER_PASSWORD)
            newcomer.page.wait_for_url("**/mon-quartier/")
            newcomer.check()
            page = newcomer.page
            page.locator("main").get_by_role("link", name=re.compile("alerte", re.I)).first.click()
            page.wait_for_url("**/alertes/**")
            if not page.url.endswith("/alertes/nouvelle/"):
                newcomer.check()
                page.locator("main").get_by_role("link", name="Lancer une alerte").click()
                page.wait_for_url("**/alertes/nouvelle/")
            newcomer.check()
            page.get_by_label("Démarcheur suspect").check()
            page.get_by_label("Que se passe-t-il ?").fill(ALERT_TEXT)
            page.get_by_role("button", name="Envoyer l'alerte").click()
            page.wait_for_url(re.compile(r"/alertes/\d+/$"))
            newcomer.check()
            alert = Alert.objects.get(text=ALERT_TEXT)
            assert alert.community.name == "Centre-bourg"

            # A neighbour of Centre-bourg reads it, and takes the mairie's news on this phone.
            jean_yves.sign_in(NEIGHBOUR)
            jean_yves.page.wait_for_url("**/mon-quartier/")
            jean_yves.check()
            jean_yves.goto("/alertes/")
            jean_yves.page.get_by_role("link", name=re.compile("Démarcheur suspect")).first.click()
            jean_yves.page.wait_for_url(f"**/alertes/{alert.pk}/")
            jean_yves.check()
            assert jean_yves.page.get_by_text(ALERT_TEXT).is_visible()
            jean_yves.goto("/compte/notifications/")
            news = jean_yves.page.get_by_role(
                "group", name="Recevoir les autres nouvelles (gazette, messages de la mairie)"
            )
            news.get_by_label("Par notification sur l'application").check()
            jean_yves.page.get_by_role("button", name="Enregistrer mes préférences").click()
            jean_yves.page.wait_for_load_state()
            jean_yves.check()

            # The mairie publishes; the neighbour's phone shows it.
            _publish_announcement(staff)
            assert AnnouncementPage.objects.live().filter(title=ANNOUNCEMENT).exists()
            pushes = fake_push.requests_to(neighbours_phone.endpoint)
            shown = [neighbours_phone.decrypt(push.body) for push in pushes]
            assert [item["title"] for item in shown if ANNOUNCEMENT in item["body"]] == [
                "Mairie de Cadaujac"
            ]
        finally:
            for phone in (newcomer, staff, jean_yves):
                phone.context.close()
