"""Account settings (``/compte/``): profile, notifications, language, community, GDPR rights.

Thin views: each validates a form and calls one service. Every page but the privacy notice
needs a signed-in member and only ever touches that member's own data.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communities.form_refusals import form_refusal_show
from communities.memberships import (
    PENDING_LIFETIME,
    active_membership,
    membership_change_community,
    membership_leave,
    neighbour_register,
    verified_membership,
)
from communities.models import Community, Membership
from communities.selectors import commune_for_request

from .gdpr import account_erase, account_export_archive
from .member_language import in_member_language
from .models import ConsentRecord
from .profiles import (
    language_set,
    notification_preferences_update,
    profile_for,
    profile_update,
)
from .settings_forms import (
    ChangeCommunityForm,
    EraseAccountForm,
    LanguageForm,
    NeighbourRegistrationForm,
    NotificationsForm,
    ProfileForm,
)


def _render(request, template, context, *, section, status=200):
    return render(
        request, f"account_settings/{template}", {"section": section, **context}, status=status
    )


@in_member_language
@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = profile_for(user=request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        profile_update(
            user=request.user,
            photo=form.cleaned_data["photo_upload"],
            remove_photo=form.cleaned_data["remove_photo"],
            **values,
        )
        messages.success(request, _("Votre profil est enregistré."))
        return redirect("account_settings:profile")
    return _render(
        request,
        "profile.html",
        {"form": form, "profile": profile, "membership": active_membership(user=request.user)},
        section="profile",
        status=400 if form.errors else 200,
    )


@in_member_language
@login_required
@require_GET
def own_photo(request):
    """The member's own photo, for the settings page (whatever its visibility)."""
    profile = profile_for(user=request.user)
    if not profile.photo:
        raise Http404
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@in_member_language
@login_required
@require_http_methods(["GET", "POST"])
def notifications_edit(request):
    profile = profile_for(user=request.user)
    form = NotificationsForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        return redirect("account_settings:notifications")
    consents = ConsentRecord.objects.filter(user=request.user).order_by("-recorded_at")[:20]
    return _render(
        request,
        "notifications.html",
        {"form": form, "consents": consents},
        section="notifications",
        status=400 if form.errors else 200,
    )


@in_member_language
@login_required
@require_http_methods(["GET", "POST"])
def language_edit(request):
    form = LanguageForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        language_set(user=request.user, language=language)
        translation.activate(language)
        messages.success(request, _("La langue est enregistrée."))
        response = redirect("account_settings:language")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return _render(
        request,
        "language.html",
        {"form": form},
        section="language",
        status=400 if form.errors else 200,
    )


def _communities_to_join(request, membership):
    """Communities the member may move to: those of their own commune only."""
    commune = membership.commune if membership else None
    if commune is None:
        last = (
            Membership.objects.filter(user=request.user)
            .select_related("community__commune")
            .order_by("-requested_at")
            .first()
        )
        commune = last.commune if last else commune_for_request(request=request)
    if commune is None:
        return Community.objects.none()
    communities = Community.objects.filter(commune=commune)
    if membership is not None:
        communities = communities.exclude(pk=membership.community_id)
    return communities


@in_member_language
@login_required
@require_http_methods(["GET", "POST"])
def community_edit(request):
    membership = active_membership(user=request.user)
    communities = _communities_to_join(request, membership)
    form = ChangeCommunityForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            membership_change_community(
                user=request.user,
                community=form.cleaned_data["community"],
                address=form.cleaned_data["address"],
                proof_file=form.cleaned_data["proof"],
            )
        except ValidationError as error:
            form_refusal_show(form=form, error=error)
        else:
            messages.success(
                request,
                _(
                    "Votre demande est envoyée. Un modérateur va vérifier votre nouvelle adresse ; "
                    "vous serez prévenu de sa décision."
                ),
            )
            return redirect("account_settings:community")
    history = (
        Membership.objects.filter(user=request.user)
        .select_related("community__commune")
        .order_by("-requested_at")
    )
    return _render(
        request,
        "community.html",
        {
            "form": form,
            "membership": membership,
            "history": history,
            "can_change": communities.exists(),
            "pending_days": PENDING_LIFETIME.days,
        },
        section="community",
        status=400 if form.errors else 200,
    )


@in_member_language
@login_required
@require_http_methods(["GET", "POST"])
def community_leave(request):
    membership = active_membership(user=request.user)
    if membership is None:
        messages.info(request, _("Vous n'êtes membre d'aucune communauté."))
        return redirect("account_settings:community")
    if request.method == "POST":
        membership_leave(membership=membership)
        messages.success(
            request,
            _("Vous avez quitté %(community)s.") % {"community": membership.community.name},
        )
        return redirect("account_settings:community")
    return _render(request, "leave.html", {"membership": membership}, section="community")


@in_member_language
@login_required
@require_http_methods(["GET", "POST"])
def neighbour_add(request):
    """A verified resident registers an elderly neighbour who will take part by SMS alone."""
    membership = verified_membership(user=request.user)
    form = NeighbourRegistrationForm(request.POST or None)
    if membership is not None and request.method == "POST" and form.is_valid():
        try:
            neighbour_register(
                sponsor=request.user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                phone=form.cleaned_data["phone"],
                address=form.cleaned_data["address"],
            )
        except (ValidationError, PermissionDenied) as error:
            form_refusal_show(form=form, error=error)
        else:
            messages.success(
                request,
                _(
                    "Votre voisin va recevoir un SMS. Dès qu'il aura répondu OUI, un modérateur "
                    "validera son inscription."
                ),
            )
            return redirect("account_settings:neighbour")
    sponsored = Membership.objects.filter(sponsor=request.user).select_related("user")
    return _render(
        request,
        "neighbour.html",
        {"form": form, "membership": membership, "sponsored": sponsored},
        section="neighbour",
        status=400 if form.errors else 200,
    )


@in_member_language
@login_required
@require_GET
def data_export(request):
    """ "Télécharger mes données": a ZIP of data.json and the member's own files."""
    archive = account_export_archive(user=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    filename = f"voisinage-mes-donnees-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@in_member_language
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """ "Supprimer mon compte": erasure at once, after confirmation (and password, if any)."""
    form = EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if user.is_superuser:
            # The platform team's accounts are removed by another member of the team.
            raise PermissionDenied
        logout(request)
        account_erase(user=user)
        messages.success(
            request, _("Votre compte et vos données personnelles ont été supprimés. Au revoir !")
        )
        return redirect("/")
    return _render(
        request,
        "erase.html",
        {"form": form},
        section="erase",
        status=400 if form.errors else 200,
    )


@in_member_language
@require_GET
def privacy_notice(request):
    """The privacy page: public, what is kept, why, how long, who sees what, rights."""
    return render(
        request,
        "account_settings/privacy.html",
        {
            "pending_days": PENDING_LIFETIME.days,
            "export_url": reverse("account_settings:export"),
            "erase_url": reverse("account_settings:erase"),
        },
    )
