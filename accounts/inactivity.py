"""Accounts left unused for two years: the member is warned, then the account is erased.

CNIL: an account without activity for two years is deleted, after a warning. Activity is
the last sign-in (``last_login``; sessions last two weeks, so an active member signs in
again at least that often) or, for members who take part by SMS alone and never sign in,
the last text they sent the relay number (``last_inbound_sms_at``); a new account counts
from its creation. At ``ACCOUNT_INACTIVITY_WARN_DAYS`` (700, about 23 months) the member is
warned once, by e-mail or, without a working address, by SMS; at
``ACCOUNT_INACTIVITY_ERASE_DAYS`` (730) and at least ``ACCOUNT_INACTIVITY_NOTICE_DAYS``
(30) after the warning, the account is erased by ``accounts.gdpr.account_erase``. Signing
in or texting the relay number clears the warning. A member nothing may be sent to (no
working address, SMS refused with STOP) is recorded as warned all the same, and erased at
the same date.

Staff accounts (Wagtail admin access, the platform team, any mairie role) are warned but
never erased automatically: removing them is the mairie's decision, and erasing one
unnoticed could leave a commune without its administrator or moderator.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from communities.dates import date_display
from communities.models import CommuneGroup
from notifications.notices import email_else_sms, notice_send

from .gdpr import account_erase
from .member_language import member_language
from .models import User
from .session_user import session_user_forget


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(getattr(settings, name, default)))


def _thresholds() -> tuple[timedelta, timedelta, timedelta]:
    return (
        _days("ACCOUNT_INACTIVITY_WARN_DAYS", 700),
        _days("ACCOUNT_INACTIVITY_ERASE_DAYS", 730),
        _days("ACCOUNT_INACTIVITY_NOTICE_DAYS", 30),
    )


def _with_last_activity():
    return User.objects.annotate(
        last_activity=Greatest(
            Coalesce("last_login", "date_joined"),
            Coalesce("last_inbound_sms_at", "date_joined"),
        )
    )


def _staff_q() -> Q:
    return (
        Q(is_staff=True) | Q(is_superuser=True) | Q(groups__in=CommuneGroup.objects.values("group"))
    )


def _erase_on(user, *, now) -> datetime:
    _warn, erase, notice = _thresholds()
    return max(user.last_activity + erase, now + notice)


def _warning_write(user, *, erase_on) -> None:
    """E-mail a working address, else text the phone (the outbox skips a phone that
    answered STOP)."""
    with override(member_language(user)):
        date = date_display(erase_on, "DATE_FORMAT")
        subject = _("Votre compte Voisinage sera supprimé le %(date)s") % {"date": date}
        text = _(
            "Bonjour,\n\nVotre compte Voisinage n'a pas servi depuis bientôt deux ans. "
            "Comme le demande la CNIL, un compte inactif est supprimé avec ses données : "
            "le vôtre le sera le %(date)s.\n\nPour le garder, il suffit de vous "
            "connecter d'ici là avec votre adresse e-mail ou votre numéro de mobile."
        ) % {"date": date}
        sms = _(
            "Voisinage : votre inscription n'a pas servi depuis bientôt 2 ans. Elle "
            "sera supprimée le %(date)s. Pour la garder, répondez START à ce SMS."
        ) % {"date": date}
    notice_send(
        user=user,
        kind="inactivity_warning",
        subject=subject,
        text=text,
        sms_text=sms,
        channels=email_else_sms(user),
    )


def inactive_accounts_warn(*, now=None) -> int:
    """Warn, once each, the members inactive past the warning threshold; return the count.

    Each member's warning is claimed by a conditional UPDATE in the transaction that writes
    it to the outbox (``notifications.notices``), so two runs at once (or a redelivered
    task) never warn anyone twice; the outbox sends it after commit.
    """
    now = now or timezone.now()
    warn, _erase, _notice = _thresholds()
    due = (
        _with_last_activity()
        .filter(inactivity_warned_at=None, last_activity__lt=now - warn)
        .order_by("pk")
    )
    warned = 0
    for user in due:
        with transaction.atomic():
            claimed = User.objects.filter(pk=user.pk, inactivity_warned_at=None).update(
                inactivity_warned_at=now
            )
            if claimed:
                session_user_forget(user_pk=user.pk)
                _warning_write(user, erase_on=_erase_on(user, now=now))
        warned += claimed
    return warned


def inactive_accounts_erase(*, now=None) -> int:
    """Erase the accounts inactive past the erasure threshold and warned long enough ago.

    Staff accounts are never erased here (see the module's docstring). Returns the count.
    """
    now = now or timezone.now()
    _warn, erase, notice = _thresholds()
    due = (
        _with_last_activity()
        .filter(last_activity__lt=now - erase, inactivity_warned_at__lte=now - notice)
        .exclude(_staff_q())
        .order_by("pk")
    )
    erased = 0
    for user in due:
        account_erase(user=user)
        erased += 1
    return erased


def inactive_accounts_sweep(*, now=None) -> dict[str, int]:
    """The daily task's work: erase what is due, then warn who is next."""
    now = now or timezone.now()
    return {
        "erased": inactive_accounts_erase(now=now),
        "warned": inactive_accounts_warn(now=now),
    }


def member_activity_record(*, user, sms: bool = False) -> None:
    """The member did something (signed in, texted the relay number): clear any warning."""
    fields = {"inactivity_warned_at": None}
    if sms:
        fields["last_inbound_sms_at"] = timezone.now()
    User.objects.filter(pk=user.pk).update(**fields)
    session_user_forget(user_pk=user.pk)


def inactivity_warning_reset(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` → clear a pending warning (wiring only)."""
    if User.objects.filter(pk=user.pk, inactivity_warned_at__isnull=False).update(
        inactivity_warned_at=None
    ):
        session_user_forget(user_pk=user.pk)
