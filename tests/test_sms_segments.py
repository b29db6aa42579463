"""SMS cost: GSM-7 against UCS-2 segment counting, and transliteration back to GSM-7."""

import pytest

from notifications.sms.segments import (
    GSM7,
    UCS2,
    SmsSegmentation,
    is_gsm7,
    sms_segments,
    to_gsm7,
)


@pytest.mark.parametrize(
    "text",
    [
        "Réunion publique à la mairie",  # é and à are in the GSM 03.38 basic set
        "Où ? Là-bas, près de l'église",  # ù, à, è, é too
        "ÇA VA ? Ñandu, Øresund, Ærø, Åre, Müller",
        "Prix : 5 € [voir {annexe}]",  # extension table
    ],
)
def test_text_with_only_gsm_characters_is_encoded_in_gsm7(text):
    assert is_gsm7(text)
    assert sms_segments(text).encoding == GSM7


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("Fête des voisins", "ê"),
        ("Il fait très chaud, buvez de l'eau", None),  # control: GSM-7
        ("Ça commence : ça brûle", "ç"),  # capital Ç is GSM, small ç is not
        ("Rendez-vous à l’école", "’"),  # typographic apostrophe
        ("Le château", "â"),
        ("Une île", "î"),
        ("Côte", "ô"),
        ("Sûr", "û"),
        ("Cœur", "œ"),
        ("« Alerte »", "«"),
    ],
)
def test_one_character_outside_gsm7_switches_the_whole_text_to_ucs2(text, culprit):
    expected = GSM7 if culprit is None else UCS2
    assert sms_segments(text).encoding == expected


def test_gsm7_fits_160_characters_in_one_segment_then_153_per_segment():
    assert sms_segments("a" * 160) == SmsSegmentation(GSM7, 160, 1, 160)
    assert sms_segments("a" * 161) == SmsSegmentation(GSM7, 161, 2, 153)
    assert sms_segments("a" * 306) == SmsSegmentation(GSM7, 306, 2, 153)
    assert sms_segments("a" * 307) == SmsSegmentation(GSM7, 307, 3, 153)


def test_ucs2_fits_70_characters_in_one_segment_then_67_per_segment():
    assert sms_segments("ê" * 70) == SmsSegmentation(UCS2, 70, 1, 70)
    assert sms_segments("ê" * 71) == SmsSegmentation(UCS2, 71, 2, 67)
    assert sms_segments("ê" * 134) == SmsSegmentation(UCS2, 134, 2, 67)
    assert sms_segments("ê" * 135) == SmsSegmentation(UCS2, 135, 3, 67)


def test_extension_characters_count_double():
    assert sms_segments("€" * 80) == SmsSegmentation(GSM7, 160, 1, 160)
    assert sms_segments("€" * 81) == SmsSegmentation(GSM7, 162, 2, 153)
    assert sms_segments("{}").characters == 4


def test_an_escaped_character_is_never_split_across_two_segments():
    # 152 septets then "€" (2 septets): the euro does not fit in the first 153, a third
    # segment is needed although 152 + 2 + 153 = 307 septets would fit in two on paper.
    text = "a" * 152 + "€" + "b" * 152
    assert sms_segments(text).characters == 306
    assert sms_segments(text).segments == 3


def test_an_emoji_counts_two_ucs2_units_and_is_not_split():
    assert sms_segments("🚨").characters == 2
    assert sms_segments("ê" * 66 + "🚨" + "ê" * 66).segments == 3


def test_empty_text_costs_nothing():
    assert sms_segments("").segments == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fête de l’école", "Fete de l'école"),
        ("Ça brûle ! Le garçon", "Ça brule ! Le garcon"),
        ("« Alerte » : cambriolage", '"Alerte" : cambriolage'),
        ("Cœur, œuvre, ŒUVRE", "Coeur, oeuvre, OEUVRE"),
        ("Île, Noël, naïf, Ô", "Ile, Noel, naif, O"),
        ("De 8 h – 20 h… n° 5", "De 8 h - 20 h... no 5"),
        ("Attention\u202f! Route coupée", "Attention ! Route coupée"),
        ("Prix : 5 €", "Prix : 5 €"),
    ],
)
def test_to_gsm7_keeps_the_meaning_in_gsm_characters(text, expected):
    assert to_gsm7(text) == expected
    assert sms_segments(to_gsm7(text)).encoding == GSM7


def test_to_gsm7_leaves_gsm_text_unchanged():
    text = "Réunion à 18 h, salle des fêtes".replace("ê", "e")
    assert to_gsm7(text) == text


def test_to_gsm7_marks_what_it_cannot_render():
    assert to_gsm7("Alerte 🚨") == "Alerte ?"


def test_transliteration_brings_a_french_alert_back_to_one_segment():
    text = (
        "Alerte Centre-bourg : démarcheurs se présentant comme agents des eaux, "
        "rue de l’Église. N’ouvrez pas, prévenez la police municipale au 05 56 00 00 00."
    )
    assert sms_segments(text) == SmsSegmentation(UCS2, 150, 3, 67)
    assert sms_segments(to_gsm7(text)) == SmsSegmentation(GSM7, 150, 1, 160)
