"""What the e-mail provider tells us after sending: addresses that bounce, refuse, complain.

django-anymail turns each provider's webhook (``/anymail/<esp>/tracking/``, behind the
``ANYMAIL_WEBHOOK_SECRET`` basic auth) into a ``tracking`` signal; ``email_tracking_received``
is wired to it in ``AccountsConfig.ready``. A hard bounce, a refusal or a spam complaint
marks the member's address undeliverable (no more e-mail to it; alerts' call lists show it;
the member is asked to fix it at sign-in) and fails the outbox's e-mail delivery sent under
that provider message id (``notifications.email_bounces``). Soft bounces and
deferrals change nothing: the provider retries them itself. A replayed webhook changes
nothing either.
"""

import hashlib
import logging

from anymail.signals import EventType
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from notifications.email_bounces import delivery_email_undeliverable
from notifications.models import EmailEvent

from .models import User, normalize_email
from .session_user import session_user_forget

logger = logging.getLogger(__name__)

# Anymail's normalised events after which nothing more is sent to the address.
UNDELIVERABLE_EVENTS = frozenset({EventType.BOUNCED, EventType.REJECTED, EventType.COMPLAINED})


def _is_soft_bounce(event) -> bool:
    """A temporary failure the provider retries (Brevo's ``soft_bounce``, Mailjet's
    non-hard bounce): anymail files them as bounces too."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    return raw.get("event") == "soft_bounce" or raw.get("hard_bounce") is False


def _event_key(event, esp_name: str) -> str:
    # Brevo gives no event id: the message, the event and its time identify a replay.
    if event.event_id:
        identity = f"{esp_name}|id|{event.event_id}"
    else:
        raw = event.esp_event if isinstance(event.esp_event, dict) else {}
        identity = "|".join(
            str(part)
            for part in (
                esp_name,
                event.message_id,
                event.recipient,
                raw.get("event", event.event_type),
                event.timestamp.isoformat() if event.timestamp else "",
            )
        )
    return hashlib.sha256(identity.encode()).hexdigest()


def email_tracking_event_handle(*, event, esp_name: str) -> bool:
    """Apply one provider report; return whether it changed anything.

    Only hard failures count (``UNDELIVERABLE_EVENTS`` minus soft bounces). The report is
    claimed by its key first, so a replay, even concurrent, is applied once.
    """
    if event.event_type not in UNDELIVERABLE_EVENTS or _is_soft_bounce(event):
        return False
    reason = (event.mta_response or event.reject_reason or event.event_type or "")[:200]
    try:
        with transaction.atomic():
            EmailEvent.objects.create(
                key=_event_key(event, esp_name),
                esp=esp_name[:32],
                event_type=str(event.event_type)[:20],
                message_id=(event.message_id or "")[:255],
            )
            email = normalize_email(event.recipient)
            if email:
                User.objects.filter(email=email, email_undeliverable_at__isnull=True).update(
                    email_undeliverable_at=event.timestamp or timezone.now(),
                    email_undeliverable_reason=reason,
                )
                for pk in User.objects.filter(email=email).values_list("pk", flat=True):
                    session_user_forget(user_pk=pk)
            if event.message_id:
                delivery_email_undeliverable(
                    message_id=event.message_id, reason=str(event.event_type)
                )
    except IntegrityError:
        return False  # the same report, already applied
    return True


def email_tracking_received(sender, event, esp_name, **kwargs) -> None:
    """anymail's ``tracking`` signal → ``email_tracking_event_handle`` (wiring only)."""
    email_tracking_event_handle(event=event, esp_name=esp_name)


def email_undeliverable_clear(*, user) -> None:
    """The member changed or re-verified their address: e-mail may be sent to it again."""
    User.objects.filter(pk=user.pk).exclude(email_undeliverable_at=None).update(
        email_undeliverable_at=None, email_undeliverable_reason=""
    )
    session_user_forget(user_pk=user.pk)
    user.email_undeliverable_at, user.email_undeliverable_reason = None, ""


def email_address_changed(sender, request=None, user=None, **kwargs) -> None:
    """allauth's ``email_changed`` and ``email_confirmed`` → clear the mark (wiring only)."""
    address = kwargs.get("email_address")
    if user is None and address is not None:
        user = address.user
        if normalize_email(address.email) != user.email:
            return  # a second address confirmed: the bouncing one is still in use
    if user is not None:
        email_undeliverable_clear(user=user)


def email_undeliverable_notice(sender, request, user, **kwargs) -> None:
    """At sign-in, ask a member whose address bounces to give a working one (wiring only)."""
    if not getattr(user, "email_undeliverable_at", None) or request is None:
        return
    messages.warning(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _(
                "Les e-mails envoyés à %(email)s nous reviennent : vous ne recevez plus nos "
                "alertes ni nos messages à cette adresse."
            )
            % {"email": user.email},
            reverse("account_email"),
            _("Corrigez votre adresse e-mail"),
        ),
        fail_silently=True,
    )
