"""The gazette over the API: ``gazette.selectors``, the gazette's one visibility rule."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from gazette.models import MAX_BODY, MAX_PHOTOS, GazetteCategory, GazettePost
from gazette.selectors import (
    comment_visible_to,
    comments_for,
    gazette_posts_for,
    photo_visible_to,
    posts_authored_by,
)
from gazette.services import (
    MAX_TITLE,
    Audience,
    PhotoUpload,
    comment_create,
    expiry_of_day,
    gazette_post_create,
    gazette_post_delete,
    gazette_post_update,
    post_published_notice,
)
from moderation.reportables import report_create

from .alerts import ReportIn, reported_notice
from .listing import DEFAULT_LIMIT, PageInfo, listed_response
from .problems import Done, Problem
from .scope import request_commune

router = Router(tags=["Gazette"])

Category = Literal[tuple(GazetteCategory.values)]


class Photo(Schema):
    id: int
    url: str
    alt_text: str
    width: int
    height: int


class PostOut(Schema):
    id: int
    title: str
    category: str
    category_label: str
    body: str
    author: str
    commune_id: int
    communities: list[str]
    photos: list[Photo]
    published_at: datetime | None
    expires_at: datetime | None
    url: str


class CommentOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime
    edited_at: datetime | None


class PostDetailOut(PostOut):
    comments: list[CommentOut]


class PostList(Schema):
    items: list[PostOut]
    page: PageInfo


class PostWrittenOut(PostOut):
    live: bool = Field(..., description="Faux tant que la mairie relit la publication.")
    detail: str


class PostIn(Schema):
    """The site's publishing form, field for field; the gazette's services decide."""

    category: Category
    title: str = ""
    body: str = ""
    audience: Literal[Audience.COMMUNITY, Audience.COMMUNE] = Audience.COMMUNITY
    expires_on: date | None = Field(None, description="Retirer automatiquement ce jour-là.")
    photo_alts: list[str] = Field(
        [], description="La description de chaque photo envoyée, dans leur ordre."
    )


class PostEditIn(PostIn):
    remove_photos: list[int] = Field([], description="Les photos à retirer (leur `id`).")


class CommentIn(Schema):
    text: str


def _name(user) -> str:
    # As the gazette's pages name people: full name, "ancien membre" once erased.
    return user.get_full_name() if user is not None else _("ancien membre")


def _post_data(post: GazettePost, request) -> dict:
    return {
        "id": post.pk,
        "title": post.title,
        "category": post.category,
        "category_label": post.get_category_display(),
        "body": post.body,
        "author": _name(post.author),
        "commune_id": post.commune_id,
        "communities": [community.name for community in post.communities.all()],
        "photos": [
            {
                "id": photo.pk,
                "url": reverse("api-1:gazette_photo", kwargs={"photo_id": photo.pk}),
                "alt_text": photo.alt_text,
                "width": photo.width,
                "height": photo.height,
            }
            for photo in post.photos.all()
        ],
        "published_at": post.first_published_at,
        "expires_at": post.expires_at,
        "url": post.get_url(request) or "",
    }


def _posts(request, category=None):
    return gazette_posts_for(
        viewer=request.auth, commune=request_commune(request), category=category
    )


@router.get(
    "/",
    response={200: PostList, 304: None},
    summary="Gazette des voisins",
    description=(
        "Les annonces que le membre peut lire, les plus récentes d'abord, filtrables par "
        "catégorie. Pagination par curseur ; `ETag` et `If-None-Match` comme pour les alertes."
    ),
)
def gazette_list(
    request,
    category: Category | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=50),
):
    return listed_response(
        request,
        _posts(request, category),
        schema=PostList,
        item=lambda post: _post_data(post, request),
        cursor=cursor,
        limit=limit,
        date_field="first_published_at",
    )


@router.get(
    "/{int:post_id}",
    response={200: PostDetailOut, 404: Problem},
    summary="Une annonce, avec ses commentaires",
)
def gazette_detail(request, post_id: int):
    post = get_object_or_404(_posts(request), pk=post_id)
    return {
        **_post_data(post, request),
        "comments": [
            {
                "id": comment.pk,
                "author": _name(comment.author),
                "text": comment.text,
                "created_at": comment.created_at,
                "edited_at": comment.edited_at,
            }
            for comment in comments_for(viewer=request.auth, post=post)
        ],
    }


@router.get(
    "/photos/{int:photo_id}",
    response={200: None, 404: Problem},
    url_name="gazette_photo",
    summary="Photo d'une annonce (JPEG)",
)
def gazette_photo(request, photo_id: int):
    photo = photo_visible_to(viewer=request.auth, photo_id=photo_id)
    if photo is None:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Writes: the site's forms, through the same services ---------------------------------------

# What the services name differently from this API's fields (as the site's forms do).
FIELDS = {"expires_at": "expires_on", "communities": "audience"}
PHOTOS_DESCRIPTION = (
    f"Jusqu'à {MAX_PHOTOS} photos par publication (JPEG, PNG, WebP ou GIF, 10 Mo au plus "
    "chacune), ré-encodées sans leurs métadonnées."
)


def _fields_renamed(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {FIELDS.get(field, field): messages for field, messages in error.message_dict.items()}
    )


def _uploads(payload: PostIn, photos) -> list[PhotoUpload]:
    alts = payload.photo_alts
    return [
        PhotoUpload(file=upload, alt_text=alts[index] if index < len(alts) else "")
        for index, upload in enumerate(photos or [])
    ]


def _written(request, post: GazettePost) -> dict:
    post = get_object_or_404(posts_authored_by(user=request.auth, commune=None), pk=post.pk)
    return {
        **_post_data(post, request),
        "live": post.live,
        "detail": post_published_notice(post=post),
    }


def _own_post_or_404(request, post_id: int) -> GazettePost:
    """The member's own post (drafts included); anyone else's answers 404, as on the site."""
    own = posts_authored_by(user=request.auth, commune=request_commune(request))
    return get_object_or_404(own, pk=post_id)


@router.post(
    "/",
    response={201: PostWrittenOut, 403: Problem, 422: Problem},
    summary="Publier dans la gazette",
    description=(
        "Le formulaire « Publier » du site (`multipart/form-data`), avec les mêmes règles : "
        f"membres vérifiés de la commune et mairie, catégories proposées, titre de {MAX_TITLE} "
        f"caractères et texte de {MAX_BODY} au plus, à sa communauté ou à toute la commune, "
        "pas de dates d'absence. " + PHOTOS_DESCRIPTION + " Là où la mairie relit les "
        "publications, `live` est faux jusqu'à sa décision."
    ),
)
def gazette_create(request, payload: Form[PostIn], photos: File[list[UploadedFile]] = None):
    try:
        post = gazette_post_create(
            author=request.auth,
            commune=request_commune(request),
            category=payload.category,
            title=payload.title,
            body=payload.body,
            audience=payload.audience,
            expires_at=expiry_of_day(payload.expires_on),
            photos=_uploads(payload, photos),
        )
    except ValidationError as error:
        raise _fields_renamed(error) from None
    return Status(201, _written(request, post))


# A POST, as the site's edit form: Django reads multipart bodies (photos) on POST only.
@router.post(
    "/{int:post_id}",
    response={200: PostWrittenOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Modifier sa publication",
    description=(
        "L'auteur seulement, avec les règles de la création (`multipart/form-data` : les "
        "champs de la publication, les photos à ajouter, `remove_photos` celles à retirer). "
        "Là où la mairie relit les publications, la publication modifiée attend sa décision."
    ),
)
def gazette_edit(
    request,
    post_id: int,
    payload: Form[PostEditIn],
    photos: File[list[UploadedFile]] = None,
):
    post = _own_post_or_404(request, post_id)
    try:
        post = gazette_post_update(
            post=post,
            by=request.auth,
            category=payload.category,
            title=payload.title,
            body=payload.body,
            audience=payload.audience,
            expires_at=expiry_of_day(payload.expires_on),
            photos_add=_uploads(payload, photos),
            photos_remove=payload.remove_photos,
        )
    except ValidationError as error:
        raise _fields_renamed(error) from None
    return _written(request, post)


@router.delete(
    "/{int:post_id}",
    response={204: None, 404: Problem},
    summary="Supprimer sa publication",
    description="L'auteur seulement : la publication, ses commentaires et ses photos.",
)
def gazette_delete(request, post_id: int):
    gazette_post_delete(post=_own_post_or_404(request, post_id), by=request.auth)
    return Status(204, None)


@router.post(
    "/{int:post_id}/comments",
    response={201: CommentOut, 404: Problem, 422: Problem},
    summary="Commenter une publication",
    description=(
        "Les membres vérifiés de la commune et la mairie, sur une publication qu'ils lisent ; "
        "2 000 caractères au plus."
    ),
)
def gazette_comment(request, post_id: int, payload: CommentIn):
    post = get_object_or_404(_posts(request), pk=post_id)
    try:
        comment = comment_create(post=post, author=request.auth, text=payload.text)
    except PermissionDenied as error:
        # As on the site: whoever may not comment is not told the post exists.
        raise Http404 from error
    return Status(
        201,
        {
            "id": comment.pk,
            "author": _name(comment.author),
            "text": comment.text,
            "created_at": comment.created_at,
            "edited_at": comment.edited_at,
        },
    )


def _report(request, *, content, reason: str):
    """The site's one report service: refused for what the member cannot read (404), their
    own content, an empty reason and a second report."""
    try:
        report_create(content=content, reporter=request.auth, reason=reason)
    except PermissionDenied as error:
        raise Http404 from error
    return Status(201, {"detail": reported_notice()})


@router.post(
    "/{int:post_id}/report",
    response={201: Done, 404: Problem, 422: Problem},
    summary="Signaler une publication à la modération",
)
def gazette_report(request, post_id: int, payload: ReportIn):
    post = get_object_or_404(_posts(request), pk=post_id)
    return _report(request, content=post, reason=payload.reason)


@router.post(
    "/comments/{int:comment_id}/report",
    response={201: Done, 404: Problem, 422: Problem},
    summary="Signaler un commentaire à la modération",
)
def gazette_comment_report(request, comment_id: int, payload: ReportIn):
    comment = comment_visible_to(viewer=request.auth, comment_id=comment_id)
    commune = request_commune(request)
    if comment is None or (commune is not None and comment.post.commune_id != commune.pk):
        raise Http404
    return _report(request, content=comment, reason=payload.reason)
