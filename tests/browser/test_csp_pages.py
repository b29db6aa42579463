"""The main pages work in Chromium under their Content-Security-Policy: nothing is refused.

A resident and the mairie's staff go through the commune's home, the alert form (whose live
SMS counter must still count), an alert's page (whose progress polls the server), the
gazette, the messages, the admin's dashboard, an edit page with its preview, and a public
page with Wagtail's userbar. Every ``securitypolicyviolation`` event and every console
message about the policy is collected; there must be none.
"""

import contextlib
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.services import totp_authenticator_ensure
from alerts.models import Alert
from demo.loader import demo_load
from gazette.models import GazetteIndexPage
from messaging.models import Conversation
from notifications.models import Delivery, DeliveryStatus

from .test_registration_approval import TOTP_SECRET, new_page, sign_in, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RESIDENT = "jean-yves@cadaujac.demo.invalid"
STAFF = "mairie@cadaujac.demo.invalid"

# Runs in every document and frame before the page's own scripts (Playwright's init scripts
# are not subject to the page's policy).
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.effectiveDirective + " refused " + (event.blockedURI || "inline") + " in " +
    (event.sourceFile || document.location.pathname) + ":" + event.lineNumber
  );
}, true);
"""


class PolicyWatch:
    """Violations reported by the pages of one browser context, and by its console."""

    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(WATCH)
        context.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self, page) -> list[str]:
        found = []
        for frame in page.frames:
            # A frame that went away meanwhile has nothing more to say.
            with contextlib.suppress(PlaywrightError):
                found += frame.evaluate("window.__cspViolations || []")
        return found + self.console

    def assert_none(self, page, where):
        violations = self.violations(page)
        assert violations == [], f"{where}:\n" + "\n".join(violations)


def visit(page, watch, url, where=None):
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    watch.assert_none(page, where or url)
    return response


def test_resident_pages_work_under_the_policy(browser, commune_url, settings):
    demo_load()
    # Push configured, so that the settings page registers the service worker and asks the
    # push API for its key.
    out = io.StringIO()
    call_command("generate_vapid_keys", stdout=out, stderr=io.StringIO())
    keys = dict(line.split("=", 1) for line in out.getvalue().splitlines() if line)
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    resident = get_user_model().objects.get(email=RESIDENT)
    alert = Alert.objects.filter(author=resident, messages__deliveries__isnull=False).first()
    # Deliveries still queued: the page polls the progress endpoint while they wait.
    Delivery.objects.filter(message__alert_message__alert=alert).update(
        status=DeliveryStatus.QUEUED
    )
    conversation = Conversation.objects.filter(participants__user=resident).first()
    gazette = GazetteIndexPage.objects.live().filter(url_path__startswith="/cadaujac/").first()

    context, page = new_page(browser)
    watch = PolicyWatch(context)
    try:
        sign_in(page, commune_url, RESIDENT)
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        csp = page.goto(commune_url("cadaujac", "/")).headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp
        page.wait_for_load_state("networkidle")
        watch.assert_none(page, "home")

        # The alert form: its live counter still counts as one types.
        visit(page, watch, commune_url("cadaujac", "/alertes/nouvelle/"))
        counter = page.locator("[data-counter-text]")
        page.get_by_label(re.compile("Que se passe-t-il")).fill("Portail ouvert")
        assert counter.text_content().startswith("14 ")
        page.get_by_label(re.compile("Que se passe-t-il")).press_sequentially(" rue du Lavoir")
        expect(counter).to_have_text(re.compile(r"^28 "))
        assert page.get_by_text(re.compile(r"SMS reçu par vos voisins")).is_visible()
        watch.assert_none(page, "alert form after typing")

        # The alert's page polls its progress (connect-src) while deliveries are queued.
        with page.expect_response(re.compile(rf"/alertes/{alert.pk}/progression/")) as polled:
            visit(page, watch, commune_url("cadaujac", f"/alertes/{alert.pk}/"))
        assert polled.value.status == 200
        watch.assert_none(page, "alert page after polling")

        visit(page, watch, commune_url("cadaujac", gazette.get_url_parts()[2]))
        visit(page, watch, commune_url("cadaujac", "/messages/"))
        with page.expect_response(re.compile(rf"/messages/{conversation.pk}/nouveaux/")):
            visit(page, watch, commune_url("cadaujac", f"/messages/{conversation.pk}/"))
        watch.assert_none(page, "conversation after polling")
        visit(page, watch, commune_url("cadaujac", "/annuaire/"))
        # The service worker registers and the device's push control comes to life.
        visit(page, watch, commune_url("cadaujac", "/compte/notifications/"))
        expect(page.locator("[data-push-toggle]")).to_be_visible()
        expect(page.locator("[data-push-status]")).to_have_text(
            "Les notifications ne sont pas activées sur cet appareil."
        )
        watch.assert_none(page, "push control")
    finally:
        context.close()


def test_staff_admin_and_userbar_work_under_their_policies(browser, commune_url):
    demo_load()
    staff = get_user_model().objects.get(email=STAFF)
    totp_authenticator_ensure(user=staff, secret=TOTP_SECRET)
    gazette = GazetteIndexPage.objects.live().filter(url_path__startswith="/cadaujac/").first()

    context, page = new_page(browser)
    watch = PolicyWatch(context)
    try:
        sign_in(page, commune_url, STAFF)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        watch.assert_none(page, "sign-in")

        response = visit(page, watch, commune_url("cadaujac", "/admin/"), "admin dashboard")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

        visit(page, watch, commune_url("cadaujac", f"/admin/pages/{gazette.pk}/edit/"))
        # The preview panel frames the page from the admin's own origin.
        with page.expect_response(
            lambda r: "/edit/preview/" in r.url and r.request.method == "GET"
        ) as shown:
            page.locator("[data-side-panel-toggle='preview']").click()
        assert "frame-ancestors 'self'" in shown.value.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        preview = page.frame_locator("iframe.w-preview__iframe").last
        expect(preview.get_by_role("heading", level=1)).to_contain_text(gazette.title)
        watch.assert_none(page, "edit page with its preview")

        # The public page with Wagtail's userbar, whose menu still opens for the editor.
        visit(page, watch, commune_url("cadaujac", gazette.get_url_parts()[2]))
        page.locator("wagtail-userbar").get_by_role("button").first.click()
        page.locator("wagtail-userbar").get_by_role("menuitem").first.wait_for()
        # Its accessibility checker (axe-core) runs and counts.
        page.locator("wagtail-userbar").locator("#checker-trigger").click()
        expect(
            page.locator("wagtail-userbar").locator("#checker-trigger [data-content-checker-count]")
        ).to_have_text(re.compile(r"^\d+$"))
        page.wait_for_load_state("networkidle")
        watch.assert_none(page, "userbar")
    finally:
        context.close()
