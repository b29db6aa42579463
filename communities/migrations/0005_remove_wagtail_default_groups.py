"""Remove Wagtail's default "Editors" and "Moderators" groups.

Wagtail's initial data gives them page rights from the root of the page tree and media
rights on the root collection, that is on every commune at once: anyone put in one of them
would edit, publish and read the drafts of every commune. Mairie staff hold their rights
through the per-commune groups that ``commune_create`` makes, so these two have no use.

Wagtail's default "Moderators approval" workflow, set on the root page, hands every page of
every commune to the "Moderators" group: once that group is gone nobody in a commune could
act on it, so the workflows reviewed only by these groups are deactivated as Wagtail does it
(in-progress reviews cancelled, no longer assigned to any page).
"""

from django.db import migrations
from django.utils import timezone

DEFAULT_GROUPS = ["Editors", "Moderators"]


def remove_default_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Task = apps.get_model("wagtailcore", "Task")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")

    defaults = Group.objects.filter(name__in=DEFAULT_GROUPS)
    orphan_tasks = [
        task.pk
        for task in GroupApprovalTask.objects.filter(groups__in=defaults).distinct()
        if not task.groups.exclude(name__in=DEFAULT_GROUPS).exists()
    ]
    workflows = [
        workflow.pk
        for workflow in Workflow.objects.filter(workflow_tasks__task__in=orphan_tasks).distinct()
        if not workflow.workflow_tasks.exclude(task__in=orphan_tasks).exists()
    ]
    now = timezone.now()
    TaskState.objects.filter(task__in=orphan_tasks, status="in_progress").update(
        status="cancelled", finished_at=now
    )
    WorkflowState.objects.filter(
        workflow__in=workflows, status__in=["in_progress", "needs_changes"]
    ).update(status="cancelled")
    WorkflowPage.objects.filter(workflow__in=workflows).delete()
    WorkflowContentType.objects.filter(workflow__in=workflows).delete()
    Workflow.objects.filter(pk__in=workflows).update(active=False)
    Task.objects.filter(pk__in=orphan_tasks).update(active=False)
    defaults.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0004_commune_gazette_moderation_policy"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0002_initial_data"),
        ("wagtaildocs", "0002_initial_data"),
    ]

    operations = [
        migrations.RunPython(remove_default_groups, migrations.RunPython.noop),
    ]
