"""Messaging pages under /messages/: thin views over ``messaging.services`` and selectors.

Every conversation URL starts from the signed-in member's own participation: anybody else
(another neighbour, staff, moderators, the platform team) gets 404, as if it did not exist.
New messages appear without a reload through ``…/nouveaux/?apres=<id>`` (short polling by
static/js/messaging.js); without JavaScript, a reload shows them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.member_language import in_member_language
from accounts.profiles import members_visible_to
from communities.contact_reasons import contact_reason
from communities.form_refusals import form_refusal_show
from communities.viewer import viewer_facts
from moderation.reportables import report_create, reported_by

from .forms import ConversationForm, MessageForm, ReportForm
from .inbox import conversations_of_cached
from .models import Block, Message, Participant
from .permissions import messaging_membership, sms_only_q
from .selectors import (
    conversation_title,
    message_author_label,
    message_reportable,
    messages_of,
    other_participants,
    participation_for,
    reply_refusal,
)
from .services import (
    blockable_by,
    conversation_archive,
    conversation_leave,
    conversation_read,
    conversation_start,
    member_block,
    member_unblock,
    message_send,
    recipients_pickable,
)


def _participation(request, pk) -> Participant:
    try:
        return participation_for(user=request.user, conversation_id=pk)
    except Participant.DoesNotExist:
        raise Http404 from None


def _errors_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@in_member_language
@require_GET
@login_required
def conversation_list(request, archived=False):
    membership = messaging_membership(user=request.user, facts=viewer_facts(request=request))
    return render(
        request,
        "messaging/conversation_list.html",
        {
            "rows": conversations_of_cached(user=request.user, archived=archived),
            "archived": archived,
            "can_start": membership is not None,
        },
    )


def _sms_only_neighbours(*, author, community) -> int:
    return (
        members_visible_to(viewer=author, community=community)
        .filter(sms_only_q())
        .exclude(pk=author.pk)
        .count()
    )


@in_member_language
@require_http_methods(["GET", "POST"])
@login_required
def conversation_new(request):
    membership = messaging_membership(user=request.user)
    if membership is None:
        return render(request, "messaging/cannot_write.html", status=403)
    # What the conversation is about (a gazette post…) may open a door beyond the community.
    about = (request.POST if request.method == "POST" else request.GET).get("au_sujet_de", "")
    reason = contact_reason(viewer=request.user, about=about) if about else None
    if reason is None:
        about = ""
    pickable = recipients_pickable(author=request.user, about=about)
    if reason is not None:
        # Writing to a post's author: only them to choose.
        pickable = pickable.filter(pk__in=reason.recipients.values("pk"))
    if request.method == "POST":
        form = ConversationForm(request.POST, pickable=pickable)
        if form.is_valid():
            data = form.cleaned_data
            try:
                conversation = conversation_start(
                    author=request.user,
                    recipients=list(data["recipients"]),
                    text=data["text"],
                    subject=data["subject"],
                    about=about,
                )
            except ValidationError as error:
                form_refusal_show(form=form, error=error)
            else:
                messages.success(request, _("Votre message est envoyé."))
                return redirect("messaging:conversation", pk=conversation.pk)
        status = 400
    else:
        initial = [pk for pk in request.GET.getlist("a") if pk.isdigit()]
        form = ConversationForm(
            pickable=pickable,
            initial={
                "recipients": list(pickable.filter(pk__in=initial).values_list("pk", flat=True)),
                "subject": reason.subject if reason else "",
            },
        )
        status = 200
    return render(
        request,
        "messaging/conversation_new.html",
        {
            "form": form,
            "about": about,
            "community": membership.community,
            "sms_only_count": _sms_only_neighbours(
                author=request.user, community=membership.community
            ),
            "nobody": not pickable.exists(),
        },
        status=status,
    )


def _message_items(request, conversation, items) -> list[dict]:
    return [
        {
            "message": message,
            "author": message_author_label(message=message, conversation=conversation),
            "mine": message.author_id == request.user.pk,
        }
        for message in items
    ]


def _render_messages(request, conversation, items) -> str:
    return "".join(
        render_to_string(
            "messaging/_message.html", {"item": item, "conversation": conversation}, request
        )
        for item in _message_items(request, conversation, items)
    )


@in_member_language
@require_http_methods(["GET", "POST"])
@login_required
def conversation_detail(request, pk):
    participant = _participation(request, pk)
    conversation = participant.conversation
    form = MessageForm()
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        error = None
        if form.is_valid():
            try:
                message = message_send(
                    conversation=conversation, author=request.user, text=form.cleaned_data["text"]
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as refused:
                error = refused
                form_refusal_show(form=form, error=refused)
            else:
                if _wants_json(request):
                    return JsonResponse({"ok": True, "id": message.pk})
                return redirect(
                    reverse("messaging:conversation", args=[conversation.pk])
                    + f"#message-{message.pk}"
                )
        if _wants_json(request):
            errors = _errors_of(error) if error else [e for es in form.errors.values() for e in es]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        status = 400
    others = other_participants(participant=participant)
    items = messages_of(conversation=conversation, user=request.user)
    conversation_read(participant=participant)
    cannot_reply = reply_refusal(participant=participant, others=others)
    blocked = Block.objects.filter(blocker=request.user).values_list("blocked_id", flat=True)
    return render(
        request,
        "messaging/conversation_detail.html",
        {
            "conversation": conversation,
            "participant": participant,
            "title": conversation_title(
                conversation=conversation, others=[p for p in others if not p.for_mairie]
            ),
            "others": [p for p in others if not p.for_mairie],
            "items": _message_items(request, conversation, items),
            "last_id": items[-1].pk if items else 0,
            "form": form,
            "can_reply": not cannot_reply,
            "cannot_reply": cannot_reply,
            "blocked_ids": set(blocked),
        },
        status=status,
    )


@in_member_language
@require_GET
@login_required
def conversation_poll(request, pk):
    """New messages after ``apres`` as rendered HTML, for the page's short polling."""
    participant = _participation(request, pk)
    after = request.GET.get("apres", "0")
    if not after.isdigit():
        return JsonResponse({"errors": [_("Paramètre « apres » invalide.")]}, status=400)
    conversation = participant.conversation
    items = messages_of(conversation=conversation, user=request.user, after=int(after))
    if items:
        conversation_read(participant=participant)
    response = JsonResponse(
        {
            "last": items[-1].pk if items else int(after),
            "count": len(items),
            "html": _render_messages(request, conversation, items),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@in_member_language
@require_POST
@login_required
def conversation_archive_toggle(request, pk):
    participant = _participation(request, pk)
    archived = request.POST.get("archiver") != "0"
    conversation_archive(participant=participant, archived=archived)
    if archived:
        messages.success(request, _("Conversation archivée : un nouveau message la fera revenir."))
        return redirect("messaging:list")
    messages.success(request, _("Conversation remise dans vos messages."))
    return redirect("messaging:conversation", pk=pk)


@in_member_language
@require_http_methods(["GET", "POST"])
@login_required
def conversation_leave_confirm(request, pk):
    participant = _participation(request, pk)
    if request.method == "POST":
        conversation_leave(participant=participant)
        messages.success(request, _("Vous avez quitté la conversation."))
        return redirect("messaging:list")
    return render(
        request,
        "messaging/conversation_leave.html",
        {"conversation": participant.conversation, "participant": participant},
    )


@in_member_language
@require_http_methods(["GET", "POST"])
@login_required
def message_report(request, pk, message_pk):
    participant = _participation(request, pk)
    conversation = participant.conversation
    try:
        message = message_reportable(participant=participant, message_id=message_pk)
    except Message.DoesNotExist:
        raise Http404 from None
    already = reported_by(content=message, user=request.user)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and not already:
        if form.is_valid():
            try:
                report_create(
                    content=message, reporter=request.user, reason=form.cleaned_data["reason"]
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                form_refusal_show(form=form, error=error)
            else:
                messages.success(
                    request, _("Merci : les modérateurs de la mairie vont examiner ce message.")
                )
                return redirect("messaging:conversation", pk=conversation.pk)
        status = 400
    return render(
        request,
        "messaging/message_report.html",
        {
            "conversation": conversation,
            "item": _message_items(request, conversation, [message])[0],
            "form": form,
            "already": already,
        },
        status=status,
    )


@in_member_language
@require_GET
@login_required
def block_list(request):
    blocks = Block.objects.filter(blocker=request.user).select_related("blocked")
    return render(request, "messaging/block_list.html", {"blocks": blocks})


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@in_member_language
@require_POST
@login_required
def block(request, user_pk):
    blocked = get_object_or_404(blockable_by(user=request.user), pk=user_pk)
    member_block(blocker=request.user, blocked=blocked)
    messages.success(
        request,
        _("%(name)s ne peut plus vous écrire, et vous ne pouvez plus lui écrire.")
        % {"name": blocked.get_full_name()},
    )
    return redirect(_next_url(request, reverse("messaging:blocks")))


@in_member_language
@require_POST
@login_required
def unblock(request, user_pk):
    block = get_object_or_404(Block, blocker=request.user, blocked_id=user_pk)
    member_unblock(blocker=request.user, blocked=block.blocked)
    messages.success(request, _("%(name)s est débloqué.") % {"name": block.blocked.get_full_name()})
    return redirect(_next_url(request, reverse("messaging:blocks")))
