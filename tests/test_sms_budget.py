"""A commune's SMS budget: spend is what the outbox recorded, the mairie's administrators
are told at 80 % and 100 % once a month, a non-urgent mairie send over budget is refused
(nothing written) while residents' and urgent alerts always go, and only the platform team
sets the budget."""

import html
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.test import Client
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from alerts.models import Alert, AlertCategory
from alerts.services import alert_post, broadcast_post
from communities.models import Membership, MembershipStatus, SmsBudgetWarning, StaffRole
from communities.services import staff_role_grant
from communities.sms_budget import BudgetState, sms_budget, sms_budgets_check, sms_spend
from dashboard import figures
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage, AnnouncementSend
from messaging.models import OfficialSend, OfficialTarget
from messaging.official import official_send
from notifications.models import Channel, Delivery, DeliveryStatus, OutboxMessage

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FORM_URL = "/admin/alerter/"
CADAUJAC = "cadaujac.localhost"
ROADWORKS = "Route de Bordeaux fermée lundi de 8h à 17h pour travaux."


def body(response):
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def _outbox_sms(settings):
    """SMS leave through the outbox, which records their segments and price (5 cents)."""
    settings.SMS_BACKEND = "outbox"
    settings.SMS_PRICE_PER_SEGMENT = 0.05
    settings.SMS_RATE_PER_SECOND = 0


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it leaves for after commit (the outbox's sending)."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def barbara_broadcaster(make_user, cadaujac):
    user = make_user("barbara@cadaujac.test", first_name="Barbara", last_name="Lamothe")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.BROADCASTER)
    return user


@pytest.fixture
def germaine(django_user_model, centre_bourg):
    """Germaine takes part by SMS alone: a phone, no e-mail."""
    user = django_user_model.objects.create_user(
        email=None, phone="+33611000555", first_name="Germaine", last_name="Roux"
    )
    Membership.objects.create(
        user=user, community=centre_bourg, address="3 rue", status=MembershipStatus.VERIFIED
    )
    return user


def with_budget(commune, euros):
    commune.sms_budget = Decimal(euros)
    commune.save(update_fields=["sms_budget"])
    return commune


def recorded_sms(commune, user, euros, *, at=None):
    """An SMS the outbox recorded as sent for ``commune``: ``euros`` segments at 1 €."""
    at = at or timezone.now()
    message = OutboxMessage.objects.create(
        purpose="official", text="Mairie", payer=commune, fanned_out_at=at
    )
    return Delivery.objects.create(
        message=message,
        user=user,
        channel=Channel.SMS,
        status=DeliveryStatus.DELIVERED,
        created_at=at,
        updated_at=at,
        sent_at=at,
        segments=int(euros),
        encoding="GSM-7",
        price_per_segment=Decimal("1.00"),
    )


def recorded_cost(commune) -> Decimal:
    total = Delivery.objects.filter(
        channel=Channel.SMS, message__payer=commune, segments__isnull=False
    ).aggregate(total=Sum(F("segments") * F("price_per_segment")))["total"]
    return (total or Decimal(0)).quantize(Decimal("0.01"))


# --- Spend is the sum of what the outbox recorded ------------------------------------------------


def test_spend_is_the_sum_of_the_sms_the_outbox_recorded_for_the_communes_traffic(
    run,
    cadaujac,
    didenheim,
    jeanne_resident,
    paul_neighbour,
    germaine,
    barbara_broadcaster,
    dieter_didenheim,
):
    # A resident's alert (Jeanne gets it by SMS), the mairie's targeted message (Germaine by
    # SMS), a broadcast: each source names Cadaujac as the payer of its SMS.
    run(alert_post, author=paul_neighbour, category=AlertCategory.SCOUTING, text="Voiture grise.")
    run(
        official_send,
        author=barbara_broadcaster,
        commune=cadaujac,
        target=OfficialTarget.COMMUNE,
        text="Collecte des encombrants jeudi.",
    )
    run(
        broadcast_post,
        author=barbara_broadcaster,
        commune=cadaujac,
        category=AlertCategory.ROADWORKS,
        text=ROADWORKS,
    )
    run(alert_post, author=dieter_didenheim, category=AlertCategory.SCOUTING, text="Démarcheur.")

    sms = Delivery.objects.filter(channel=Channel.SMS, sent_at__isnull=False)
    cadaujac_sms = sms.filter(message__payer=cadaujac)
    # Every source's SMS counts: the alert's, the targeted message's, the broadcast's.
    assert cadaujac_sms.filter(message__alert_message__alert__source="web").exists()
    assert cadaujac_sms.filter(message__official_send__isnull=False, user=germaine).exists()
    assert cadaujac_sms.filter(message__alert_message__alert__source="admin").exists()
    assert {d.user_id for d in cadaujac_sms} == {jeanne_resident.pk, germaine.pk}
    assert not sms.filter(message__payer=None).exists()

    spend = sms_spend(commune=cadaujac)
    assert spend.sms == cadaujac_sms.count()
    assert spend.segments == sum(d.segments for d in cadaujac_sms)
    assert spend.cost == recorded_cost(cadaujac) == Decimal("0.05") * spend.segments
    # The dashboard reads the same function.
    assert figures.sms_spend(commune=cadaujac, now=timezone.now()).cost == spend.cost
    assert sms_spend(commune=didenheim).cost == Decimal(0)  # Dieter has no neighbour


def test_spend_counts_this_month_only_and_forecasts_linearly_on_days_elapsed(
    cadaujac, jeanne_resident
):
    now = datetime(2026, 11, 10, 12, 0, tzinfo=PARIS)
    recorded_sms(cadaujac, jeanne_resident, 10, at=datetime(2026, 11, 5, 9, 0, tzinfo=PARIS))
    recorded_sms(cadaujac, jeanne_resident, 50, at=datetime(2026, 10, 31, 23, 0, tzinfo=PARIS))
    with_budget(cadaujac, 100)

    budget = sms_budget(commune=cadaujac, now=now)

    assert budget.cost == Decimal("10.00")
    assert budget.forecast == Decimal("30.00")  # 10 € in 10 days of a 30-day month
    assert (budget.percent, budget.remaining, budget.state) == (10, Decimal(90), "ok")


# --- The limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spent", "state"),
    [(79, BudgetState.OK), (80, BudgetState.WARNING), (100, BudgetState.OVER)],
)
def test_budget_state_at_the_limits(cadaujac, jeanne_resident, spent, state):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, jeanne_resident, spent)

    budget = sms_budget(commune=cadaujac)

    assert (budget.percent, budget.state) == (spent, state)


def test_a_commune_without_budget_is_never_limited(cadaujac, jeanne_resident):
    recorded_sms(cadaujac, jeanne_resident, 5000)

    budget = sms_budget(commune=cadaujac)

    assert budget.state == BudgetState.NONE
    assert budget.allows(Decimal("1000"))


def test_administrators_are_told_at_80_and_100_percent_once_a_month(
    run, cadaujac, didenheim, arnaud_admin, alice_editor, bertrand_admin, jeanne_resident
):
    with_budget(cadaujac, 100)
    with_budget(didenheim, 100)

    recorded_sms(cadaujac, jeanne_resident, 79)
    assert run(sms_budgets_check) == 0
    assert mail.outbox == []

    recorded_sms(cadaujac, jeanne_resident, 1)  # 80 %
    assert run(sms_budgets_check) == 1
    (warning,) = mail.outbox
    assert warning.to == [arnaud_admin.email]  # the administrators, not the editor
    assert "Budget SMS à 80 % — Cadaujac" in warning.subject
    assert "80,00" in warning.body
    assert "100,00" in warning.body

    assert run(sms_budgets_check) == 0  # a re-check sends nothing
    assert len(mail.outbox) == 1

    recorded_sms(cadaujac, jeanne_resident, 20)  # 100 %
    assert run(sms_budgets_check) == 1
    assert run(sms_budgets_check) == 0
    assert [m.subject for m in mail.outbox][1:] == ["Budget SMS atteint — Cadaujac"]
    assert "partent sans SMS" in mail.outbox[1].body
    assert set(SmsBudgetWarning.objects.values_list("commune", "threshold")) == {
        (cadaujac.pk, 80),
        (cadaujac.pk, 100),
    }
    # The warnings are e-mails: they cost the budget nothing.
    assert sms_spend(commune=cadaujac).cost == Decimal("100.00")


def test_a_month_that_jumps_past_both_thresholds_gets_one_email(
    run, cadaujac, arnaud_admin, jeanne_resident
):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, jeanne_resident, 120)

    assert run(sms_budgets_check) == 1

    assert [m.subject for m in mail.outbox] == ["Budget SMS atteint — Cadaujac"]
    assert SmsBudgetWarning.objects.filter(commune=cadaujac).count() == 2


# --- Over budget: what is refused and what always goes -------------------------------------------


def test_sms_waiting_to_leave_count_against_the_budget_before_a_new_send(
    run, cadaujac, jeanne_resident, paul_neighbour, germaine, barbara_broadcaster
):
    """A targeted message held until 8 h has not cost anything yet, but a second one the
    same evening is weighed with it: together they would cross the budget."""
    with_budget(cadaujac, 1)
    now = timezone.now()
    waiting = OutboxMessage.objects.create(
        purpose="official", text="Mairie de Cadaujac : collecte jeudi.", payer=cadaujac
    )
    for user in (jeanne_resident, paul_neighbour):
        Delivery.objects.create(
            message=waiting,
            user=user,
            channel=Channel.SMS,
            status=DeliveryStatus.QUEUED,
            created_at=now,
            updated_at=now,
        )

    shown = sms_budget(commune=cadaujac)
    weighed = sms_budget(commune=cadaujac, with_engaged=True)

    assert (shown.cost, shown.remaining) == (Decimal(0), Decimal(1))  # nothing spent yet
    assert (weighed.engaged, weighed.remaining) == (Decimal("0.10"), Decimal("0.90"))
    assert weighed.allows(Decimal("0.90"))
    assert not weighed.allows(Decimal("0.95"))


@pytest.mark.parametrize("spent", [100, 99.99])
def test_a_non_urgent_broadcast_over_budget_is_refused_and_nothing_is_written(
    run, cadaujac, jeanne_resident, barbara_broadcaster, sign_in, spent
):
    with_budget(cadaujac, 100)
    # 99.99 €: its one SMS (5 cents) would take the month over the budget.
    recorded_sms(cadaujac, jeanne_resident, 100)
    Delivery.objects.update(price_per_segment=Decimal(str(spent)) / 100)
    deliveries = Delivery.objects.count()
    client = sign_in(Client(), barbara_broadcaster)
    data = {
        "commune": cadaujac.pk,
        "category": AlertCategory.ROADWORKS,
        "text": ROADWORKS,
        "target": "commune",
        "transliterate": "on",
    }

    confirm = body(client.post(FORM_URL, data))
    assert "Budget SMS du mois" in confirm
    assert "ne permet pas cet envoi" in confirm
    assert "Envoyer sans SMS" in confirm

    with pytest.raises(ValidationError) as refused:
        run(
            broadcast_post,
            author=barbara_broadcaster,
            commune=cadaujac,
            category=AlertCategory.ROADWORKS,
            text=ROADWORKS,
            urgent=False,
        )
    assert "l'e-mail et les notifications partent" in refused.value.messages[0]

    page = run(lambda: client.post(FORM_URL, {**data, "confirmed": "1"}))
    assert page.status_code == 200
    assert "Vous pouvez l'envoyer sans SMS" in body(page)
    assert not Alert.objects.exists()
    assert Delivery.objects.count() == deliveries
    assert OutboxMessage.objects.count() == deliveries  # the recorded SMS' messages alone


def test_over_budget_the_broadcast_goes_without_sms_by_email(
    run, cadaujac, jeanne_resident, paul_neighbour, barbara_broadcaster, sign_in
):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, paul_neighbour, 100)
    client = sign_in(Client(), barbara_broadcaster)
    data = {
        "commune": cadaujac.pk,
        "category": AlertCategory.ROADWORKS,
        "text": ROADWORKS,
        "target": "commune",
        "without_sms": "on",
        "confirmed": "1",
    }

    page = run(lambda: client.post(FORM_URL, data))

    assert page.status_code == 302
    alert = Alert.objects.get()
    sent = Delivery.objects.filter(message__alert_message__alert=alert)
    assert sent.filter(user=jeanne_resident, channel=Channel.EMAIL).exists()
    assert not sent.filter(channel=Channel.SMS).exists()
    assert sms_spend(commune=cadaujac).cost == Decimal("100.00")


def test_an_urgent_broadcast_over_budget_goes_with_its_sms_and_the_overrun_shows(
    run, cadaujac, jeanne_resident, barbara_broadcaster, arnaud_admin, sign_in
):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, arnaud_admin, 100)

    alert = run(
        broadcast_post,
        author=barbara_broadcaster,
        commune=cadaujac,
        category=AlertCategory.ROADWORKS,
        text=ROADWORKS,
        urgent=True,
    )

    sms = Delivery.objects.get(message__alert_message__alert=alert, channel=Channel.SMS)
    assert (sms.user, sms.sent_at is not None) == (jeanne_resident, True)
    budget = sms_budget(commune=cadaujac)
    assert (budget.state, budget.overrun) == (BudgetState.OVER, Decimal("0.05"))
    dashboard = body(sign_in(Client(), arnaud_admin).get("/admin/tableau-de-bord/"))
    assert "Budget du mois : 100,00 €, dont 100 % dépensés." in dashboard
    assert "Budget atteint (dépassement : 0,05 €)." in dashboard


def test_a_residents_alert_over_budget_goes_with_its_sms(
    run, cadaujac, jeanne_resident, paul_neighbour
):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, paul_neighbour, 150)

    alert = run(
        alert_post, author=paul_neighbour, category=AlertCategory.SCOUTING, text="Voiture grise."
    )

    sms = Delivery.objects.get(message__alert_message__alert=alert, channel=Channel.SMS)
    assert (sms.user, sms.sent_at is not None) == (jeanne_resident, True)
    assert sms_spend(commune=cadaujac).cost == Decimal("150.05")


def test_a_targeted_message_over_budget_is_refused_then_goes_without_sms(
    run, cadaujac, jeanne_resident, germaine, barbara_broadcaster
):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, jeanne_resident, 100)
    messages = OutboxMessage.objects.count()
    message = {
        "author": barbara_broadcaster,
        "commune": cadaujac,
        "target": OfficialTarget.COMMUNE,
        "text": "Collecte des encombrants jeudi.",
    }

    with pytest.raises(ValidationError) as refused:
        run(official_send, **message)

    assert "Vous pouvez l'envoyer sans SMS" in refused.value.messages[0]
    assert not OfficialSend.objects.exists()
    assert OutboxMessage.objects.count() == messages

    send = run(official_send, **message, without_sms=True)

    assert (send.reach["web"], send.reach["sms"], send.reach["unreachable"]) == (1, 0, 1)
    assert send.outbox_message is None
    assert not Delivery.objects.filter(user=germaine).exists()


def test_an_announcement_over_budget_goes_without_its_sms(run, cadaujac, jeanne_resident, germaine):
    from mairie_pages.announcement_audience import announcement_sms_refusal

    with_budget(cadaujac, 100)
    assert announcement_sms_refusal(commune=cadaujac, text="Mairie de Cadaujac : fête") is None
    recorded_sms(cadaujac, jeanne_resident, 100)

    refusal = announcement_sms_refusal(commune=cadaujac, text="Mairie de Cadaujac : fête")

    assert "Vous pouvez l'envoyer sans SMS" in refusal


# --- Who sets the budget -------------------------------------------------------------------------

# Everyone but the platform team: the commune's own staff, another commune's administrator,
# a resident, nobody signed in.
CANNOT_SET = [
    "administrator",
    "moderator",
    "broadcaster",
    "editor",
    "police",
    "other administrator",
    "resident",
    "anonymous",
]


def commune_form_data(client, commune):
    url = f"/admin/communes/edit/{commune.pk}/"
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "logo" and not isinstance(value, list)
    }
    data["charter"] = rich_text("")
    return url, data


def test_the_platform_team_sets_a_communes_budget_in_the_admin(cadaujac, platform_admin, sign_in):
    client = sign_in(Client(HTTP_HOST=CADAUJAC), platform_admin)
    url, data = commune_form_data(client, cadaujac)

    response = client.post(url, {**data, "sms_budget": "250.00"})

    assert response.status_code == 302, response.context["form"].errors
    cadaujac.refresh_from_db()
    assert cadaujac.sms_budget == Decimal("250.00")


@pytest.mark.parametrize("persona", CANNOT_SET)
def test_nobody_else_can_change_the_budget(
    cadaujac, staff_everywhere, platform_admin, sign_in, persona
):
    with_budget(cadaujac, 100)
    _url, data = commune_form_data(sign_in(Client(HTTP_HOST=CADAUJAC), platform_admin), cadaujac)
    user = staff_everywhere[persona]
    client = Client(HTTP_HOST=CADAUJAC)
    if user is not None:
        sign_in(client, user)

    client.post(f"/admin/communes/edit/{cadaujac.pk}/", {**data, "sms_budget": "9999"})

    cadaujac.refresh_from_db()
    assert cadaujac.sms_budget == Decimal("100.00")


def test_the_communes_administrator_sees_the_budget_without_being_able_to_change_it(
    cadaujac, staff_everywhere, sign_in
):
    with_budget(cadaujac, 100)
    client = sign_in(Client(HTTP_HOST=CADAUJAC), staff_everywhere["administrator"])
    url, data = commune_form_data(client, cadaujac)

    page = client.get(url)
    field = page.context["form"]["sms_budget"]
    assert field.field.disabled
    assert 'value="100' in str(field)

    response = client.post(url, {**data, "sms_budget": "9999", "opening_hours": "Lundi 9 h"})

    assert response.status_code == 302  # the rest of the form is saved
    cadaujac.refresh_from_db()
    assert (cadaujac.sms_budget, cadaujac.opening_hours) == (Decimal("100.00"), "Lundi 9 h")


def _announcement_draft(commune):
    index = AnnouncementIndexPage.objects.child_of(commune.site.root_page).get()
    return index.add_child(
        instance=AnnouncementPage(
            title="Fête du village",
            slug="fete",
            summary="Samedi à partir de 18 h sur la place.",
            live=False,
            sms_requested=True,
        )
    )


def test_an_announcement_published_over_budget_goes_without_its_sms(
    django_capture_on_commit_callbacks, cadaujac, jeanne_resident, germaine
):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, jeanne_resident, 100)
    page = _announcement_draft(cadaujac)

    # A scheduled or approved publication has nobody to ask: it goes by e-mail and push.
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    send = AnnouncementSend.objects.get()
    assert (send.by_sms, send.payer) == (False, cadaujac)
    sent = Delivery.objects.filter(message=send)
    assert sent.filter(user=jeanne_resident, channel=Channel.EMAIL).exists()
    assert not sent.filter(channel=Channel.SMS).exists()


def test_publishing_an_announcement_with_sms_over_budget_is_refused_in_the_editor(
    django_capture_on_commit_callbacks, cadaujac, jeanne_resident, germaine, platform_admin, sign_in
):
    with_budget(cadaujac, 100)
    recorded_sms(cadaujac, jeanne_resident, 100)
    page = _announcement_draft(cadaujac)
    client = sign_in(Client(HTTP_HOST=CADAUJAC), platform_admin)
    url = f"/admin/pages/{page.pk}/edit/"
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "date": "2026-12-03",
            "summary": page.summary,
            "body": streamfield([]),
            "sms_requested": "on",
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )

    editor = client.get(url)
    assert "Budget SMS du mois : il reste 0,00 € sur 100,00 €." in " ".join(body(editor).split())
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Vous pouvez l'envoyer sans SMS" in body(refused)
    page.refresh_from_db()
    assert not page.live
    assert not AnnouncementSend.objects.exists()

    del data["sms_requested"]
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(url, data)

    assert published.status_code == 302
    assert AnnouncementSend.objects.get().by_sms is False
