"""E-mails to authors about their gazette posts: the moderators' decisions.

Each is a ``notifications.Notice`` by e-mail: the outbox sends it, retries it and records
what became of it.
"""

from django.template.loader import render_to_string
from django.utils import translation
from wagtail.models import TaskState, WorkflowState

from accounts.member_language import member_language
from notifications.models import Channel
from notifications.notices import notice_send

from .models import GazettePost


def workflow_decision_send(*, post_id: int, workflow_state_id: int, approved: bool) -> bool:
    """Write the author's e-mail about the moderators' decision on their post (it leaves
    after commit); False when they have no e-mail.

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
    notice_send(
        user=author,
        kind="gazette_decision",
        subject=subject,
        text=body,
        channels=(Channel.EMAIL,),
        url=context["post_url"] or context["my_posts_url"],
    )
    return True
