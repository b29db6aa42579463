"""The API keeps its OpenAPI promise: schemathesis generates requests from
``/api/v1/openapi.json`` for every operation, sends them to the Django WSGI application with
a verified member's app token, and checks that nothing answers 500 and that every answer
(status, content type, body, headers) is one the document announces."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from alerts.models import AlertCategory
from alerts.services import alert_post
from api.main import api
from portal.wsgi import application
from tests.api_tokens import app_token
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_token(client, sign_in, jeanne_resident, paul_neighbour):
    """Jeanne's app, with an alert of Paul's to read, follow and report on."""
    alert_post(
        author=paul_neighbour,
        category=AlertCategory.SCOUTING,
        text="Deux personnes relèvent les numéros des boîtes aux lettres rue du Port.",
    )
    return app_token(client, sign_in, jeanne_resident)


@pytest.fixture
def api_schema(member_token):
    # As Django's test client does: the WSGI application must not close the test's
    # connection (and its transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations() -> list[tuple[str, str]]:
    """Every (path, method) of the document, one test each."""
    document = api.get_openapi_schema()
    return [(path, method) for path, methods in document["paths"].items() for method in methods]


@pytest.mark.parametrize(("path", "method"), _operations())
def test_every_operation_keeps_its_documented_promise(api_schema, member_token, path, method):
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(
            headers={"Host": CADAUJAC_HOST, "X-Session-Token": member_token},
            # A schema-valid request may still be refused by a rule of the site (an empty
            # text, an alert that is not running): a documented 422, not a broken promise.
            excluded_checks=[positive_data_acceptance],
        )

    call()


def _unique_keys(pairs):
    keys = [key for key, _value in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)


def test_the_document_and_its_docs_are_served_to_anyone(client):
    document = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")

    assert document.status_code == 200
    assert document.json()["info"]["title"] == "Voisinage"
    # No key twice in any object (Swagger UI's YAML reader refuses the whole document).
    json.loads(document.content, object_pairs_hook=_unique_keys)
    problem = document.json()["paths"]["/api/v1/alerts/"]["post"]["responses"]["422"]
    assert list(problem["content"]) == ["application/problem+json"]
    assert docs.status_code == 200
    # Swagger UI from our own static files: the strict policy of the site holds.
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()
