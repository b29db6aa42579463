"""Front-end views of the gazette that are not pages: publishing, comments, reports, photos.

Thin: each reads through the selectors (a post or comment the member may not read answers
404) and writes through one service, whose refusals are shown on the form.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.commune_site import commune_site_view
from communities.form_refusals import form_refusal_show
from communities.pagination import page_of
from moderation.reportables import report_create

from . import services
from .forms import CommentForm, PostForm, ReportForm
from .models import GazettePost
from .selectors import comment_visible_to, photo_visible_to, posts_authored_by

MY_POSTS_PAGE_SIZE = 20
# What the services name differently from the forms; photo errors go at the top of the form.
FORM_FIELDS = {"photos": None, "expires_at": "expires_on", "communities": "audience"}


@require_GET
@cache_control(private=True, max_age=3600)
def photo(request, pk: int):
    """A post's photo, for those who may read the post; 404 for everyone else."""
    found = photo_visible_to(viewer=request.user, photo_id=pk)
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _gazette_url(request, commune) -> str:
    index = services.gazette_index_of(commune=commune)
    return index.get_url(request)


# --- Posts -------------------------------------------------------------------------------------


def _post_form(request, *, author, post=None):
    categories = [(c.value, c.label) for c in services.categories_for(author=author)]
    existing = list(post.photos.all()) if post is not None else []
    initial = {}
    if post is not None:
        initial = {
            "category": post.category,
            "title": post.title,
            "body": post.body,
            "audience": services.Audience.COMMUNE
            if not post.communities.all()
            else services.Audience.COMMUNITY,
            "expires_on": timezone.localtime(post.expires_at).date() if post.expires_at else None,
        }
    return PostForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        categories=categories,
        community=author.community,
        existing_photos=existing,
    )


def _published_message(request, post) -> None:
    messages.success(request, services.post_published_notice(post=post))


@require_http_methods(["GET", "POST"])
@commune_site_view
def post_create(request, commune):
    author = services.gazette_author_for(user=request.user, commune=commune)
    if author is None:
        return TemplateResponse(
            request, "gazette/cannot_post.html", {"commune": commune}, status=403
        )
    form = _post_form(request, author=author)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.gazette_post_create(
                author=request.user,
                commune=commune,
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                audience=form.cleaned_data["audience"],
                expires_at=form.expires_at(),
                photos=form.photos(),
            )
        except (ValidationError, PermissionDenied) as error:
            form_refusal_show(form=form, error=error, fields=FORM_FIELDS)
        else:
            _published_message(request, post)
            return redirect(post.get_url(request) if post.live else "gazette_publish:mine")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "gazette/post_form.html",
        {
            "form": form,
            "commune": commune,
            "author": author,
            "needs_approval": services.needs_approval(author=author),
            "gazette_url": _gazette_url(request, commune),
        },
        status=status,
    )


def _own_post_or_404(request, commune, pk) -> GazettePost:
    return get_object_or_404(posts_authored_by(user=request.user, commune=commune), pk=pk)


@require_http_methods(["GET", "POST"])
@commune_site_view
def post_edit(request, commune, pk):
    post = _own_post_or_404(request, commune, pk)
    author = services.gazette_author_for(user=request.user, commune=commune)
    if author is None:
        raise Http404
    form = _post_form(request, author=author, post=post)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.gazette_post_update(
                post=post,
                by=request.user,
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                audience=form.cleaned_data["audience"],
                expires_at=form.expires_at(),
                photos_add=form.photos(),
                photos_remove=form.cleaned_data.get("remove_photos") or [],
            )
        except (ValidationError, PermissionDenied) as error:
            form_refusal_show(form=form, error=error, fields=FORM_FIELDS)
        else:
            _published_message(request, post)
            return redirect(post.get_url(request) if post.live else "gazette_publish:mine")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "gazette/post_form.html",
        {
            "form": form,
            "post": post,
            "commune": commune,
            "author": author,
            "needs_approval": services.needs_approval(author=author),
            "gazette_url": _gazette_url(request, commune),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@commune_site_view
def post_delete(request, commune, pk):
    post = _own_post_or_404(request, commune, pk)
    if request.method == "POST":
        services.gazette_post_delete(post=post, by=request.user)
        messages.success(request, _("Votre publication est supprimée."))
        return redirect("gazette_publish:mine")
    return render(request, "gazette/post_confirm_delete.html", {"post": post, "commune": commune})


@require_GET
@commune_site_view
def my_posts(request, commune):
    posts = page_of(
        request=request,
        items=posts_authored_by(user=request.user, commune=commune),
        per_page=MY_POSTS_PAGE_SIZE,
    )
    return render(
        request,
        "gazette/my_posts.html",
        {
            "posts": posts,
            "commune": commune,
            "now": timezone.now(),
            "can_post": services.gazette_author_for(user=request.user, commune=commune) is not None,
            "gazette_url": _gazette_url(request, commune),
        },
    )


def _visible_post_or_404(request, commune, pk) -> GazettePost:
    return get_object_or_404(
        GazettePost.objects.visible_to(request.user).filter(commune=commune), pk=pk
    )


def _render_post(request, post, *, forms, status):
    """The post's page again, with the form that was refused and its errors."""
    context = post.get_context(request)
    context.update(forms)
    return TemplateResponse(request, post.get_template(request), context, status=status)


# --- Comments ----------------------------------------------------------------------------------


@require_POST
@commune_site_view
def comment_create(request, commune, pk):
    post = _visible_post_or_404(request, commune, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                post=post, author=request.user, text=form.cleaned_data["text"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_refusal_show(form=form, error=error, fields=FORM_FIELDS)
        else:
            messages.success(request, _("Votre commentaire est publié."))
            return redirect(f"{post.get_url(request)}#commentaire-{comment.pk}")
    return _render_post(request, post, forms={"comment_form": form}, status=400)


def _own_comment_or_404(request, commune, pk):
    comment = comment_visible_to(viewer=request.user, comment_id=pk)
    if comment is None or comment.author_id != request.user.pk:
        raise Http404
    if comment.post.commune_id != commune.pk:
        raise Http404
    return comment


@require_http_methods(["GET", "POST"])
@commune_site_view
def comment_edit(request, commune, pk):
    comment = _own_comment_or_404(request, commune, pk)
    form = CommentForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment, by=request.user, text=form.cleaned_data["text"]
            )
        except (ValidationError, PermissionDenied) as error:
            form_refusal_show(form=form, error=error, fields=FORM_FIELDS)
        else:
            messages.success(request, _("Votre commentaire est modifié."))
            return redirect(f"{comment.post.get_url(request)}#commentaire-{comment.pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "gazette/comment_form.html",
        {"form": form, "comment": comment, "commune": commune},
        status=status,
    )


@require_POST
@commune_site_view
def comment_delete(request, commune, pk):
    comment = _own_comment_or_404(request, commune, pk)
    post = comment.post
    services.comment_delete(comment=comment, by=request.user)
    messages.success(request, _("Votre commentaire est supprimé."))
    return redirect(f"{post.get_url(request)}#commentaires")


# --- Reports -----------------------------------------------------------------------------------


def _report(request, *, content, post, prefix):
    form = ReportForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            report_create(
                content=content, reporter=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_refusal_show(form=form, error=error, fields=FORM_FIELDS)
        else:
            messages.success(
                request, _("Merci : votre signalement est transmis aux modérateurs de la mairie.")
            )
            return redirect(post.get_url(request))
    return _render_post(request, post, forms={f"{prefix}_form": form}, status=400)


@require_POST
@commune_site_view
def post_report(request, commune, pk):
    post = _visible_post_or_404(request, commune, pk)
    return _report(request, content=post, post=post, prefix="report")


@require_POST
@commune_site_view
def comment_report(request, commune, pk):
    comment = comment_visible_to(viewer=request.user, comment_id=pk)
    if comment is None or comment.post.commune_id != commune.pk:
        raise Http404
    post = comment.post.specific
    form = ReportForm(request.POST, prefix=f"report-comment-{comment.pk}")
    if form.is_valid():
        try:
            report_create(
                content=comment, reporter=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{post.get_url(request)}#commentaire-{comment.pk}")
        messages.success(
            request, _("Merci : votre signalement est transmis aux modérateurs de la mairie.")
        )
    return redirect(f"{post.get_url(request)}#commentaire-{comment.pk}")
