"""A member's memberships in their GDPR export and erasure (``accounts.gdpr``'s registry).

Export: each membership (address, status, decision) with its pending proof of address as a
file, the neighbours they registered, and the registration decisions they made as a
moderator. Erasure: memberships and proofs go with the user row (CASCADE), the proofs'
files from storage; a neighbour they sponsored, or a request they decided, keeps its
decision without their name (SET_NULL). The commune's admin history keeps the staff
member's id alone, like Wagtail's own logs.
"""

from accounts.gdpr import (
    ExportPart,
    GdprSection,
    export_row,
    file_in_archive,
    gdpr_section_register,
    jsonable,
)

from .models import Membership, ProofOfAddress


def memberships_export(*, user) -> ExportPart:
    memberships, files = [], []
    for membership in user.memberships.select_related("community__commune", "sponsor").order_by(
        "requested_at"
    ):
        row = export_row(membership, exclude=("user", "decided_by", "sponsor")) | {
            "community": membership.community.name,
            "commune": membership.commune.name,
            "sponsor": membership.sponsor.get_full_name() if membership.sponsor else None,
            "proof": None,
        }
        proof = ProofOfAddress.objects.filter(membership=membership).first()
        if proof is not None:
            archive_name = file_in_archive(proof.file, f"justificatif-{membership.pk}")
            row["proof"] = export_row(proof, exclude=("id", "membership")) | {"file": archive_name}
            if archive_name:
                files.append((archive_name, proof.file))
        memberships.append(row)
    sponsored = Membership.objects.filter(sponsor=user).select_related("user", "community")
    return ExportPart(
        data={
            "memberships": memberships,
            "neighbours_registered": [
                {
                    "name": membership.user.get_full_name(),
                    "community": membership.community.name,
                    "status": membership.status,
                    "requested_at": jsonable(membership.requested_at),
                }
                for membership in sponsored
            ],
            "registration_decisions_made": [
                {
                    "membership": membership.pk,
                    "status": membership.status,
                    "decided_at": jsonable(membership.decided_at),
                    "reason": membership.decision_reason,
                }
                for membership in Membership.objects.filter(decided_by=user)
            ],
        },
        files=tuple(files),
    )


def memberships_erase(*, user) -> list[tuple[object, str]]:
    """The proofs' files, deleted from storage once their rows are gone."""
    return [
        (proof.file.storage, proof.file.name)
        for proof in ProofOfAddress.objects.filter(membership__user=user)
        if proof.file
    ]


def register() -> None:
    gdpr_section_register(
        GdprSection(
            name="memberships",
            covers=("communities.Membership", "communities.CommuneLogEntry"),
            export=memberships_export,
            erase=memberships_erase,
        )
    )
