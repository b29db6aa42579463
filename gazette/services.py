"""Writes of the gazette: residents' posts and comments, their photos, moderation hand-off.

Views, the admin and the demo share these keyword-only functions. Every write checks the
same things whatever the door: the author's verified membership (or mairie role), the
categories they may use, an audience within their own commune, the absence-dates guard,
and photos that are really images, re-encoded without their metadata. A refused write
changes nothing (one transaction, photos prepared before anything is stored).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import magic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page, WorkflowState

from accounts.absence import absence_dates_refuse
from accounts.images import IMAGE_MAX_UPLOAD_BYTES, image_reencode
from communities.memberships import verified_membership
from communities.models import Commune, Community, ModerationPolicy, StaffRole
from communities.selectors import roles_in_commune
from moderation.suspensions import member_suspension_refuse

from .models import (
    CLASSIFIED_LIFETIME_DAYS,
    MAX_BODY,
    MAX_PHOTOS,
    RESIDENT_CATEGORIES,
    Comment,
    GazetteCategory,
    GazetteIndexPage,
    GazettePhoto,
    GazettePost,
)
from .provisioning import gazette_section_ensure

PHOTO_MAX_SIDE = 1600
PHOTO_SNIFFED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
MAX_TITLE = 120
MAX_COMMENT = 2000
MAX_ALT = 200
MAX_LIFETIME_DAYS = 365
# Staff who write in the commune's name may use the mairie's own category.
MAIRIE_WRITERS = {StaffRole.ADMINISTRATOR, StaffRole.EDITOR, StaffRole.MODERATOR}


class Audience:
    COMMUNITY = "community"
    COMMUNE = "commune"


@dataclass(frozen=True)
class PhotoUpload:
    file: object  # an UploadedFile
    alt_text: str = ""


@dataclass(frozen=True)
class Author:
    """Where ``user`` may publish: their commune, and the community they belong to (if any)."""

    commune: Commune
    community: Community | None
    is_staff: bool


def gazette_author_for(*, user, commune: Commune | None = None) -> Author | None:
    """The commune (and community) ``user`` may publish in, or None.

    Verified members publish in their own commune; the mairie's administrators, editors and
    moderators in theirs. ``commune``, when given (the site the form is on), must be it.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    membership = verified_membership(user=user)
    if membership is not None:
        own = membership.community.commune
        if commune is None or commune.pk == own.pk:
            return Author(commune=own, community=membership.community, is_staff=False)
    if commune is not None and roles_in_commune(user=user, commune=commune) & MAIRIE_WRITERS:
        return Author(commune=commune, community=None, is_staff=True)
    return None


def categories_for(*, author: Author) -> list[GazetteCategory]:
    return (
        [*RESIDENT_CATEGORIES, GazetteCategory.MAIRIE] if author.is_staff else RESIDENT_CATEGORIES
    )


def gazette_index_of(*, commune: Commune) -> GazetteIndexPage:
    return GazetteIndexPage.objects.descendant_of(commune.site.root_page).get()


def audience_communities_check(*, commune: Commune, communities) -> None:
    """Refuse a community of another commune among a post's targets (crafted forms)."""
    if any(community.commune_id != commune.pk for community in communities):
        raise ValidationError(
            {"communities": _("Choisissez uniquement des communautés de votre commune.")}
        )


def gazette_photo_prepare(upload: PhotoUpload) -> tuple[object, str]:
    """Sniff an uploaded photo, then re-encode it (≤ 1600 px JPEG, no EXIF).

    What the file says it is does not count: its first bytes must be a JPEG, PNG, WebP or
    GIF image, and Pillow must decode it whole.
    """
    uploaded = upload.file
    if uploaded.size and uploaded.size > IMAGE_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("« %(name)s » dépasse 10 Mo.") % {"name": uploaded.name}, code="too_big"
        )
    uploaded.seek(0)
    sniffed = magic.from_buffer(uploaded.read(2048), mime=True)
    uploaded.seek(0)
    if sniffed not in PHOTO_SNIFFED_TYPES:
        raise ValidationError(
            _("« %(name)s » n'est pas une photo : envoyez une image JPEG, PNG, WebP ou GIF.")
            % {"name": uploaded.name},
            code="bad_type",
        )
    try:
        content = image_reencode(uploaded, max_side=PHOTO_MAX_SIDE)
    except ValidationError as error:
        raise ValidationError(
            _("« %(name)s » : %(error)s") % {"name": uploaded.name, "error": error.messages[0]},
            code=error.code,
        ) from None
    alt = " ".join((upload.alt_text or "").split())
    if len(alt) > MAX_ALT:
        raise ValidationError(
            _("La description d'une photo dépasse %(max)d caractères.") % {"max": MAX_ALT}
        )
    return content, alt


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


def _prepare_photos(photos) -> list[tuple[object, str]]:
    prepared, errors = [], []
    for upload in photos:
        try:
            prepared.append(gazette_photo_prepare(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return prepared


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


def needs_approval(*, author: Author) -> bool:
    return not author.is_staff and author.commune.gazette_moderation_policy == ModerationPolicy.PRE


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
    prepared = _prepare_photos(photos)
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
    prepared = _prepare_photos(photos_add)
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
    _delete_files_on_commit(removed_files)
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
    _delete_files_on_commit(files)


def _delete_files_on_commit(names) -> None:
    storage = GazettePhoto._meta.get_field("file").storage
    names = [name for name in names if name]

    def delete():
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


# --- Comments ----------------------------------------------------------------------------------


def _clean_comment(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Écrivez votre commentaire.")})
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            {"text": _("Le commentaire dépasse %(max)d caractères.") % {"max": MAX_COMMENT}}
        )
    absence_dates_refuse(text, field="text")
    return text


def may_comment(*, user, post: GazettePost) -> bool:
    """Verified members of the commune and its staff, on a post they may read."""
    if gazette_author_for(user=user, commune=post.commune) is None and not (
        user.is_authenticated and roles_in_commune(user=user, commune=post.commune)
    ):
        return False
    return GazettePost.objects.visible_to(user).filter(pk=post.pk).exists()


@transaction.atomic
def comment_create(*, post: GazettePost, author, text: str) -> Comment:
    """A comment by a member who may read ``post`` (PermissionDenied otherwise: 404)."""
    if not may_comment(user=author, post=post):
        raise PermissionDenied(_("Vous ne pouvez pas commenter cette publication."))
    member_suspension_refuse(user=author, commune=post.commune)
    return Comment.objects.create(post=post, author=author, text=_clean_comment(text))


def _own_comment(*, comment: Comment, by) -> Comment:
    if not by.is_authenticated or comment.author_id != by.pk:
        raise PermissionDenied(_("Vous ne pouvez modifier que vos propres commentaires."))
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, by, text: str) -> Comment:
    _own_comment(comment=comment, by=by)
    member_suspension_refuse(user=by, commune=comment.post.commune)
    comment.text = _clean_comment(text)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by) -> None:
    _own_comment(comment=comment, by=by)
    comment.delete()


# --- Moderation --------------------------------------------------------------------------------


def gazette_content_hide(*, content, by, note: str = "") -> None:
    """Upholding a report: the post or comment disappears for everyone (kept for the record)."""
    now = timezone.now()
    type(content).objects.filter(pk=content.pk, hidden_at=None).update(hidden_at=now)
    content.hidden_at = content.hidden_at or now


def gazette_workflow_decision_notify(*, workflow_state: WorkflowState, approved: bool) -> None:
    """Tell a resident, in their language, that a moderator approved or sent back their post.

    Wired to Wagtail's ``workflow_approved`` / ``workflow_rejected`` signals; the e-mail
    leaves after commit, so a decision rolled back tells nobody anything.
    """
    from .notifications import workflow_decision_send

    post_id = int(workflow_state.object_id)
    if not GazettePost.objects.filter(pk=post_id, author__isnull=False).exists():
        return
    state_id = workflow_state.pk
    transaction.on_commit(
        lambda: workflow_decision_send(
            post_id=post_id, workflow_state_id=state_id, approved=approved
        )
    )
