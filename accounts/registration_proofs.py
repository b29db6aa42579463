"""A proof of address kept between two attempts at the registration form.

A resident who chose their proof and mistyped their phone number must not choose the file
again: once the proof passed its checks, it is kept in the private storage (re-encoded, as
stored proofs are) under a random name that only their session knows, and the form says it
was received. It is deleted as soon as the registration completes, and a day after it was
received at the latest (``registration_proofs_purge``): like every proof, it does not
outlive its use.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from communities.proofs import ALLOWED_TYPES, proof_prepare

SESSION_KEY = "registration_proof"
FOLDER = "registration-proofs"
KEPT_FOR = timedelta(days=1)


@dataclass(frozen=True)
class KeptProof:
    path: str
    name: str  # the name of the file the resident chose, shown back to them


def _storage():
    return storages["private"]


def _shown_name(uploaded_name: str) -> str:
    name = get_valid_filename((uploaded_name or "").rsplit("/", 1)[-1]) if uploaded_name else ""
    return (name or "justificatif")[:80]


def registration_proof_kept(*, session) -> KeptProof | None:
    """The proof this session's visitor sent at an earlier attempt, if it is still there."""
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    path, name = entry.get("path", ""), entry.get("name", "")
    if not path.startswith(f"{FOLDER}/") or not _storage().exists(path):
        session.pop(SESSION_KEY, None)
        return None
    return KeptProof(path=path, name=name)


def registration_proof_keep(*, session, uploaded) -> KeptProof:
    """Keep ``uploaded`` (already checked) for the next attempt, replacing an earlier one."""
    registration_proof_forget(session=session)
    content, content_type = proof_prepare(uploaded)
    name = f"{FOLDER}/{secrets.token_hex(16)}{ALLOWED_TYPES[content_type]}"
    path = _storage().save(name, content)
    kept = KeptProof(path=path, name=_shown_name(uploaded.name))
    session[SESSION_KEY] = {"path": kept.path, "name": kept.name}
    return kept


def registration_proof_open(*, kept: KeptProof):
    """The kept file, opened, to be handed to the registration like an upload."""
    return _storage().open(kept.path, "rb")


def registration_proof_forget(*, session) -> None:
    """Delete the session's kept proof (registration done, or a new file chosen)."""
    entry = session.pop(SESSION_KEY, None)
    if isinstance(entry, dict) and str(entry.get("path", "")).startswith(f"{FOLDER}/"):
        _storage().delete(entry["path"])


def registration_proof_release(*, session) -> None:
    """The registration used the kept proof (or a new one): forget it now, and delete its
    file once the registration is committed (a registration that rolls back leaves it to
    ``registration_proofs_purge``)."""
    entry = session.pop(SESSION_KEY, None)
    if isinstance(entry, dict) and str(entry.get("path", "")).startswith(f"{FOLDER}/"):
        path = entry["path"]
        transaction.on_commit(lambda: _storage().delete(path))


def registration_proofs_purge(*, now=None) -> int:
    """Delete kept proofs received more than a day ago (forms abandoned). Returns the count."""
    storage = _storage()
    limit = (now or timezone.now()) - KEPT_FOR
    try:
        _, files = storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        if storage.get_modified_time(path) <= limit:
            storage.delete(path)
            deleted += 1
    return deleted
