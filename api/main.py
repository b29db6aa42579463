"""The JSON API at ``/api/v1/``: one NinjaAPI, its routers, its errors and its documents.

Version policy (README, "Building an app on Voisinage"): ``v1`` only grows — new
endpoints, new optional fields; a field is never removed nor changes meaning within it.
"""

import logging
from functools import wraps

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger

from . import alerts, commune, directory, gazette, me, messaging, search
from .problems import PROBLEM_CONTENT_TYPE, Problem, problem_handlers_install, problem_response
from .security import member_auth

logger = logging.getLogger("django.request")

DESCRIPTION = """\
L'API de Voisinage, pour les applications des habitants et les outils des mairies.

**Connexion.** Une application se connecte par le mode « headless » de django-allauth :
`POST /_allauth/app/v1/auth/login` avec `{"email": …, "password": …}` (ou `"phone"` au
format international, `+33611…`) rend un jeton de session (`meta.session_token`) à
envoyer dans l'en-tête `X-Session-Token`. Les mêmes règles que sur le site s'appliquent :
blocage après plusieurs échecs, double authentification des agents de la mairie, jeton
révoqué à la déconnexion, au changement de mot de passe et depuis *Mon compte → Appareils
connectés*. Les pages du site appellent l'API avec leur session (cookie) et l'en-tête
`X-CSRFToken` pour écrire.

**Erreurs.** Toujours au format `application/problem+json` (RFC 9457), en français ; les
données refusées sont détaillées champ par champ dans `errors`.

**Commune.** Appelée sur le nom d'hôte d'une commune, l'API ne répond que sur cette
commune, comme ses pages.
"""

# Statuses every signed-in operation may answer besides its own.
COMMON_PROBLEMS = {"401", "429"}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class VoisinageAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas = schema["components"].setdefault("schemas", {})
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        for methods in schema["paths"].values():
            for operation in methods.values():
                # ninja keys statuses by int; JSON has only strings: one key per status.
                responses = {str(status): value for status, value in operation["responses"].items()}
                operation["responses"] = responses
                wanted = set(COMMON_PROBLEMS) if operation.get("security") else set()
                if operation.get("parameters") or operation.get("requestBody"):
                    wanted |= {"400", "422"}
                for status in wanted - set(responses):
                    responses[status] = {"description": "Problème (RFC 9457)"}
                for status, response in responses.items():
                    if int(status) >= 400:
                        response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF}}
        return schema

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            pattern.callback = _session_restored(pattern.callback)
        return urls


def _session_restored(view):
    """Give the middleware back the cookie's session and user once the API answered.

    An app's request is signed in by its token (``api.app_sessions``), which sets the
    token's session and user on the request for the view. The session middleware would
    otherwise save that session under a cookie, and the staff middleware stamp it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        session, user = request.__dict__.get("session"), request.__dict__.get("user")
        try:
            return view(request, *args, **kwargs)
        finally:
            if getattr(request, "app_session", None) is not None:
                request.session, request.user = session, user

    return wrapper


api = VoisinageAPI(
    title="Voisinage",
    version="1",
    description=DESCRIPTION,
    auth=member_auth,
    urls_namespace="api-1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=Swagger(settings={"persistAuthorization": False}),
)
problem_handlers_install(api)


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.error("API error on %s", request.path, exc_info=exc)
    return problem_response(status=500)


api.add_router("/me", me.router)
api.add_router("/alerts", alerts.router)
api.add_router("/gazette", gazette.router)
api.add_router("/commune", commune.router)
api.add_router("/directory", directory.router)
api.add_router("/conversations", messaging.router)
api.add_router("/blocks", messaging.blocks_router)
api.add_router("/search", search.router)
