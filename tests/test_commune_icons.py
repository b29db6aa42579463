"""Each commune's site shows its own icon in the browser's tab and on a phone's home screen:
drawn from its logo, or from its initial on its colour; served with cache headers."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from django.test import Client
from PIL import Image
from wagtail.images.models import Image as WagtailImage

from tests.conftest import CADAUJAC_HOST, DIDENHEIM_HOST

pytestmark = pytest.mark.django_db

PURPLE = "#6b2c5f"


@pytest.fixture
def communes(cadaujac, didenheim):
    didenheim.primary_colour = PURPLE
    didenheim.save()
    return cadaujac, didenheim


def _links(host: str) -> dict[str, str]:
    html = Client(headers={"host": host}).get("/").content.decode()
    return dict(re.findall(r'<link rel="(icon|apple-touch-icon)"[^>]* href="([^"]+)"', html))


def _get(host: str, path: str):
    return Client(headers={"host": host}).get(path)


def _png(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def test_two_communes_pages_link_different_icons(communes):
    cadaujac_links = _links(CADAUJAC_HOST)
    didenheim_links = _links(DIDENHEIM_HOST)

    assert cadaujac_links["icon"].startswith("/icone.svg?v=")
    assert cadaujac_links["apple-touch-icon"].startswith("/icone-180.png?v=")
    assert cadaujac_links["icon"] != didenheim_links["icon"]
    assert cadaujac_links["apple-touch-icon"] != didenheim_links["apple-touch-icon"]
    assert _get(CADAUJAC_HOST, "/icone-180.png").content != (
        _get(DIDENHEIM_HOST, "/icone-180.png").content
    )


def test_the_touch_icon_is_a_180_px_png_in_the_communes_colour_cached_a_day(communes):
    response = _get(DIDENHEIM_HOST, "/icone-180.png")

    icon = _png(response)
    assert icon.size == (180, 180)
    assert icon.convert("RGB").getpixel((2, 2)) == (0x6B, 0x2C, 0x5F)
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]


def test_the_svg_favicon_shows_the_communes_initial_on_its_colour(communes):
    response = _get(DIDENHEIM_HOST, "/icone.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in response["Cache-Control"]
    svg = response.content.decode()
    assert f'fill="{PURPLE}"' in svg
    assert ">D</text>" in svg


def test_every_manifest_size_is_drawn_and_other_sizes_are_404(communes):
    assert _png(_get(CADAUJAC_HOST, "/icone-192.png")).size == (192, 192)
    assert _png(_get(CADAUJAC_HOST, "/icone-512.png")).size == (512, 512)
    assert _png(_get(CADAUJAC_HOST, "/icone-maskable-512.png")).size == (512, 512)
    assert _get(CADAUJAC_HOST, "/icone-64.png").status_code == 404


def test_the_platform_site_keeps_its_static_icons(communes):
    links = _links("testserver")
    assert links["icon"].startswith("/static/")
    assert Client().get("/icone-180.png").status_code == 404


def test_a_logo_becomes_the_icon_and_a_new_colour_a_new_link(communes):
    cadaujac, _didenheim = communes
    before = _links(CADAUJAC_HOST)
    canvas = Image.new("RGB", (300, 200), (10, 120, 40))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    cadaujac.logo = WagtailImage.objects.create(
        title="Blason", file=ImageFile(buffer, name="blason.png")
    )
    cadaujac.save()

    after = _links(CADAUJAC_HOST)
    assert after["icon"].startswith("/icone-192.png?v=")
    assert after["apple-touch-icon"] != before["apple-touch-icon"]
    icon = _png(_get(CADAUJAC_HOST, "/icone-180.png")).convert("RGB")
    # The logo, kept in proportion, in the middle of a white square.
    assert icon.getpixel((90, 90)) == (10, 120, 40)
    assert icon.getpixel((90, 5)) == (255, 255, 255)

    cadaujac.primary_colour = "#004d40"
    cadaujac.save()
    assert _links(CADAUJAC_HOST)["apple-touch-icon"] != after["apple-touch-icon"]
