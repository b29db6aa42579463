"""The pages an alert's SMS links to, as a member loads them: a bounded number of queries
that does not grow with the number of communes on the deployment; and the cached answers
that make it so (which site a host is, the menu) are never stale after a change."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from alerts.models import Alert, AlertCategory
from alerts.services import alert_follow_up, alert_post
from communities.services import commune_create
from gazette.models import GazetteCategory
from gazette.services.posts import gazette_post_create
from mairie_pages.models import StandardPage
from tests.conftest import CADAUJAC_HOST

TEXT = "Voiture suspecte rue des Vignes, deux personnes regardent dans les jardins."
# The bound is 10. What is left when the page is rendered: the alert (with its
# history's mark, read through the visibility rule), whether the reader reported it, the
# unread count; the signed-in user, who the member is, the commune, the article and the
# layout come from the cache (tests/test_member_page_cache.py).
ALERT_PAGE_MAX_QUERIES = 5
# The user, the count and the page of alerts, the unread count, whether the reader posted
# alerts here (their lists are their own).
ALERTS_LIST_MAX_QUERIES = 5
# A page served from the copy the community's members share (communities.member_pages):
# what is the reader's own (reported this alert? posted here?); their unread count is kept
# in the cache (messaging.unread).
SHARED_PAGE_MAX_QUERIES = 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(context.captured_queries)


def _signed_in(client, sign_in, user):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, user)
    return client


def test_a_member_opens_an_alert_in_at_most_five_queries_two_when_shared_however_many_communes(
    client, sign_in, jeanne_resident, paul_neighbour
):
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    member = _signed_in(client, sign_in, paul_neighbour)
    url = f"/alertes/{alert.pk}/"
    member.get(url)  # the first visit saves the session and fills the caches
    response, with_one_commune = _queries(member, url)
    assert TEXT in response.content.decode()
    assert with_one_commune <= SHARED_PAGE_MAX_QUERIES
    alert_follow_up(alert=alert, by=jeanne_resident, text="Ils sont partis vers la gare.")
    _response, rendered = _queries(member, url)  # the follow-up made the shared copy stale
    assert rendered <= ALERT_PAGE_MAX_QUERIES

    for number in range(12):
        commune_create(
            name=f"Commune {number}",
            insee_code=f"33{number:03d}",
            hostname=f"commune-{number}.localhost",
        )
    member.get(url)
    _response, with_thirteen = _queries(member, url)

    assert with_thirteen == with_one_commune


def test_a_renamed_host_is_answered_at_once_and_the_old_one_no_longer_serves_the_commune(
    client, cadaujac
):
    brand = '<span class="brand__name">Cadaujac</span>'
    assert brand in client.get("/", headers={"host": CADAUJAC_HOST}).content.decode()
    site = Site.objects.get(hostname=CADAUJAC_HOST)
    site.hostname = "cadaujac.example.localhost"
    site.save()

    renamed = client.get("/", headers={"host": "cadaujac.example.localhost"})
    old = client.get("/", headers={"host": CADAUJAC_HOST})

    assert brand in renamed.content.decode()
    assert brand not in old.content.decode()


def _menu_titles(client):
    html = client.get("/", headers={"host": CADAUJAC_HOST}).content.decode()
    menu = html.split('class="site-menu"', 1)[1].split("</nav>", 1)[0]
    return menu


def test_a_page_published_in_the_menu_shows_at_once_and_leaves_it_when_made_private(
    client, cadaujac, jeanne_resident, sign_in
):
    member = _signed_in(client, sign_in, jeanne_resident)
    assert "Déchetterie" not in _menu_titles(member)
    home = Page.objects.get(pk=cadaujac.site.root_page_id)
    page = home.add_child(
        instance=StandardPage(title="Déchetterie", slug="dechetterie", show_in_menus=True)
    )
    page.save_revision().publish()

    assert "Déchetterie" in _menu_titles(member)

    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    assert "Déchetterie" not in _menu_titles(member)


def _alert(author, number):
    """One more alert by ``author``, dated 2 hours ago so the hourly limit does not refuse
    the next (it is still running: alerts last 24 hours)."""
    alert = alert_post(author=author, category=AlertCategory.SCOUTING, text=f"{TEXT} ({number})")
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timedelta(hours=2))


def _post(author, number):
    gazette_post_create(
        author=author,
        category=GazetteCategory.LOAN,
        title=f"Échelle à prêter {number}",
        body="Une échelle de 3 mètres, à venir chercher rue des Vignes.",
    )


def test_the_alerts_list_costs_the_same_queries_for_2_or_8_alerts(
    client, sign_in, cadaujac, jeanne_resident, paul_neighbour
):
    member = _signed_in(client, sign_in, paul_neighbour)
    member.get("/alertes/")  # the first visit saves the session and fills the caches
    for number in range(2):
        _alert(jeanne_resident, number)
    _response, with_two = _queries(member, "/alertes/")  # rendered: the alerts changed
    _response, shared_two = _queries(member, "/alertes/")  # the neighbours' shared copy
    for number in range(2, 8):
        _alert(jeanne_resident, number)
    response, with_eight = _queries(member, "/alertes/")
    _response, shared_eight = _queries(member, "/alertes/")

    assert "(7)" in response.content.decode()
    assert with_eight == with_two <= ALERTS_LIST_MAX_QUERIES
    assert shared_eight == shared_two <= SHARED_PAGE_MAX_QUERIES


def test_the_alerts_list_costs_the_same_queries_for_one_page_or_two(
    client, sign_in, cadaujac, jeanne_resident, paul_neighbour
):
    """20 alerts a page: 3 alerts, then 45 (the first of three pages)."""
    member = _signed_in(client, sign_in, paul_neighbour)
    member.get("/alertes/")
    for number in range(3):
        _alert(jeanne_resident, number)
    _response, small = _queries(member, "/alertes/")
    _response, shared_small = _queries(member, "/alertes/")
    for number in range(3, 45):
        _alert(jeanne_resident, number)
    response, large = _queries(member, "/alertes/")
    _response, shared_large = _queries(member, "/alertes/")

    assert "(44)" in response.content.decode()
    assert large == small <= ALERTS_LIST_MAX_QUERIES
    assert shared_large == shared_small <= SHARED_PAGE_MAX_QUERIES


def test_the_gazette_costs_the_same_queries_for_2_or_8_posts(
    client, sign_in, cadaujac, jeanne_resident, paul_neighbour
):
    member = _signed_in(client, sign_in, paul_neighbour)
    for number in range(2):
        _post(jeanne_resident, number)
    member.get("/gazette/")
    _response, with_two = _queries(member, "/gazette/")
    for number in range(2, 8):
        _post(jeanne_resident, number)
    member.get("/gazette/")  # publishing made the cached menu stale: read it again once
    response, with_eight = _queries(member, "/gazette/")

    assert "Échelle à prêter 7" in response.content.decode()
    assert with_eight == with_two
