"""The dashboard's figures, read once per change whoever watches.

Every open dashboard polls the figures every ``POLL_SECONDS``; they are read from the
database once per change, then served from the cache (Redis in production) to every staff
member watching. Three mechanisms keep them fresh:

- a version per commune, bumped after commit when an alert is written or acted on (its
  ``AlertEvent``: posted, taken in charge, closed, moderated), a membership is saved
  (registration, decision) or a report or moderation action is recorded: the next poll
  reads the new figures at once;
- the outbox's tallies' generation (``notifications.tallies.tallies_generation``), for
  delivery outcomes, which the outbox writes in bulk (``UPDATE`` of many rows, no
  ``post_save``): every poll asks for the tallies to be counted, at most every
  ``TALLIES_EVERY_SECONDS`` (in the background; every minute anyway), and a count of any
  open message moves the generation on, so outcomes show within that time and one poll.
  A view never counts deliveries itself;
- a lifetime of ``FIGURES_TTL_SECONDS``, for the rest, which changes without a signal and
  matters less by the second: the gazette's and the messages' 30-day counts, the waits'
  ages, a budget changed by the platform team.

The figures used to be read again every 3 seconds: with polls every 5 seconds, nearly every
poll of a lone watcher read them from the database. Their HTML (tables, SVG charts) is
rendered once per read of the figures for each kind of viewer (``figures_rendered``), then
served from the cache too: rendering it cost more than reading the figures.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from communities.models import Commune
from notifications.tallies import tallies_generation
from notifications.tasks import tallies_refresh_soon

from . import figures

FIGURES_TTL_SECONDS = 30
POLL_SECONDS = 5
TALLIES_EVERY_SECONDS = 10


def _version_key(commune_id: int) -> str:
    return f"dashboard:version:{commune_id}"


def figures_version(*, commune_id: int) -> int:
    """The version of ``commune_id``'s figures: caches of what the dashboard shows are keyed
    on it, so that a bump makes them all stale at once."""
    return cache.get(_version_key(commune_id), 0)


def figures_version_bump(*, commune_id: int) -> None:
    """Make the next poll of ``commune_id``'s dashboard read the database again."""
    key = _version_key(commune_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


@dataclass
class Figures:
    commune_id: int
    now: datetime
    members: figures.Members
    registrations: figures.Registrations
    alerts: figures.Alerts
    channels: figures.Channels
    moderation: figures.Queue
    reports: figures.Queue
    activity: figures.Activity
    sms: figures.SmsBudget
    most_active: list
    least_active: list
    community_rows: list
    communities_left_out: int
    police: figures.Police


def figures_compute(*, commune: Commune, now: datetime) -> Figures:
    """Every figure of ``commune``'s dashboard, read from the database (a fixed number of
    queries, whatever the data: see ``dashboard.figures``)."""
    members = figures.members(commune=commune, now=now)
    alerts = figures.alerts(commune=commune, now=now)
    most, least = figures.communities_by_activity(members=members, alerts=alerts)
    rows, left_out = figures.community_rows(members=members, alerts=alerts)
    return Figures(
        commune_id=commune.pk,
        now=now,
        members=members,
        registrations=figures.registrations(commune=commune, now=now),
        alerts=alerts,
        channels=figures.channels(commune=commune, now=now),
        moderation=figures.moderation_queue(commune=commune, now=now),
        reports=figures.open_reports(commune=commune, now=now),
        activity=figures.gazette_and_messaging(commune=commune, now=now),
        sms=figures.sms_spend(commune=commune, now=now),
        most_active=most,
        least_active=least,
        community_rows=rows,
        communities_left_out=left_out,
        police=figures.police(commune=commune, now=now),
    )


def _figures_key(commune_id: int) -> str:
    """The cache key of ``commune_id``'s current figures. Asked at every poll, it first has
    the tallies counted if they were not lately (without a broker, in this request): the
    figures read after a count that changed the generation are new."""
    tallies_refresh_soon(within=TALLIES_EVERY_SECONDS)
    version = figures_version(commune_id=commune_id)
    return f"dashboard:figures:{commune_id}:{version}:{tallies_generation()}"


def figures_for(*, commune: Commune) -> Figures:
    """``commune``'s figures, read after its last alert, registration or moderation change
    and the tallies' last count, at most ``FIGURES_TTL_SECONDS`` ago."""
    key = _figures_key(commune.pk)
    cached = cache.get(key)
    if cached is None:
        cached = figures_compute(commune=commune, now=timezone.now())
        # The stamp names this read of the figures for their HTML (``figures_rendered``),
        # without loading the figures themselves.
        cache.set_many(
            {key: cached, f"{key}:at": cached.now.isoformat()}, timeout=FIGURES_TTL_SECONDS
        )
    return cached


def _html_key(*, commune_id: int, stamp: str, template_name: str, viewer: dict) -> str:
    flags = ",".join(f"{name}={int(bool(value))}" for name, value in sorted(viewer.items()))
    return ":".join(
        (
            "dashboard:html",
            str(commune_id),
            stamp,
            template_name,
            flags,
            get_language() or "",
            timezone.get_current_timezone_name(),
        )
    )


def figures_rendered(
    *,
    commune: Commune,
    template_name: str,
    viewer: dict[str, bool],
    context: Callable[[Figures], dict],
) -> SafeString:
    """``template_name`` rendered with ``commune``'s current figures for one kind of viewer,
    once whoever watches: every open dashboard polls every few seconds, and rendering the
    tables and SVG charts (and even loading the figures from the cache) cost more than the
    rest of a poll.

    ``viewer`` says everything of the viewer the HTML depends on (exact small counts or
    "< 5", links to the moderation screens, the police's section); with the language and
    the time zone it is part of the key, so a moderator never gets an administrator's exact
    counts. ``context`` builds what the template needs from the figures, and is called only
    when nothing is cached. The HTML is keyed on the read of the figures it shows (their
    stamp): a bump of the version or of the tallies' generation, or the end of the figures'
    lifetime, leads to a new read, hence to new HTML.
    """
    stamp = cache.get(f"{_figures_key(commune.pk)}:at")
    if stamp is not None:
        html = cache.get(
            _html_key(
                commune_id=commune.pk, stamp=stamp, template_name=template_name, viewer=viewer
            )
        )
        if html is not None:
            return mark_safe(html)  # noqa: S308 (rendered by our template, escaped there)
    figures = figures_for(commune=commune)
    html = render_to_string(template_name, context(figures))
    key = _html_key(
        commune_id=commune.pk,
        stamp=figures.now.isoformat(),
        template_name=template_name,
        viewer=viewer,
    )
    cache.set(key, html, timeout=FIGURES_TTL_SECONDS)
    return html
