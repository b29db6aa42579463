"""The record of proof openings in the Wagtail admin: read-only, for the platform team only.

It names which moderators opened which applicants' proofs, across every commune: a mairie
has no need of the others' (and nobody may change or delete a row of an audit trail).
"""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from .models import ProofAccess


class ProofAccessViewSet(ModelViewSet):
    model = ProofAccess
    icon = "doc-full"
    menu_label = _("Justificatifs ouverts")
    menu_order = 9010
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    list_display = ["opened_at", "viewer", "commune", "membership_id", "proof_id"]
    list_filter = ["commune"]
    ordering = ["-opened_at"]
    list_per_page = 50
    # Never shown: there is no form, but ModelViewSet insists on knowing the fields.
    form_fields = ["membership_id"]

    def get_permissions_to_register(self):
        # Nothing to grant to groups: viewing is for superusers, changing for nobody.
        return Permission.objects.none()
