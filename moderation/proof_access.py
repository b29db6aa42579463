"""Opening a proof of address: always through here, always written down.

A proof of address shows where someone lives and often more (a bill's amounts, a tax
notice). Moderators may open it while the registration waits; each opening leaves a
``ProofAccess`` row, which outlives the proof itself.
"""

from communities.models import Membership, ProofOfAddress

from .models import ProofAccess


def proof_open(*, membership: Membership, viewer) -> tuple[ProofOfAddress, object] | None:
    """The proof of ``membership`` and its file opened for reading, or None if it is gone.

    The caller has checked that ``viewer`` may decide this registration. The opening is
    recorded (who, when, which membership and proof) before any byte is handed over.
    """
    proof = ProofOfAddress.objects.filter(membership=membership).first()
    if proof is None:
        return None
    try:
        handle = proof.file.open("rb")
    except FileNotFoundError:
        return None
    ProofAccess.objects.create(
        membership_id=membership.pk,
        proof_id=proof.pk,
        commune_id=membership.community.commune_id,
        viewer=viewer,
    )
    return proof, handle
