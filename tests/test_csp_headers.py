"""Every page answers with a Content-Security-Policy: strict on public and member pages (no
inline or eval'd script, nothing may frame them), looser only in the Wagtail admin; and every
inline <script> or <style> a page still renders carries that response's nonce."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from alerts.models import Alert
from gazette.models import GazetteIndexPage
from messaging.models import Conversation
from tests.conftest import CADAUJAC_HOST

RESIDENT = "jean-yves@cadaujac.demo.invalid"
STAFF = "mairie@cadaujac.demo.invalid"

PUBLIC_PATHS = ["/", "/actualites/", "/agenda/", "/contacts/", "/en/", "/accounts/login/"]


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def header_nonce(directives: dict[str, list[str]], directive: str) -> str | None:
    for value in directives.get(directive, []):
        match = re.fullmatch(r"'nonce-([^']+)'", value)
        if match:
            return match.group(1)
    return None


class InlineCode(HTMLParser):
    """Inline scripts and styles of a page, and attributes that would run or style inline."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.styles: list[dict] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # JSON data blocks (json_script) are not run, so CSP does not govern them.
        data = attributes.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and "src" not in attributes and not data:
            self.scripts.append(attributes)
        if tag == "style":
            self.styles.append(attributes)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.attributes.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.attributes.append(f"<{tag} {name}={value!r}>")


def inline_code(response) -> InlineCode:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser


def assert_strict(directives):
    assert directives["default-src"] == ["'self'"]
    assert "'self'" in directives["script-src"]
    for loose in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert loose not in directives["script-src"]
        assert loose not in directives["style-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["connect-src"] == ["'self'"]


def assert_inline_code_carries_the_nonce(response):
    directives = policy(response)
    found = inline_code(response)
    path = response.request["PATH_INFO"]
    assert found.attributes == [], path
    if found.scripts:
        nonce = header_nonce(directives, "script-src")
        assert nonce, path
        assert [s.get("nonce") for s in found.scripts] == [nonce] * len(found.scripts), path
    if found.styles:
        nonce = header_nonce(directives, "style-src")
        assert nonce, path
        assert [s.get("nonce") for s in found.styles] == [nonce] * len(found.styles), path


@pytest.fixture
def cadaujac_client(client):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    return client


@pytest.fixture
def resident_client(cadaujac_client, sign_in, demo):
    return sign_in(cadaujac_client, get_user_model().objects.get(email=RESIDENT))


@pytest.fixture
def staff_client(cadaujac_client, sign_in, demo):
    return sign_in(cadaujac_client, get_user_model().objects.get(email=STAFF))


def member_paths() -> list[str]:
    resident = get_user_model().objects.get(email=RESIDENT)
    alert = Alert.objects.filter(author=resident).order_by("-pk").first()
    conversation = Conversation.objects.filter(participants__user=resident).first()
    gazette = GazetteIndexPage.objects.live().filter(url_path__startswith="/cadaujac/").first()
    post = gazette.get_children().live().first()
    return [
        "/",
        "/alertes/",
        "/alertes/nouvelle/",
        f"/alertes/{alert.pk}/",
        gazette.get_url_parts()[2],
        post.get_url_parts()[2],
        "/messages/",
        f"/messages/{conversation.pk}/",
        "/annuaire/",
        "/compte/",
        "/compte/notifications/",
        "/recherche/?q=voisins",
    ]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_forbid_inline_script_and_framing(cadaujac_client, demo, path):
    response = cadaujac_client.get(path)

    assert response.status_code == 200
    assert_strict(policy(response))
    assert_inline_code_carries_the_nonce(response)


def test_member_pages_forbid_inline_script_and_framing(resident_client):
    for path in member_paths():
        response = resident_client.get(path)
        assert response.status_code == 200, path
        assert_strict(policy(response))
        assert_inline_code_carries_the_nonce(response)


def test_the_communes_colour_is_a_style_element_with_the_requests_nonce(cadaujac_client, demo):
    first = cadaujac_client.get("/contacts/", headers={"host": "didenheim.localhost"})
    second = cadaujac_client.get("/alertes/nouvelle/")  # a redirect: nothing inline

    found = inline_code(first)
    assert len(found.styles) == 1
    assert found.styles[0]["nonce"] == header_nonce(policy(first), "style-src")
    assert header_nonce(policy(second), "style-src") is None


def test_a_cached_page_keeps_the_nonce_it_was_rendered_with(cadaujac_client, demo):
    fresh = cadaujac_client.get("/actualites/")
    cached = cadaujac_client.get("/actualites/")

    assert cached.content == fresh.content  # served from the page cache
    assert_inline_code_carries_the_nonce(cached)
    assert policy(cached) == policy(fresh)


def test_each_rendering_gets_its_own_nonce(resident_client):
    nonces = {header_nonce(policy(resident_client.get("/alertes/")), "style-src") for _ in "ab"}

    assert len(nonces) == 2
    assert None not in nonces


def test_the_wagtail_admin_has_its_own_policy_and_still_refuses_framing(staff_client):
    resident_page = staff_client.get("/alertes/")
    for path in ["/admin/", "/admin/moderation-alertes/"]:
        response = staff_client.get(path)
        assert response.status_code == 200, path
        directives = policy(response)
        assert "'unsafe-inline'" in directives["script-src"]
        assert "'unsafe-eval'" not in directives["script-src"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"]
        assert directives["form-action"] == ["'self'"]
    # The same signed-in staff member outside the admin gets the strict policy.
    assert_strict(policy(resident_page))


def test_an_admin_edit_page_has_the_admin_policy(staff_client):
    page = GazetteIndexPage.objects.live().filter(url_path__startswith="/cadaujac/").first()
    response = staff_client.get(f"/admin/pages/{page.pk}/edit/")

    assert response.status_code == 200
    directives = policy(response)
    assert "'unsafe-inline'" in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]


class FormFields(HTMLParser):
    """What a browser would post from a page's forms: named inputs, textareas and selects."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("checkbox", "radio", "file"):
            self.data[name] = attributes.get("value") or ""
        elif tag == "input" and name and "checked" in attributes:
            self.data[name] = attributes.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.data[self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def test_only_the_admin_preview_may_be_framed_by_its_own_origin(staff_client):
    page = GazetteIndexPage.objects.live().filter(url_path__startswith="/cadaujac/").first()
    url = f"/admin/pages/{page.pk}/edit/preview/"
    fields = FormFields()
    fields.feed(staff_client.get(f"/admin/pages/{page.pk}/edit/").content.decode())
    assert staff_client.post(url, fields.data).json()["is_valid"]

    response = staff_client.get(url)

    assert response.status_code == 200
    assert page.title in response.content.decode()
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert policy(response)["frame-ancestors"] == ["'self'"]
    # The admin itself, and the published page, still refuse any frame.
    assert policy(staff_client.get(f"/admin/pages/{page.pk}/edit/"))["frame-ancestors"] == [
        "'none'"
    ]
    assert policy(staff_client.get(page.get_url_parts()[2]))["frame-ancestors"] == ["'none'"]


def test_the_service_worker_and_manifest_are_served_with_the_policy(cadaujac_client, demo):
    worker = cadaujac_client.get("/service-worker.js")
    manifest = cadaujac_client.get("/manifest.webmanifest")

    assert worker.status_code == manifest.status_code == 200
    # A worker's own header governs what it may fetch: its own origin, nothing else.
    assert policy(worker)["connect-src"] == ["'self'"]
    assert policy(manifest)["default-src"] == ["'self'"]


TEMPLATE_DIRS = [settings.BASE_DIR / "templates"] + [
    path
    for path in Path(settings.BASE_DIR).glob("*/templates")
    if ".venv" not in path.parts and path.parent.name != "templates"
]


def test_no_template_has_an_inline_handler_or_a_script_without_nonce():
    """The rendered pages above cover what the demo shows; this covers every template."""
    handlers = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
    scripts = re.compile(r"<script\b(?P<attrs>[^>]*)>", re.IGNORECASE)
    problems = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            text = template.read_text()
            if "/email/" in template.as_posix():
                continue  # e-mails are read in mail clients, never served under our policy
            for match in handlers.finditer(text):
                problems.append(f"{template}: {match.group(1)}=")
            for match in scripts.finditer(text):
                attrs = match.group("attrs")
                if "src=" in attrs or "json" in attrs or "csp_nonce" in attrs:
                    continue
                problems.append(f"{template}: <script{attrs}>")
            if re.search(r"\sstyle\s*=", text):
                problems.append(f"{template}: style=")
    assert problems == []
