"""The registrations queue: moderators see their own communities' applicants and decide.

A moderator of one commune asking for another's registration or proof gets a 404, as if
it did not exist; the services check the same rule again before any decision.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.member_language import in_member_language
from communities.memberships import (
    PENDING_LIFETIME,
    can_moderate_membership,
    membership_approve,
    membership_reject,
    pending_memberships_for,
)
from communities.models import PROOF_EXTENSIONS, MembershipStatus, ProofOfAddress

from .forms import ApproveForm, RejectForm
from .permissions import memberships_reviewable_by, moderates_registrations
from .proof_access import proof_open

RECENT_DECISIONS = 20


def moderator_required(view):
    """Signed in, and deciding registrations of at least one community; else 404."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not moderates_registrations(user=request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _reviewable(request, pk):
    membership = get_object_or_404(memberships_reviewable_by(user=request.user), pk=pk)
    if not can_moderate_membership(user=request.user, membership=membership):
        raise Http404
    return membership


@in_member_language
@require_GET
@moderator_required
def registration_queue(request):
    pending = list(pending_memberships_for(moderator=request.user))
    decided = (
        memberships_reviewable_by(user=request.user)
        .exclude(status=MembershipStatus.PENDING)
        .filter(decided_at__isnull=False)
        .order_by("-decided_at")[:RECENT_DECISIONS]
    )
    return render(
        request,
        "moderation/queue.html",
        {
            "pending": pending,
            "decided": decided,
            "expires_after_days": PENDING_LIFETIME.days,
        },
    )


def _detail(request, membership, *, approve_form=None, reject_form=None, status=200):
    try:
        proof = membership.proof
    except ProofOfAddress.DoesNotExist:
        proof = None
    return render(
        request,
        "moderation/detail.html",
        {
            "membership": membership,
            "applicant": membership.user,
            "proof": proof,
            "proof_is_image": proof is not None and proof.content_type.startswith("image/"),
            "is_pending": membership.status == MembershipStatus.PENDING,
            "awaits_sms_answer": bool(membership.sponsor_id) and not membership.sms_confirmed_at,
            "expires_at": membership.requested_at + PENDING_LIFETIME,
            "approve_form": approve_form or ApproveForm(prefix="approve"),
            "reject_form": reject_form or RejectForm(prefix="reject"),
        },
        status=status,
    )


@in_member_language
@require_GET
@moderator_required
def registration_detail(request, pk):
    return _detail(request, _reviewable(request, pk))


@in_member_language
@require_GET
@moderator_required
def registration_proof(request, pk):
    """The proof of address, for the moderators of its community only; never cached.

    Always a download: whatever a file holds, the browser never renders it as a page of
    ours. Each opening is recorded (``proof_open``).
    """
    membership = _reviewable(request, pk)
    opened = proof_open(membership=membership, viewer=request.user)
    if opened is None:
        raise Http404
    proof, handle = opened
    extension = PROOF_EXTENSIONS.get(proof.content_type, ".bin")
    response = FileResponse(
        handle,
        content_type=proof.content_type,
        as_attachment=True,
        filename=f"justificatif-{membership.pk}{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _decide(request, pk, *, form_class, prefix, decide, done_message):
    """Validate the decision form, call the service, and say what happened.

    Both decisions share this path so that they refuse and report alike: another commune's
    registration is a 404, an invalid form re-renders the detail page, a refusal by the
    service (already decided, no OUI yet) comes back as a message.
    """
    membership = _reviewable(request, pk)
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        return _detail(request, membership, **{f"{prefix}_form": form}, status=400)
    try:
        decide(membership=membership, by=request.user, reason=form.cleaned_data["reason"])
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("moderation:detail", pk=membership.pk)
    messages.success(request, done_message(membership))
    return redirect("moderation:queue")


@in_member_language
@require_POST
@moderator_required
def registration_approve(request, pk):
    return _decide(
        request,
        pk,
        form_class=ApproveForm,
        prefix="approve",
        decide=membership_approve,
        done_message=lambda membership: (
            _("Inscription de %(name)s validée le %(date)s. Son justificatif est supprimé.")
            % {
                "name": membership.user.get_full_name(),
                "date": timezone.localtime().strftime("%d/%m/%Y"),
            }
        ),
    )


@in_member_language
@require_POST
@moderator_required
def registration_reject(request, pk):
    return _decide(
        request,
        pk,
        form_class=RejectForm,
        prefix="reject",
        decide=membership_reject,
        done_message=lambda membership: (
            _(
                "Inscription de %(name)s refusée. Le motif lui est envoyé ; "
                "son justificatif est supprimé."
            )
            % {"name": membership.user.get_full_name()}
        ),
    )
