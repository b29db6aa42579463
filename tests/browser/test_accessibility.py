"""The pages the accessibility statement lists have no serious or critical axe-core violation
(RGAA / WCAG 2.1 AA), as a visitor and as a signed-in resident.

``portal.accessibility.CHECKED_PAGES`` is both this test's list and the statement's "pages
checked"; the statement's figures come from this test's output (``-s`` prints every
violation, whatever its impact).
"""

from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe

from demo.content import DEMO_PASSWORD
from demo.loader import demo_load
from portal.accessibility import CHECKED_PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
RESIDENT = "jean-yves@cadaujac.demo.invalid"


def _sign_in(page, commune_url):
    page.goto(commune_url("cadaujac", "/accounts/login/"))
    page.get_by_label("E-mail ou téléphone mobile").fill(RESIDENT)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_checked_pages_have_no_serious_accessibility_violation(page, commune_url, live_server):
    demo_load()
    axe = Axe()

    def url_of(site, path):
        return f"{live_server.url}{path}" if site == "platform" else commune_url(site, path)

    # Visitor's pages first, then the resident's.
    visits = sorted(CHECKED_PAGES, key=lambda checked: checked.signed_in)

    problems, impacts, signed_in = {}, Counter(), False
    for checked in visits:
        needs_member = checked.signed_in
        if needs_member and not signed_in:
            _sign_in(page, commune_url)
            signed_in = True
        target = url_of(checked.site, checked.path)
        response = page.goto(target)
        assert response.status == 200, target
        if needs_member:
            assert "/accounts/login/" not in page.url, target
        for violation in axe.run(page, options=AXE_OPTIONS).response["violations"]:
            impacts[violation["impact"]] += len(violation["nodes"])
            print(f"{target}: {violation['impact']} {violation['id']} ({len(violation['nodes'])})")
            if violation["impact"] in ("serious", "critical"):
                problems.setdefault(target, []).append(f"{violation['id']}: {violation['help']}")
    print(f"{len(visits)} pages, violations by impact (elements): {dict(impacts)}")

    assert problems == {}
