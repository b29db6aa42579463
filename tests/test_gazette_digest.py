"""The weekly gazette digest: each member gets exactly the posts they may read, once a week.

Matrix of recipients: verified same community / other community / other commune, pending,
staff without membership, outsider, a member who turned news e-mails off. Absence is
asserted as strictly as presence.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.test import override_settings
from django.utils import timezone

from accounts.models import Profile
from gazette.digest import digest_week_of, digests_send
from gazette.models import GazetteCategory, GazetteIndexPage, GazettePost
from gazette.tasks import gazette_digest_send
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Call ``function`` and run what it leaves for after commit: the outbox sends the
    digests it wrote, as it does once the task's transaction commits."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


def _post(commune, slug, title, communities, author, *, days_ago=1):
    index = GazetteIndexPage.objects.descendant_of(commune.site.root_page).get()
    page = GazettePost(
        title=title,
        slug=slug,
        category=GazetteCategory.HELP,
        body=f"{title} : qui peut m'aider ?",
        author=author,
        owner=author,
    )
    page.communities = communities
    index.add_child(instance=page)
    GazettePost.objects.filter(pk=page.pk).update(
        first_published_at=timezone.now() - timedelta(days=days_ago)
    )
    return page


def _announce(commune, slug, title, *, days_ago=2):
    index = AnnouncementIndexPage.objects.child_of(commune.site.root_page).get()
    page = index.add_child(
        instance=AnnouncementPage(title=title, slug=slug, summary=f"{title} : les détails.")
    )
    AnnouncementPage.objects.filter(pk=page.pk).update(
        first_published_at=timezone.now() - timedelta(days=days_ago)
    )
    return page


@pytest.fixture
def content(cadaujac, didenheim, centre_bourg, tuileries, village, jeanne_resident):
    return {
        "community": _post(cadaujac, "tondeuse", "Tondeuse à prêter", [centre_bourg], None),
        "commune": _post(cadaujac, "vide-grenier", "Vide-grenier des voisins", [], None),
        "other_community": _post(
            cadaujac, "covoiturage", "Covoiturage vers Bordeaux", [tuileries], None
        ),
        "old": _post(cadaujac, "ancien", "Annonce du mois dernier", [], None, days_ago=20),
        "announcement": _announce(cadaujac, "travaux", "Travaux rue de la Mairie"),
        "old_announcement": _announce(cadaujac, "vieux", "Vœux du maire", days_ago=30),
        "other_commune": _post(didenheim, "pain", "Pain partagé au Village", [village], None),
        "other_commune_announcement": _announce(didenheim, "marche", "Marché de Didenheim"),
    }


@pytest.fixture
def people(
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    marc_moderator,
    charlie_outsider,
    make_member,
    centre_bourg,
):
    odile = make_member("odile@cadaujac.test", centre_bourg, first_name="Odile", last_name="Roux")
    Profile.objects.create(user=odile, news_by_email=False)
    return {
        "jeanne": jeanne_resident,
        "paul": paul_neighbour,
        "lucie": lucie_tuileries,
        "dieter": dieter_didenheim,
        "pierre_pending": pierre_pending,
        "marc_staff": marc_moderator,
        "charlie": charlie_outsider,
        "odile_opted_out": odile,
    }


EXPECTED = {
    "jeanne": {"community", "commune", "announcement"},
    "paul": {"community", "commune", "announcement"},
    "lucie": {"commune", "other_community", "announcement"},
    "dieter": {"other_commune", "other_commune_announcement"},
}


def _mails_by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def test_each_member_gets_exactly_what_they_may_read(content, people, deliver):
    mail.outbox.clear()

    sent = deliver(lambda: gazette_digest_send.delay().get())

    by_recipient = _mails_by_recipient()
    assert sent == 4
    assert set(by_recipient) == {people[name].email for name in EXPECTED}
    for name, expected in EXPECTED.items():
        message = by_recipient[people[name].email]
        html = message.alternatives[0][0]
        for item, page in content.items():
            assert (page.title in message.body) == (item in expected), (name, item)
            assert (page.title in html) == (item in expected), (name, item)


def test_running_the_digest_twice_in_a_week_sends_once(content, people, deliver):
    mail.outbox.clear()

    first = deliver(digests_send)
    second = deliver(digests_send)
    later_same_week = deliver(digests_send, now=timezone.now() + timedelta(minutes=5))

    assert first == 4
    assert second == later_same_week == 0
    assert len(mail.outbox) == 4
    week = digest_week_of(timezone.now())
    assert Profile.objects.get(user=people["paul"]).news_digest_week == week


def test_next_week_brings_a_new_digest_when_there_is_news(content, people, cadaujac, deliver):
    deliver(digests_send)
    mail.outbox.clear()
    next_week = timezone.now() + timedelta(days=7)
    fresh = _post(cadaujac, "chat", "Chat trouvé", [], None, days_ago=-6)

    sent = deliver(digests_send, now=next_week)

    assert sent == 3  # Cadaujac's members; Didenheim has nothing new
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert fresh.title in message.body
        assert "Vide-grenier" not in message.body


def test_nothing_is_sent_when_there_is_nothing_new(content, people, deliver):
    mail.outbox.clear()

    sent = deliver(digests_send, now=timezone.now() + timedelta(days=60))

    assert sent == 0
    assert mail.outbox == []
    assert not Profile.objects.filter(news_digest_week__isnull=False).exists()


def test_the_digest_links_to_the_communes_site_and_to_unsubscribe(content, people, deliver):
    deliver(digests_send)

    message = _mails_by_recipient()[people["paul"].email]
    html = message.alternatives[0][0]
    post_url = f"http://cadaujac.localhost{content['community'].get_url_parts()[2]}"
    assert post_url in message.body
    assert f'href="{post_url}"' in html
    assert "http://cadaujac.localhost/compte/notifications/" in message.body
    assert 'href="http://cadaujac.localhost/compte/notifications/"' in html
    assert message.extra_headers["List-Unsubscribe"] == (
        "<http://cadaujac.localhost/compte/notifications/>"
    )
    assert "Cadaujac" in message.subject


def test_the_digest_is_written_in_the_members_language(content, people, deliver):
    lucie = people["lucie"]
    lucie.language = "en"
    lucie.save(update_fields=["language"])

    deliver(digests_send)

    by_recipient = _mails_by_recipient()
    assert '<html lang="en">' in by_recipient[lucie.email].alternatives[0][0]
    assert '<html lang="fr">' in by_recipient[people["paul"].email].alternatives[0][0]


class FlakyBackend(locmem.EmailBackend):
    """An e-mail provider that fails its first sending, then recovers."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures == 0:
            FlakyBackend.failures += 1
            raise ConnectionError("provider unavailable")
        return super().send_messages(messages)


@override_settings(EMAIL_BACKEND="tests.test_gazette_digest.FlakyBackend")
def test_a_failed_sending_is_retried_and_the_week_still_goes_once(content, people, deliver):
    FlakyBackend.failures = 0
    mail.outbox = []

    assert deliver(digests_send) == 4

    # The provider refused one digest: the outbox retried it, and every member got theirs once.
    assert FlakyBackend.failures == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(people[n].email for n in EXPECTED)
    assert deliver(digests_send) == 0
    assert len(mail.outbox) == 4
