"""The README's "Building an app on Voisinage" steps, on the demo data: Jean-Yves's app
signs in, lists Centre-bourg's running alerts, posts one, and signs out; it writes to a
neighbour found in the directory, who reads the message on the site."""

import json

import pytest
from django.test import Client

from accounts.models import User
from alerts.models import Alert, AlertSource

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-password-2026"


def test_the_readme_s_app_steps_work_on_the_demo(demo, fake_twilio):
    app = Client(headers={"host": "cadaujac.localhost", "user-agent": "curl/8.5.0"})

    signed_in = app.post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": "jean-yves@cadaujac.demo.invalid", "password": DEMO_PASSWORD}),
        content_type="application/json",
    )
    assert signed_in.status_code == 200, signed_in.content
    token = {"X-Session-Token": signed_in.json()["meta"]["session_token"]}

    running = app.get("/api/v1/alerts/", headers=token)
    assert running.status_code == 200
    assert running["ETag"]
    assert (
        app.get("/api/v1/alerts/", headers={**token, "If-None-Match": running["ETag"]}).status_code
        == 304
    )

    posted = app.post(
        "/api/v1/alerts/",
        json.dumps(
            {
                "category": "scouting",
                "text": "Camionnette blanche qui tourne lentement rue de la Mairie",
            }
        ),
        content_type="application/json",
        headers=token,
    )
    assert posted.status_code == 201, posted.content
    alert = Alert.objects.get(pk=posted.json()["id"])
    assert (alert.source, alert.community.name) == (AlertSource.API, "Centre-bourg")
    assert posted.json()["id"] in [
        a["id"] for a in app.get("/api/v1/alerts/", headers=token).json()["items"]
    ]

    app.delete("/_allauth/app/v1/auth/session", headers=token)
    assert app.get("/api/v1/me/", headers=token).status_code == 401


def test_the_readme_s_message_step_reaches_the_neighbour_on_the_demo(demo):
    app = Client(headers={"host": "cadaujac.localhost", "user-agent": "curl/8.5.0"})
    signed_in = app.post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": "jean-yves@cadaujac.demo.invalid", "password": DEMO_PASSWORD}),
        content_type="application/json",
    )
    token = {"X-Session-Token": signed_in.json()["meta"]["session_token"]}

    directory = app.get("/api/v1/directory/", headers=token).json()["items"]
    neighbour = next(item for item in directory if item["can_write"])
    sent = app.post(
        "/api/v1/conversations/",
        json.dumps(
            {
                "recipients": [neighbour["id"]],
                "subject": "Escabeau",
                "text": "Bonjour, je peux vous prêter mon escabeau samedi.",
            }
        ),
        content_type="application/json",
        headers=token,
    )

    assert sent.status_code == 201, sent.content
    recipient = Client(headers={"host": "cadaujac.localhost"})
    recipient.force_login(User.objects.get(pk=neighbour["id"]))
    page = recipient.get(f"/messages/{sent.json()['id']}/").content.decode()
    assert "Bonjour, je peux vous prêter mon escabeau samedi." in page
