"""Each commune's gazette and its moderation workflow, for ``communities.provisioning``
(registered from ``GazetteConfig.ready``)."""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from communities.models import StaffRole
from communities.provisioning import CommuneStep, commune_step_register
from communities.services import staff_groups_ensure

from .models import GazetteIndexPage


def gazette_section_ensure(*, commune, created: bool = False) -> None:
    """Give the commune's home its gazette (communes created before it existed included),
    and the gazette its "gazette" workflow: residents' posts awaiting approval go to the
    commune's own moderators, never to another commune's."""
    home = commune.site.root_page
    index = GazetteIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(instance=GazetteIndexPage(title=_("Gazette"), slug="gazette"))
    moderators = staff_groups_ensure(commune=commune)[StaffRole.MODERATOR]
    # Approving a post publishes it: the moderators publish within the gazette only.
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=moderators,
            page=index,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    if WorkflowPage.objects.filter(page=index).exists():
        return
    label = f"{commune.name} ({commune.insee_code})"
    # Staff see these names in the admin whatever language the creator browsed in.
    with translation.override(settings.LANGUAGE_CODE):
        workflow_name = _("Gazette — %(commune)s") % {"commune": label}
        task_name = _("Modération de la gazette — %(commune)s") % {"commune": label}
    workflow = Workflow.objects.create(name=workflow_name)
    task = GroupApprovalTask.objects.create(name=task_name)
    task.groups.set([moderators])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=index)


def register() -> None:
    commune_step_register(CommuneStep(name="gazette", order=20, run=gazette_section_ensure))
