"""Key public pages have no serious or critical axe-core violation (RGAA / WCAG 2.1 AA)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from demo.loader import demo_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = [
    ("cadaujac", "/"),
    ("cadaujac", "/en/"),
    ("cadaujac", "/actualites/"),
    ("cadaujac", "/actualites/travaux-route-de-bordeaux/"),
    ("cadaujac", "/agenda/"),
    ("cadaujac", "/agenda/reunion-voisins-vigilants/"),
    ("cadaujac", "/contacts/"),
    ("didenheim", "/"),
    ("cadaujac", "/accounts/login/"),
]


def test_key_pages_have_no_serious_accessibility_violation(page, commune_url):
    demo_load()
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

    problems = {}
    for commune, path in PAGES:
        response = page.goto(commune_url(commune, path))
        assert response.status == 200, path
        results = axe.run(page, options=options)
        serious = [
            f"{violation['id']}: {violation['help']}"
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[f"{commune}{path}"] = serious

    assert problems == {}
