"""E-mails to authors about their gazette posts: the moderators' decisions."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.models import TaskState, WorkflowState

from accounts.member_language import member_language

from .models import GazettePost


def workflow_decision_send(*, post_id: int, workflow_state_id: int, approved: bool) -> bool:
    """Send the author the moderators' decision on their post; False when they have no e-mail.

    The e-mail links to the post on the commune's site (approved) or to "Mes publications"
    (changes requested), never to the admin, and carries the moderator's comment.
    """
    post = GazettePost.objects.select_related("author", "commune").filter(pk=post_id).first()
    state = WorkflowState.objects.filter(pk=workflow_state_id).first()
    if post is None or state is None or post.author is None or not post.author.email:
        return False
    author = post.author
    last_task = (
        TaskState.objects.filter(workflow_state=state)
        .exclude(finished_at=None)
        .order_by("-finished_at", "-pk")
        .first()
    )
    site_root = post.commune.site.root_url
    context = {
        "author": author,
        "post": post,
        "commune": post.commune,
        "approved": approved,
        "comment": (last_task.comment if last_task else "") or "",
        "post_url": f"{site_root}{post.url}" if approved else "",
        "my_posts_url": f"{site_root}/publier/mes-publications/",
    }
    with translation.override(member_language(author)):
        subject = render_to_string("gazette/emails/decision_subject.txt", context).strip()
        body = render_to_string("gazette/emails/decision.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [author.email])
    return True
