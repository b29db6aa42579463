"""Demo conversations, written through the same services as the site.

Cadaujac: Hugo asks Jean-Yves (Centre-bourg) to borrow his ladder, and gets an answer; the
mairie writes to Centre-bourg about the cleaning of the lavoir (Germaine, SMS only, gets it
by SMS). Didenheim: the mairie writes to the Village (Claudette online, Joseph by SMS).
Idempotent: a conversation or message already there is kept.
"""

from django.contrib.auth import get_user_model

from communities.models import Community
from messaging.models import Conversation, OfficialSend, OfficialTarget
from messaging.official import official_send
from messaging.services import conversation_start, message_send
from notifications.tasks import outbox_message_fanout

LADDER = "Prêt d'échelle"


def _neighbours_conversation() -> None:
    users = get_user_model().objects
    hugo = users.filter(email="hugo@cadaujac.demo.invalid").first()
    jean_yves = users.filter(email="jean-yves@cadaujac.demo.invalid").first()
    if hugo is None or jean_yves is None:
        return
    if Conversation.objects.filter(created_by=hugo, subject=LADDER).exists():
        return
    conversation = conversation_start(
        author=hugo,
        recipients=[jean_yves],
        subject=LADDER,
        text="Bonjour Jean-Yves, l'annuaire dit que vous pouvez prêter une échelle : "
        "pourrais-je l'emprunter samedi matin pour nettoyer mes gouttières ?",
    )
    message_send(
        conversation=conversation,
        author=jean_yves,
        text="Bonjour Hugo, avec plaisir ! Passez vers 9 h, elle est dans le garage.",
    )


def _official(commune, *, staff_email: str, community: str, subject: str, text: str) -> None:
    staff = get_user_model().objects.filter(email=staff_email).first()
    if staff is None or OfficialSend.objects.filter(commune=commune, subject=subject).exists():
        return
    send = official_send(
        author=staff,
        commune=commune,
        target=OfficialTarget.COMMUNITIES,
        communities=[Community.objects.get(commune=commune, name=community)],
        subject=subject,
        text=text,
        replies_allowed=True,
    )
    if send.outbox_message_id:
        # Write and send its SMS now, as for the demo's alerts, even where after-commit
        # callbacks do not run; the fan-out is idempotent.
        outbox_message_fanout(send.outbox_message_id)


def demo_messaging_load(communes: dict) -> None:
    _neighbours_conversation()
    _official(
        communes["33080"],
        staff_email="mairie@cadaujac.demo.invalid",
        community="Centre-bourg",
        subject="Nettoyage du lavoir",
        text="Les services techniques nettoient le lavoir mardi de 8 h à 12 h : la rue du "
        "Lavoir sera fermée à la circulation. Merci de ne pas y stationner lundi soir.",
    )
    _official(
        communes["68074"],
        staff_email="mairie@didenheim.demo.invalid",
        community="Village",
        subject="Réunion de quartier",
        text="La mairie vous invite à la réunion du quartier Village jeudi à 19 h, salle "
        "polyvalente : sécurité routière rue de l'Église et visites aux voisins âgés.",
    )
