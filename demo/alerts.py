"""The demo's alerts: residents' alerts at every stage, the mairie's broadcasts, and their
deliveries (written and sent through the same pipeline as in production)."""

from django.contrib.auth import get_user_model

from alerts.models import Alert, AlertCategory, AlertMessage
from alerts.services import (
    alert_close,
    alert_follow_up,
    alert_police_take,
    alert_post,
    broadcast_post,
)
from notifications.tasks import outbox_message_fanout


def _user(email):
    return get_user_model().objects.get(email=email)


def demo_alerts_load(communes: dict) -> None:
    """Post the demo alerts once; later runs change nothing."""
    if Alert.objects.filter(commune__in=communes.values()).exists():
        return
    cadaujac, didenheim = communes["33080"], communes["68074"]

    canvasser = alert_post(
        author=_user("jean-yves@cadaujac.demo.invalid"),
        category=AlertCategory.CANVASSER,
        text="Deux personnes se disant techniciens de la fibre sonnent aux portes rue de la "
        "Mairie et demandent à entrer. Aucun badge. Ne leur ouvrez pas.",
        identifying_details="Fourgon gris, plaque AB-123-CD",
    )
    alert_police_take(alert=canvasser, by=_user("police@cadaujac.demo.invalid"))
    alert_follow_up(
        alert=canvasser,
        by=_user("mairie@cadaujac.demo.invalid"),
        text="La police municipale a contrôlé le fourgon près du rond-point. Restez prudents.",
    )

    cat = alert_post(
        author=_user("marie@cadaujac.demo.invalid"),
        category=AlertCategory.LOST_ANIMAL,
        text="Notre chat Pilou, tigré gris au collier rouge, n'est pas rentré depuis hier soir, "
        "allée des Graves. Merci de regarder dans vos garages.",
    )
    alert_close(
        alert=cat,
        by=_user("marie@cadaujac.demo.invalid"),
        text="Pilou est rentré ce matin, merci à tous !",
    )

    broadcast_post(
        author=_user("mairie@cadaujac.demo.invalid"),
        commune=cadaujac,
        category=AlertCategory.ROADWORKS,
        text="Travaux route de Bordeaux de lundi à mercredi : circulation alternée, prévoyez "
        "quelques minutes de plus.",
        urgent=False,
    )

    elderly = alert_post(
        author=_user("claudette@didenheim.demo.invalid"),
        category=AlertCategory.ELDERLY,
        text="Notre voisine âgée de la rue du Moulin n'a pas ouvert ses volets depuis hier et "
        "ne répond pas au téléphone. Quelqu'un a-t-il des nouvelles ?",
    )
    alert_police_take(alert=elderly, by=_user("police@didenheim.demo.invalid"))
    broadcast_post(
        author=_user("mairie@didenheim.demo.invalid"),
        commune=didenheim,
        category=AlertCategory.WEATHER,
        text="Vigilance orange orages cet après-midi : rentrez ce qui craint le vent et limitez "
        "vos déplacements.",
        urgent=True,
    )

    # Write and send the deliveries now, so the demo shows them even where after-commit
    # callbacks do not run; the fan-out is idempotent, so the callbacks change nothing.
    for message_id in AlertMessage.objects.filter(alert__commune__in=communes.values()).values_list(
        "pk", flat=True
    ):
        outbox_message_fanout(message_id)
