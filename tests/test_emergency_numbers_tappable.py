"""17 and 112 are tap-to-call links wherever a page writes them, and the alert form offers the
SMS relay as a tap-to-text link to members who can use it (a verified mobile number)."""

import pytest
from django.utils import timezone

from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

CALL_17 = 'href="tel:17"'
CALL_112 = 'href="tel:112"'


@pytest.fixture
def cadaujac_client(client):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    return client


def test_the_emergency_notice_and_the_footer_call_17_and_112(cadaujac_client, cadaujac):
    page = cadaujac_client.get("/").content.decode()

    notice = page[page.index('class="emergency"') : page.index("</aside>")]
    assert CALL_17 in notice
    assert CALL_112 in notice
    assert "Danger immédiat : composez le" in notice
    footer = page[page.index('class="site-footer"') :]
    assert CALL_17 in footer
    assert CALL_112 in footer


def test_the_alert_form_calls_17(cadaujac_client, sign_in, jeanne_resident):
    page = sign_in(cadaujac_client, jeanne_resident).get("/alertes/nouvelle/").content.decode()

    start = page.index('class="form alert-form"')
    form = page[start : page.index("</form>", start)]
    assert CALL_17 in form
    assert "Danger immédiat ou flagrant délit : composez le" in form


def test_the_alert_form_offers_to_text_the_relay_to_a_verified_mobile(
    cadaujac_client, sign_in, jeanne_resident, settings
):
    settings.SMS_RELAY_NUMBER = "+33757000111"
    jeanne_resident.phone_verified_at = timezone.now()
    jeanne_resident.save(update_fields=["phone_verified_at"])

    page = sign_in(cadaujac_client, jeanne_resident).get("/alertes/nouvelle/").content.decode()

    assert '<a href="sms:+33757000111">07 57 00 01 11</a>' in page


def test_no_relay_link_without_a_relay_or_a_verified_mobile(
    cadaujac_client, sign_in, jeanne_resident, settings
):
    settings.SMS_RELAY_NUMBER = None
    client = sign_in(cadaujac_client, jeanne_resident)
    assert 'href="sms:' not in client.get("/alertes/nouvelle/").content.decode()

    settings.SMS_RELAY_NUMBER = "+33757000111"
    jeanne_resident.phone_verified_at = None
    jeanne_resident.save(update_fields=["phone_verified_at"])
    assert 'href="sms:' not in client.get("/alertes/nouvelle/").content.decode()


def test_only_whole_emergency_numbers_become_links():
    from portal.templatetags.emergency_tags import emergency_numbers_callable

    linked = emergency_numbers_callable("Composez le 17, pas le 0617171717 ni <b>112</b>.")

    assert linked == (
        'Composez le <a class="tel-link" href="tel:17">17</a>, pas le 0617171717 ni '
        '&lt;b&gt;<a class="tel-link" href="tel:112">112</a>&lt;/b&gt;.'
    )
