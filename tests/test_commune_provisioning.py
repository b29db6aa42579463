"""A new commune's pages come from the apps that define them (``communities.provisioning``):
the commune layer names no page type, and each app's step runs on creation and on repair."""

import pytest
from wagtail.models import WorkflowPage

from communities import provisioning
from communities.services import commune_create
from gazette.models import GazetteIndexPage
from home.models import CommuneHomePage, PlatformHomePage

pytestmark = pytest.mark.django_db


def test_each_app_registers_what_a_commune_needs():
    pages = provisioning.home_pages()
    assert pages.platform_model is PlatformHomePage
    assert [step.name for step in provisioning.commune_steps()] == [
        "mairie_pages.sections",
        "gazette",
    ]


def test_new_commune_gets_home_sections_and_gazette_with_its_workflow_in_order():
    commune = commune_create(
        name="Saint-Médard", insee_code="33433", hostname="saint-medard.example.org"
    ).commune

    home = commune.site.root_page.specific
    assert isinstance(home, CommuneHomePage)
    assert home.hero_title == "Bienvenue à Saint-Médard"
    assert [page.slug for page in home.get_children()] == ["actualites", "agenda", "gazette"]
    gazette = GazetteIndexPage.objects.child_of(home).get()
    assert WorkflowPage.objects.filter(page=gazette).exists()


def test_a_registered_step_runs_on_creation_then_on_each_repair(monkeypatch):
    calls = []
    monkeypatch.setitem(
        provisioning._steps,
        "test.recorder",
        provisioning.CommuneStep(
            name="test.recorder",
            order=99,
            run=lambda *, commune, created: calls.append((commune.insee_code, created)),
        ),
    )

    commune_create(name="Martillac", insee_code="33274", hostname="martillac.example.org")
    commune_create(name="Martillac", insee_code="33274", hostname="martillac.example.org")

    assert calls == [("33274", True), ("33274", False)]


def test_a_repair_run_gives_back_a_missing_gazette_but_not_a_removed_section():
    commune = commune_create(
        name="Léognan", insee_code="33238", hostname="leognan.example.org"
    ).commune
    home = commune.site.root_page
    home.get_children().get(slug="agenda").delete()
    GazetteIndexPage.objects.child_of(home).delete()

    commune_create(name="Léognan", insee_code="33238", hostname="leognan.example.org")

    assert [page.slug for page in home.get_children()] == ["actualites", "gazette"]
