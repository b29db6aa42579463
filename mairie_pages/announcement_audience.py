"""Who the mairie's announcements reach, on which channel, and what the SMS would cost.

The one definition, used by the outbox's fan-out (``mairie_pages.outbox``) and by the
editor's "Envoi aux habitants" panel, so that the reach and cost staff see before
publishing are the reach and cost written. Verified members of any community of the
commune, active:

- by e-mail when they take the mairie's news by e-mail (``news_by_email``, on by default)
  and their address is deliverable;
- by notification when they turned the mairie's news on for their devices
  (``news_by_push``) and have at least one device subscribed;
- by SMS only when staff asked for it, and then only for those reached by neither of the
  two above (the members who take part by SMS alone): an SMS is paid for, e-mail and push
  are not.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.utils.translation import override

from communities.models import Community, Membership, MembershipStatus
from communities.sms_budget import sms_budget_refusal
from communities.wording import mairie_of
from notifications.channels.sms import sms_price_per_segment
from notifications.cost import sms_cost_estimate
from notifications.models import Channel
from notifications.reachability import reachable_sql, users_with_profiles_sql
from notifications.sms.segments import SmsSegmentation, sms_segments, to_gsm7

SUMMARY_SMS_LENGTH = 200


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def announcement_audience_sql(*, commune_id: int, by_sms: bool) -> tuple[str, list]:
    """One row per member reached (``user_id``, ``restricted``, ``<channel>_ok``)."""
    email = f"COALESCE(p.news_by_email, TRUE) AND {reachable_sql(Channel.EMAIL)}"
    push = f"COALESCE(p.news_by_push, FALSE) AND {reachable_sql(Channel.PUSH)}"
    sms = f"%s AND {reachable_sql(Channel.SMS)} AND NOT ({email}) AND NOT ({push})"
    sql = f"""
        SELECT u.id AS user_id, 0 AS restricted,
               CASE WHEN {sms} THEN 1 ELSE 0 END AS sms_ok,
               CASE WHEN {email} THEN 1 ELSE 0 END AS email_ok,
               CASE WHEN {push} THEN 1 ELSE 0 END AS push_ok
        FROM {users_with_profiles_sql()}
        WHERE u.is_active AND u.id IN (
            SELECT m.user_id FROM {_table(Membership)} m
            JOIN {_table(Community)} c ON c.id = m.community_id
            WHERE m.status = %s AND c.commune_id = %s
        )
    """  # noqa: S608 (table names from model metadata, values are parameters)
    return sql, [by_sms, MembershipStatus.VERIFIED, commune_id]


def announcement_reach(*, commune_id: int, by_sms: bool) -> dict[str, int]:
    """How many members each channel would reach (one query)."""
    sql, params = announcement_audience_sql(commune_id=commune_id, by_sms=by_sms)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(a.sms_ok), 0), COALESCE(SUM(a.email_ok), 0), "  # noqa: S608
            f"COALESCE(SUM(a.push_ok), 0) FROM ({sql}) a",
            params,
        )
        sms, email, push = cursor.fetchone()
    return {Channel.SMS: int(sms), Channel.EMAIL: int(email), Channel.PUSH: int(push)}


def announcement_sms_text(*, commune_name: str, title: str, summary: str, url: str) -> str:
    """The SMS as members read it: who speaks, the title, the start of the summary, the link.

    In GSM-7 characters only (``to_gsm7``: "fête" becomes "fete"): a single "ê" would bill
    the whole message as UCS-2, two or three times the price, to every recipient.
    """
    summary = " ".join((summary or "").split())
    if len(summary) > SUMMARY_SMS_LENGTH:
        summary = summary[: SUMMARY_SMS_LENGTH - 3].rstrip() + "..."
    # The members get the commune's own version (French), whatever language the editor's
    # request or the worker happens to run in: the heading speaks the announcement's language.
    with override(settings.LANGUAGE_CODE):
        heading = mairie_of(commune_name)
    parts = [f"{heading} : {' '.join(title.split())}", summary, url]
    return to_gsm7("\n".join(part for part in parts if part))


@dataclass(frozen=True)
class AnnouncementEstimate:
    reach: dict[str, int]
    sms_requested: bool
    sms_reach: int  # who would get an SMS if staff asked for it
    segmentation: SmsSegmentation
    cost: Decimal  # of the SMS if asked for, in euros


def announcement_estimate(
    *, commune, title: str, summary: str, url: str, sms_requested: bool
) -> AnnouncementEstimate:
    """What publishing now would send, and what its SMS would cost (asked for or not)."""
    reach = announcement_reach(commune_id=commune.pk, by_sms=True)
    text = announcement_sms_text(commune_name=commune.name, title=title, summary=summary, url=url)
    segmentation = sms_segments(text)
    cost = (sms_price_per_segment() * reach[Channel.SMS] * segmentation.segments).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    shown = dict(reach)
    if not sms_requested:
        shown[Channel.SMS] = 0
    return AnnouncementEstimate(
        reach=shown,
        sms_requested=sms_requested,
        sms_reach=reach[Channel.SMS],
        segmentation=segmentation,
        cost=cost,
    )


def announcement_sms_refusal(*, commune, text: str) -> str | None:
    """Why the SMS of an announcement worded ``text`` may not go this month (None: they
    may): an announcement is never urgent, so its SMS are refused when their cost would take
    the month over the commune's SMS budget; e-mail and push go all the same."""
    if commune.sms_budget is None:
        return None
    recipients = announcement_reach(commune_id=commune.pk, by_sms=True)[Channel.SMS]
    cost = sms_cost_estimate(text=text, recipients=recipients).total
    return sms_budget_refusal(commune=commune, cost=cost)
