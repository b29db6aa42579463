"""Texts that tell when a home will be empty are refused; ordinary dates are not."""

import pytest
from django.core.exceptions import ValidationError

from accounts.absence import absence_dates_refuse, reveals_absence


@pytest.mark.parametrize(
    "text",
    [
        "Nous serons absents du 3 au 17 août, merci de surveiller.",
        "Absente du 03/08 au 17/08 : qui peut arroser mes tomates ?",
        "Nous partons en vacances samedi, la maison sera vide.",
        "On part demain pour deux semaines.",
        "Je pars le 12 juillet, je cherche quelqu'un pour nourrir le chat.",
        "En vacances jusqu'au 25, de retour lundi.",
        "La maison restera vide pendant 10 jours à partir du 1er août.",
        "Nous ne serons pas là ce week-end, si vous entendez du bruit appelez-moi.",
        "Personne à la maison la semaine prochaine.",
        "Away from 3 to 17 August, please keep an eye on the house.",
        "We are on holiday next week.",
        "NOUS PARTONS EN VACANCES SAMEDI",
        "Bonjour ! Petite annonce. Nous serons absents en août, merci.",
    ],
)
def test_absence_dates_are_recognised(text):
    assert reveals_absence(text)
    with pytest.raises(ValidationError) as refused:
        absence_dates_refuse("Titre", text, field="body")
    assert "inoccupé" in str(refused.value.message_dict["body"])


@pytest.mark.parametrize(
    "text",
    [
        "Le vide-grenier du quartier aura lieu samedi 14 juin.",
        "Je prête ma perceuse du 3 au 17 août, passez la prendre.",
        "Absent de la dernière réunion, je lirai le compte rendu.",
        "Covoiturage vers Bordeaux tous les lundis à 7 h 30.",
        "Le centre de loisirs ouvre pendant les vacances scolaires.",
        "Chat perdu depuis mardi soir, tigré gris avec un collier rouge.",
        "Merci de votre part pour la fête des voisins. Nous partons tôt le matin pour le marché",
        "",
    ],
)
def test_ordinary_dates_and_words_pass(text):
    assert not reveals_absence(text)
    absence_dates_refuse(text)
