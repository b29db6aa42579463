"""Residents' (and the mairie's) posts: create, edit, delete, published at once or submitted
to the commune's gazette workflow."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page, WorkflowState

from accounts.absence import absence_dates_refuse
from communities.models import Commune, Community
from moderation.suspensions import member_suspension_refuse

from ..models import (
    CLASSIFIED_LIFETIME_DAYS,
    MAX_BODY,
    MAX_PHOTOS,
    GazetteCategory,
    GazettePhoto,
    GazettePost,
)
from ..provisioning import gazette_section_ensure
from .authors import Author, categories_for, gazette_author_for, gazette_index_of, needs_approval
from .photos import photo_files_delete_on_commit, photos_prepare

MAX_TITLE = 120
MAX_LIFETIME_DAYS = 365


class Audience:
    COMMUNITY = "community"
    COMMUNE = "commune"


def expiry_of_day(day: date | None) -> datetime | None:
    """A post asked to leave the gazette on ``day`` leaves at the end of it (local time)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def post_published_notice(*, post: GazettePost) -> str:
    """What the author is told once their post is saved: in the gazette, or awaiting the
    mairie's approval (pre-moderation)."""
    if post.live:
        return _("Votre publication est dans la gazette.")
    return _(
        "Merci ! La mairie relit les publications avant de les mettre en ligne : "
        "vous recevrez un e-mail dès qu'elle aura décidé."
    )


def audience_communities_check(*, commune: Commune, communities) -> None:
    """Refuse a community of another commune among a post's targets (crafted forms)."""
    if any(community.commune_id != commune.pk for community in communities):
        raise ValidationError(
            {"communities": _("Choisissez uniquement des communautés de votre commune.")}
        )


def _clean_post(
    *,
    author: Author,
    category: str,
    title: str,
    body: str,
    audience: str,
    expires_at: datetime | None,
    photos_count: int,
) -> tuple[str, str, list[Community], datetime | None]:
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if category not in {c.value for c in categories_for(author=author)}:
        errors["category"] = [_("Choisissez une des catégories proposées.")]
    if not title:
        errors["title"] = [_("Donnez un titre à votre publication.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("Le titre dépasse %(max)d caractères.") % {"max": MAX_TITLE}]
    if not body:
        errors["body"] = [_("Écrivez le texte de votre publication.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("Le texte dépasse %(max)d caractères.") % {"max": MAX_BODY}]
    if audience == Audience.COMMUNITY and author.community is not None:
        communities = [author.community]
    elif audience == Audience.COMMUNE:
        communities = []
    else:
        communities = []
        errors["audience"] = [_("Choisissez à qui s'adresse votre publication.")]
    now = timezone.now()
    if expires_at is not None:
        if expires_at <= now:
            errors["expires_at"] = [_("La date d'expiration doit être dans le futur.")]
        elif expires_at > now + timedelta(days=MAX_LIFETIME_DAYS):
            errors["expires_at"] = [_("Une publication expire au plus tard dans un an.")]
    elif category == GazetteCategory.CLASSIFIED:
        expires_at = now + timedelta(days=CLASSIFIED_LIFETIME_DAYS)
    if photos_count > MAX_PHOTOS:
        errors["photos"] = [_("%(max)d photos au plus par publication.") % {"max": MAX_PHOTOS}]
    try:
        absence_dates_refuse(title, body, field="body")
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return title, body, communities, expires_at


def _unique_slug(index: Page, title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title) or "publication")[:60].strip("-") or "publication"
    siblings = Page.objects.child_of(index)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    taken = set(siblings.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, counter = base, 1
    while slug in taken:
        counter += 1
        slug = f"{base}-{counter}"
    return slug


def _publish_or_submit(*, post: GazettePost, author: Author, by) -> None:
    """Publish at once, or submit to the commune's "gazette" workflow (pre-moderation)."""
    revision = post.save_revision(user=by, log_action=True)
    if not needs_approval(author=author):
        # The service has checked the author: residents hold no Wagtail page permission.
        revision.publish(user=by, skip_permission_checks=True)
        return
    current = post.current_workflow_state
    if current is not None:
        current.cancel(user=by)
    workflow = post.get_workflow()
    if workflow is None:
        # A commune without its workflow (created before it existed): never publish unseen.
        gazette_section_ensure(commune=author.commune)
        workflow = post.get_workflow()
    _silence_wagtail_author_emails(user=by)
    workflow.start(post, by)


def _silence_wagtail_author_emails(*, user) -> None:
    """Residents hear of decisions through our own e-mail, which links to the site.

    Wagtail's own approval and rejection e-mails link to the admin, which residents cannot
    enter; sending both would also tell them twice.
    """
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    if profile.approved_notifications or profile.rejected_notifications:
        profile.approved_notifications = False
        profile.rejected_notifications = False
        profile.save(update_fields=["approved_notifications", "rejected_notifications"])


@transaction.atomic
def gazette_post_create(
    *,
    author,
    category: str,
    title: str,
    body: str,
    audience: str = Audience.COMMUNITY,
    expires_at: datetime | None = None,
    photos=(),
    commune: Commune | None = None,
) -> GazettePost:
    """A resident's (or the mairie's) post, in the commune's gazette.

    Published at once, or saved as a draft and submitted to the commune's "gazette"
    workflow when the commune requires approval of residents' posts. Refused with field
    errors (nothing stored) for an empty or over-long title or text, a category not
    offered, an audience outside the author's community, a past expiry, more than four
    photos or a file that is not a photo, and a text saying when a home will be empty.
    """
    who = gazette_author_for(user=author, commune=commune)
    if who is None:
        raise PermissionDenied(_("Seuls les membres vérifiés de la commune publient ici."))
    member_suspension_refuse(user=author, commune=who.commune)
    photos = list(photos)
    title, body, communities, expires_at = _clean_post(
        author=who,
        category=category,
        title=title,
        body=body,
        audience=audience,
        expires_at=expires_at,
        photos_count=len(photos),
    )
    prepared = photos_prepare(photos)
    index = gazette_index_of(commune=who.commune)
    post = GazettePost(
        title=title,
        slug=_unique_slug(index, title),
        category=category,
        body=body,
        author=author,
        owner=author,
        expires_at=expires_at,
        live=not needs_approval(author=who),
        from_mairie=who.is_staff,
    )
    post.communities = communities
    post.photos = [
        GazettePhoto(file=content, alt_text=alt, sort_order=i)
        for i, (content, alt) in enumerate(prepared)
    ]
    index.add_child(instance=post)
    _publish_or_submit(post=post, author=who, by=author)
    return post


def _own_post(*, post: GazettePost, by) -> Author:
    if not by.is_authenticated or post.author_id != by.pk:
        raise PermissionDenied(_("Vous ne pouvez modifier que vos propres publications."))
    who = gazette_author_for(user=by, commune=post.commune)
    if who is None:
        raise PermissionDenied(_("Seuls les membres vérifiés de la commune publient ici."))
    member_suspension_refuse(user=by, commune=post.commune)
    return who


@transaction.atomic
def gazette_post_update(
    *,
    post: GazettePost,
    by,
    category: str,
    title: str,
    body: str,
    audience: str,
    expires_at: datetime | None = None,
    photos_add=(),
    photos_remove=(),
) -> GazettePost:
    """The author's edit of their post: same checks as creation.

    Where the commune requires approval, the edited post leaves the gazette until a
    moderator approves it again (what neighbours read has always been reviewed).
    """
    post = GazettePost.objects.select_for_update().get(pk=post.pk)
    who = _own_post(post=post, by=by)
    remove = {int(pk) for pk in photos_remove}
    kept = [photo for photo in post.photos.all() if photo.pk not in remove]
    photos_add = list(photos_add)
    title, body, communities, expires_at = _clean_post(
        author=who,
        category=category,
        title=title,
        body=body,
        audience=audience,
        expires_at=expires_at,
        photos_count=len(kept) + len(photos_add),
    )
    prepared = photos_prepare(photos_add)
    removed_files = [photo.file.name for photo in post.photos.all() if photo.pk in remove]
    post.title = title
    post.category = category
    post.body = body
    post.expires_at = expires_at
    post.communities = communities
    post.photos = [
        *kept,
        *(
            GazettePhoto(file=content, alt_text=alt, sort_order=len(kept) + i)
            for i, (content, alt) in enumerate(prepared)
        ),
    ]
    if needs_approval(author=who):
        post.live = False
    post.save()
    _publish_or_submit(post=post, author=who, by=by)
    photo_files_delete_on_commit(removed_files)
    return post


@transaction.atomic
def gazette_post_delete(*, post: GazettePost, by) -> None:
    """The author deletes their post, its comments and its photos (files included)."""
    post = GazettePost.objects.select_for_update().get(pk=post.pk)
    if not by.is_authenticated or post.author_id != by.pk:
        raise PermissionDenied(_("Vous ne pouvez supprimer que vos propres publications."))
    files = [photo.file.name for photo in post.photos.all()]
    for state in WorkflowState.objects.for_instance(post).active():
        state.cancel(user=by)
    post.delete()
    photo_files_delete_on_commit(files)
