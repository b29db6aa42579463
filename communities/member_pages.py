"""Whole members' pages from the shared cache, shared by the readers who see the same page.

An alert's SMS sends a community's members to one page within minutes. Rendering it for each
of them costs tens of milliseconds of CPU; serving the same HTML to every member of that
community who reads it the same way costs a cache read. ``member_page_cached`` does that for a
view of ``commune_site_view`` (after sign-in, the charter, the staff rules and the member's
language, which every request still goes through):

- The key holds the host, the path and query, the language, and what the reader may see:
  their verified community, their membership's status and role (``communities.viewer``),
  whether this device has push notifications, and what the view adds (``variant``: e.g.
  whether this reader reported the alert). Staff of any commune and the platform team are
  never served from it nor stored into it, nor is any reader with a message pending.
- A view stores its answer only when it says so (``member_page_share``) for a 200 without
  cookies, naming who must never get it (the alert's author, who sees more). A hit is
  therefore a page a reader with the same rights was shown.
- The entry keeps the generations it was rendered under: the commune's (name, logo, colour),
  the pages' (menu), and one per scope and commune (``member_pages_invalidate``, called by
  each domain's signal handlers on every write it shows). A newer generation is a miss.
  The timeout bounds what moves without a write (an alert that expires, delivery counts).
- What belongs to the request is filled in on every answer: the CSRF token, the nonce of the
  inline style, and the slots registered by the domains (``member_page_slot_register``: the
  unread count in the header), rendered by the same function on a miss and on a hit.
- Parts of a page that only some readers get are written in it between
  ``<!--member-page:if:NAME:ARG-->`` and ``<!--member-page:endif-->`` (``{% member_if %}``):
  on every answer, shared or not, ``decide(request, args)`` registered under NAME
  (``member_page_condition_register``) says, for all the page's ARGs at once, which parts
  this reader keeps (the directory's "Écrire" links: one query for a page of neighbours).
"""

import hashlib
import re
import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import _does_token_match, get_token
from django.utils.translation import get_language

from .viewer import viewer_facts

_CSRF = "<!--member-page:csrf-->"
_NONCE = "<!--member-page:nonce-->"
_SLOT = "<!--member-page:slot:{}-->"
_SLOTS: dict[str, Callable] = {}
# Cache keys of the generations of what every page's layout shows beside the commune (the
# menu's pages), registered by the layers that own them.
_LAYOUT_GENERATION_KEYS: list[str] = []
_CONDITIONS: dict[str, Callable] = {}
_CONDITION = re.compile(
    r"<!--member-page:if:(?P<name>\w+):(?P<arg>[\w-]+)-->(?P<body>.*?)<!--member-page:endif-->",
    re.DOTALL,
)
_REQUEST_FLAG = "_member_page_cache"
# A CSRF token as Django writes it into a page: 64 letters and digits (a mask and the
# masked secret).
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def member_page_layout_generation_register(key: str) -> None:
    """The cache entry ``key`` changes whenever the layout of every page changes (the menu);
    it is read with the page, in the same round trip."""
    _LAYOUT_GENERATION_KEYS.append(key)


def member_page_slot_register(name: str, render: Callable) -> None:
    """``render(request) -> str`` (safe HTML) fills the slot ``name`` of every page, cached or
    not (``{% member_slot name %}``)."""
    _SLOTS[name] = render


def member_page_condition_register(name: str, decide: Callable) -> None:
    """``decide(request, args) -> set`` names which of ``args`` (the strings written after
    NAME in the page's ``<!--member-page:if:NAME:ARG-->`` parts) this reader keeps."""
    _CONDITIONS[name] = decide


def member_page_conditions_fill(request, html: str) -> str:
    """``html`` with the parts this reader does not get removed, and the markers of the
    others (see the module)."""
    if "<!--member-page:if:" not in html:
        return html
    args: dict[str, set[str]] = {}
    for match in _CONDITION.finditer(html):
        args.setdefault(match["name"], set()).add(match["arg"])
    kept = {
        name: (_CONDITIONS[name](request, found) if name in _CONDITIONS else set())
        for name, found in args.items()
    }
    return _CONDITION.sub(
        lambda match: match["body"] if match["arg"] in kept[match["name"]] else "", html
    )


def member_slot(request, name: str) -> str:
    """The slot's HTML for this request, or its placeholder while a cached page renders."""
    if request is not None and getattr(request, _REQUEST_FLAG, None) is not None:
        return _SLOT.format(name)
    render = _SLOTS.get(name)
    return render(request) if render is not None and request is not None else ""


def _generation_key(scope: str, commune_id) -> str:
    return f"member-pages:{scope}:{commune_id}"


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # A missing generation reads as 0: a new one must differ from any earlier value.
        cache.set(key, time.time_ns(), timeout=None)


def member_pages_invalidate(*, scope: str, commune_id) -> None:
    """Every cached page of ``scope`` on ``commune_id``'s site is stale from now on, and
    again once the transaction commits (a page rendered in between read the old rows)."""
    key = _generation_key(scope, commune_id)
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def member_pages_stale_when_written(
    *, scope: str, model, communes_of: Callable, not_shown=frozenset()
) -> None:
    """Every saved or deleted ``model`` row makes the ``scope`` pages of the communes
    ``communes_of(row)`` names stale (wired in the domain's ``ready()``), except a save of
    ``not_shown`` columns only (an account's last sign-in)."""

    def changed(instance, update_fields=None, **kwargs):
        if update_fields and set(update_fields) <= not_shown:
            return
        for commune_id in communes_of(instance):
            if commune_id is not None:
                member_pages_invalidate(scope=scope, commune_id=commune_id)

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(
            changed,
            sender=model,
            weak=False,
            dispatch_uid=f"member_pages:{scope}:{model._meta.label}:{name}",
        )


def member_pages_stale_when_aimed(*, scope: str, through) -> None:
    """A changed list of aimed communities (the many-to-many ``through``, between a row with
    a ``commune_id`` and communities, which have one too) makes the commune's ``scope``
    pages stale."""

    def changed(instance, action, **kwargs):
        if action.startswith("post_") or action == "pre_clear":
            member_pages_invalidate(scope=scope, commune_id=instance.commune_id)

    m2m_changed.connect(
        changed, sender=through, weak=False, dispatch_uid=f"member_pages:{scope}:aimed"
    )


def member_page_share(request, *, not_for=()) -> None:
    """The view's answer is the same for every reader with this reader's rights and
    variant: it may be stored, and served to them but never to the users in ``not_for``."""
    state = getattr(request, _REQUEST_FLAG, None)
    if state is not None:
        state["share"] = True
        state["not_for"] = frozenset(pk for pk in not_for if pk is not None)


def _audience(request):
    """What the reader may see, or None when their pages are never shared (staff, the
    platform team, pending messages)."""
    user = request.user
    if user.is_staff or user.is_superuser:
        return None
    facts = viewer_facts(request=request)
    if facts.superuser or facts.roles_by_commune:
        return None
    messages = getattr(request, "_messages", None)
    if messages is not None and len(messages):
        return None
    membership = facts.membership
    member = (
        None
        if membership is None
        else (membership.community_id, membership.status, membership.role)
    )
    return (member, bool(request.session.get("push_endpoint")))


def _fill(request, html: str) -> str:
    html = member_page_conditions_fill(request, html)
    html = html.replace(_CSRF, get_token(request))
    if _NONCE in html:
        html = html.replace(_NONCE, str(request.csp_nonce))
    for name, render in _SLOTS.items():
        placeholder = _SLOT.format(name)
        if placeholder in html:
            html = html.replace(placeholder, render(request))
    return html


def _tokens_out(request, html: str) -> str:
    """``html`` with each of this request's CSRF tokens (masked differently by every form)
    replaced by the placeholder: the 64-character words that unmask to its secret."""
    secret = request.META.get("CSRF_COOKIE")  # where get_token keeps the secret
    if not secret:
        return html
    return _TOKEN.sub(
        lambda match: _CSRF if _does_token_match(match.group(0), secret) else match.group(0),
        html,
    )


def member_page_cached(*, scopes: tuple[str, ...], timeout: int, variant=None):
    """Serve ``view(request, commune, …)`` from the shared cache (see the module).

    ``variant(request, commune, **kwargs)`` returns what else the page depends on for this
    reader (hashable), computed before the cache is read."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, commune, *args, **kwargs):
            audience = _audience(request)
            if audience is None:
                response = view(request, commune, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                if not response.streaming:
                    response.content = member_page_conditions_fill(
                        request, response.content.decode()
                    )
                return response
            extra = variant(request, commune, **kwargs) if variant is not None else None
            key = (
                "member-page:"
                + hashlib.sha256(
                    repr(
                        (
                            request.get_host(),
                            request.get_full_path(),
                            get_language(),
                            audience,
                            extra,
                            view.__module__,
                            view.__qualname__,
                        )
                    ).encode()
                ).hexdigest()
            )
            generation_keys = [
                *_LAYOUT_GENERATION_KEYS,
                *(_generation_key(scope, commune.pk) for scope in scopes),
            ]
            found = cache.get_many([key, *generation_keys])
            generations = (
                getattr(commune, "cache_generation", None),
                *(found.get(name, 0) for name in generation_keys),
            )
            entry = found.get(key)
            user_pk = request.user.pk
            if entry is not None and entry[0] == generations and user_pk not in entry[1]:
                response = HttpResponse(_fill(request, entry[2]))
                for header, value in entry[3]:
                    response[header] = value
                return response

            state = {"share": False, "not_for": frozenset()}
            setattr(request, _REQUEST_FLAG, state)
            try:
                response = view(request, commune, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            finally:
                delattr(request, _REQUEST_FLAG)
            html = response.content.decode() if not response.streaming else ""
            if (
                state["share"]
                and response.status_code == 200
                and not response.cookies
                and user_pk not in state["not_for"]
            ):
                stored = _tokens_out(request, html)
                nonce = getattr(request, "_csp_nonce", None)
                if nonce:
                    stored = stored.replace(nonce, _NONCE)
                headers = tuple(response.items())
                cache.set(key, (generations, state["not_for"], stored, headers), timeout)
            if not response.streaming:
                response.content = _fill(request, html)
            return response

        return wrapper

    return decorator
