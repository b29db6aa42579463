"""The form's live SMS counter (static/js/alerts.js) counts exactly as the server does.

The script runs under Node with the alphabet the form page carries (json_script) and must
give, for every text, the encoding, length and segments of ``sms_segments``.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from alerts.models import AlertCategory
from alerts.sms_text import alert_sms_text
from notifications.sms.segments import sms_segments
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

NODE = shutil.which("node") or shutil.which("nodejs")
SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "alerts.js"

TEXTS = [
    "",
    "Chat perdu",
    "Camionnette blanche qui roule au pas rue des Ecoles depuis 14h",
    "Fenêtre ouverte chez les Martin, personne ne répond",  # ê: UCS-2
    "Véhicule à l'arrêt devant l'école",  # é, à in GSM-7; ê not
    "Prix : 50€ [devis] {urgent} ~ ^ | \\",  # extension characters count two
    "Émoji 🚨 dans le texte",  # a surrogate pair counts two in UCS-2
    "x" * 100,
    "ç" * 60,
    "€" * 80,  # 160 septets: one segment exactly
    "€" * 81 + "a",  # no escape split across segments
    "   espaces\n\n multiples \t ici  ",
    "Rue de l’Église, près du n° 12 « au fond »",
]


@pytest.fixture
def counter_config(client, sign_in, jeanne_resident):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, jeanne_resident)
    return client.get("/alertes/nouvelle/").context["counter_config"]


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_live_counter_counts_like_the_server(counter_config, jeanne_resident):
    program = f"""
        const counter = require({json.dumps(str(SCRIPT))});
        const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const out = input.texts.map((text) => {{
            const clean = counter.cleanText(text);
            const [before, after] = input.config.wrappers[input.category];
            return {{
                wrapped: counter.smsSegments(before + clean + after, input.config),
                bare: counter.smsSegments(clean, input.config),
            }};
        }});
        process.stdout.write(JSON.stringify(out));
    """
    payload = {"texts": TEXTS, "config": counter_config, "category": AlertCategory.SCOUTING}
    result = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [NODE, "-e", program],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    from_js = json.loads(result.stdout)

    community = jeanne_resident.memberships.get().community
    from alerts.models import Alert

    sample = Alert(commune=community.commune, community=community, category=AlertCategory.SCOUTING)
    encodings = set()
    for text, counted in zip(TEXTS, from_js, strict=True):
        clean = " ".join(text.split())
        for key, sms in (
            ("wrapped", alert_sms_text(alert=sample, text=clean)),
            ("bare", clean),
        ):
            expected = sms_segments(sms)
            got = counted[key]
            assert (got["encoding"], got["characters"], got["segments"]) == (
                expected.encoding,
                expected.characters,
                expected.segments,
            ), (key, text)
            encodings.add(got["encoding"])
    assert encodings == {"GSM-7", "UCS-2"}  # both counting paths were compared
