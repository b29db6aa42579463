"""Reads of the reports queue: reported items of the communes a moderator moderates.

Reports are grouped per reported item (one line per alert, post, comment or message, with
every reason given), newest report first. A moderator only ever sees reports of the
communes where they hold the moderator role (every commune for the platform team), and
of each item only its summary as its ``Reportable`` describes it: never the content
around it (a reported message shows that message, not the conversation).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Commune, StaffRole
from communities.selectors import communes_where

from .models import ModerationAction, ModerationActionKind, Report, ReportStatus
from .reportables import Reportable, reportable_for

QUEUE_REPORTS_LIMIT = 500


@dataclass
class ReportedItem:
    """One reported item and its reports, as the queue and its detail show it."""

    content_type: ContentType
    object_id: int
    commune: Commune
    reports: list[Report] = field(default_factory=list)
    content: object | None = None
    reportable: Reportable | None = None

    @property
    def open_reports(self) -> list[Report]:
        return [report for report in self.reports if report.status == ReportStatus.OPEN]

    @property
    def latest_at(self) -> datetime:
        return max(report.created_at for report in self.reports)

    @property
    def exists(self) -> bool:
        return self.content is not None

    @property
    def actionable(self) -> bool:
        """Whether hiding and acting on the author are possible (the item and its kind
        are known); dismissing always is."""
        return self.content is not None and self.reportable is not None

    @property
    def author(self):
        if not self.actionable:
            return None
        return self.reportable.author_of(self.content)

    @property
    def summary(self) -> dict:
        if self.reportable is None or self.content is None:
            return {
                "kind": self.content_type.name,
                "title": _("Contenu supprimé depuis le signalement"),
                "text": "",
                "url": "",
            }
        return self.reportable.summary(self.content)


def moderated_communes(*, user) -> QuerySet[Commune]:
    """Communes whose reports ``user`` handles: where they are moderator (all: platform)."""
    return communes_where(user=user, role=StaffRole.MODERATOR)


def reports_moderated_by(*, user) -> QuerySet[Report]:
    """Every report ``user`` may read, in their communes only."""
    return Report.objects.filter(commune__in=moderated_communes(user=user))


def _attach_contents(items: list[ReportedItem]) -> None:
    """Fetch the reported objects, one query per kind of content."""
    by_type: dict[int, list[ReportedItem]] = {}
    for item in items:
        by_type.setdefault(item.content_type.pk, []).append(item)
    for group in by_type.values():
        content_type = group[0].content_type
        model = content_type.model_class()
        if model is None:
            continue
        reportable = reportable_for(model)
        queryset = model._default_manager.all()
        if reportable is not None and reportable.queue_queryset is not None:
            queryset = reportable.queue_queryset(queryset)
        found = queryset.in_bulk([item.object_id for item in group])
        for item in group:
            item.reportable = reportable
            item.content = found.get(item.object_id)


def _grouped(reports) -> list[ReportedItem]:
    items: dict[tuple[int, int], ReportedItem] = {}
    for report in reports:
        key = (report.content_type_id, report.object_id)
        if key not in items:
            items[key] = ReportedItem(
                content_type=report.content_type,
                object_id=report.object_id,
                commune=report.commune,
            )
        items[key].reports.append(report)
    return list(items.values())


def reported_items_for(*, user, commune: Commune | None = None) -> list[ReportedItem]:
    """Items with open reports that ``user`` moderates, the most recently reported first.

    Each item carries its open reports (all reasons given); ``commune`` narrows the queue
    to one of the user's communes. A fixed number of queries whatever the queue's length.
    """
    reports = reports_moderated_by(user=user).filter(status=ReportStatus.OPEN)
    if commune is not None:
        reports = reports.filter(commune=commune)
    reports = reports.select_related("reporter", "commune__site", "content_type").order_by(
        "-created_at", "-pk"
    )
    items = _grouped(reports[:QUEUE_REPORTS_LIMIT])
    _attach_contents(items)
    return items


def reported_item_for(*, user, content_type_id: int, object_id: int) -> ReportedItem | None:
    """One reported item with all its reports, open and closed; None when ``user`` does
    not moderate it (or it was never reported): answer 404."""
    reports = list(
        reports_moderated_by(user=user)
        .filter(content_type_id=content_type_id, object_id=object_id)
        .select_related("reporter", "handled_by", "commune__site", "content_type")
        .order_by("-created_at", "-pk")
    )
    if not reports:
        return None
    item = _grouped(reports)[0]
    _attach_contents([item])
    return item


def actions_on(*, item: ReportedItem) -> QuerySet[ModerationAction]:
    """What moderators did about this item and its author because of it, newest first."""
    return ModerationAction.objects.filter(
        commune=item.commune, content_type=item.content_type, object_id=item.object_id
    ).select_related("actor", "author")


def open_reports_count(*, user) -> int:
    """How many reported items wait for ``user`` (for the menu)."""
    return (
        reports_moderated_by(user=user)
        .filter(status=ReportStatus.OPEN)
        .values("content_type_id", "object_id")
        .distinct()
        .count()
    )


def suspensions_in_force(*, user) -> QuerySet[ModerationAction]:
    """Suspensions still running in the communes ``user`` moderates, ending soonest first."""
    return (
        ModerationAction.objects.filter(
            commune__in=moderated_communes(user=user),
            kind=ModerationActionKind.SUSPEND,
            suspended_until__gt=timezone.now(),
        )
        .select_related("author", "actor", "commune")
        .order_by("suspended_until", "pk")
    )
