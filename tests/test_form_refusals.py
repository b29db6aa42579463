"""A service's refusal shows on the form that asked, the same way on every page.

Field errors on their field (or the field the page maps them to), everything else at the
top of the form; no refusal is ever lost, even about a field the form does not have.
"""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from communities.form_refusals import form_refusal_show


class PostForm(forms.Form):
    text = forms.CharField()
    expires_on = forms.DateField(required=False)


@pytest.fixture
def form():
    bound = PostForm({"text": "Bonjour"})
    assert bound.is_valid()
    return bound


def test_a_field_error_shows_on_its_field(form):
    form_refusal_show(form=form, error=ValidationError({"text": "Trop long."}))

    assert form.errors == {"text": ["Trop long."]}


def test_an_error_about_a_field_the_form_lacks_shows_at_the_top(form):
    form_refusal_show(form=form, error=ValidationError({"photos": "Pas une photo."}))

    assert form.non_field_errors() == ["Pas une photo."]


def test_a_page_may_name_the_field_where_a_services_error_belongs(form):
    error = ValidationError({"expires_at": "Dans le futur.", "text": "Vide."})

    form_refusal_show(form=form, error=error, fields={"expires_at": "expires_on", "text": None})

    assert form.errors["expires_on"] == ["Dans le futur."]
    assert form.non_field_errors() == ["Vide."]


def test_a_refusal_about_no_field_shows_at_the_top(form):
    form_refusal_show(form=form, error=ValidationError(["Suspendu.", "Réessayez demain."]))

    assert form.non_field_errors() == ["Suspendu.", "Réessayez demain."]


def test_a_permission_refusal_shows_its_message_or_a_neutral_one(form):
    form_refusal_show(form=form, error=PermissionDenied("Membres vérifiés seulement."))
    with translation.override("fr"):
        form_refusal_show(form=form, error=PermissionDenied())

    assert form.non_field_errors() == [
        "Membres vérifiés seulement.",
        "Vous ne pouvez pas faire cela.",
    ]
