"""Every error of the API in one format: RFC 9457 ``application/problem+json``, in French.

``{"type", "title", "status", "detail"}``, plus ``errors`` (one entry per field: ``field``,
``detail``) when what was sent is refused. The services' own messages (``ValidationError``,
``PermissionDenied``) are the ones the site shows, so that an app says the same thing.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldProblem(Schema):
    field: str
    detail: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldProblem] = []


class Done(Schema):
    """A write that answers with nothing but what the site would say once it is done."""

    detail: str


def _titles() -> dict[int, str]:
    return {
        400: _("Requête invalide"),
        401: _("Connexion requise"),
        403: _("Action refusée"),
        404: _("Introuvable"),
        405: _("Méthode non permise"),
        409: _("Conflit"),
        412: _("Précondition non remplie"),
        422: _("Données refusées"),
        429: _("Trop de requêtes"),
        500: _("Erreur du serveur"),
    }


def problem_response(
    *, status: int, detail: str = "", errors: list[dict] | None = None, headers=None
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": _titles().get(status, _("Erreur")),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _pydantic_detail(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("Ce champ est obligatoire.")
    if kind == "string_too_long":
        return _("Ce texte est trop long : %(max)s caractères au plus.") % {
            "max": context.get("max_length", "?")
        }
    if kind in ("enum", "literal_error"):
        return _("Choisissez une valeur de la liste.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Un nombre entier est attendu.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Vrai ou faux est attendu.")
    if kind in ("string_type",):
        return _("Un texte est attendu.")
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type"):
        return _("Le corps de la requête doit être un objet JSON valide.")
    return _("Cette valeur n'est pas valide.")


# Where ninja puts the field's name: after its source and the operation's argument.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "filters", "params"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _on_ninja_validation(request, exc: NinjaValidationError):
    errors = [
        {"field": _field_name(error.get("loc", ())), "detail": _pydantic_detail(error)}
        for error in exc.errors
    ]
    return problem_response(
        status=422, detail=_("Certaines valeurs envoyées sont refusées."), errors=errors
    )


def _on_service_validation(request, exc: DjangoValidationError):
    """A service's refusal: per field when it names one, else one sentence."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "detail": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        return problem_response(
            status=422, detail=" ".join(item["detail"] for item in errors), errors=errors
        )
    return problem_response(status=422, detail=" ".join(exc.messages))


def _on_http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return problem_response(
            status=401,
            detail=_(
                "Connectez-vous : envoyez le jeton de session de l'application (X-Session-Token) "
                "ou la session du site."
            ),
        )
    if exc.status_code == 403:
        return problem_response(
            status=403, detail=_("La vérification CSRF a échoué : rechargez la page.")
        )
    return problem_response(status=exc.status_code, detail=str(exc))


def _on_not_found(request, exc):
    return problem_response(
        status=404, detail=_("Cette ressource n'existe pas ou ne vous est pas accessible.")
    )


def _on_permission_denied(request, exc: PermissionDenied):
    return problem_response(status=403, detail=str(exc) or _("Vous ne pouvez pas faire cela."))


def problem_handlers_install(api) -> None:
    api.add_exception_handler(NinjaValidationError, _on_ninja_validation)
    api.add_exception_handler(DjangoValidationError, _on_service_validation)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any other address under /api/v1/: a problem, not the site's HTML 404 page."""
    return _on_not_found(request, None)
