"""The gazette over the API: ``gazette.selectors``, the gazette's one visibility rule."""

from datetime import datetime
from typing import Literal

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gazette.models import GazetteCategory, GazettePost
from gazette.selectors import comments_for, gazette_posts_for, photo_visible_to

from .listing import DEFAULT_LIMIT, PageInfo, cursor_page, etag_response
from .problems import Problem
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
    rows, next_cursor = cursor_page(
        _posts(request, category), cursor=cursor, limit=limit, date_field="first_published_at"
    )
    data = PostList(
        items=[_post_data(post, request) for post in rows],
        page={"next_cursor": next_cursor, "limit": limit},
    )
    return etag_response(request, data.model_dump(mode="json"))


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
