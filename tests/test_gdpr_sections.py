"""Every model that links rows to a member is answered for by a GDPR section.

A section (``accounts.gdpr.GdprSection``) says which models it covers: it exports them and
erases them, or leaves them to the user row's deletion (``on_delete``). A model added with
a foreign key, one-to-one or many-to-many to the user and no section naming it would be
missed by the export and might outlive the account: this test fails first.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from accounts.gdpr import ExportPart, account_export_data, gdpr_sections


def _models_linked_to_the_user() -> dict[str, list[str]]:
    user_model = get_user_model()
    linked = {}
    for model in apps.get_models():
        opts = model._meta
        # Fields declared on the model itself: a page type's owner is wagtailcore.Page's.
        fields = [*opts.local_fields, *opts.local_many_to_many]
        names = [f.name for f in fields if f.is_relation and f.related_model is user_model]
        if names:
            linked[opts.label] = names
    return linked


def _covered() -> set[str]:
    return {label for section in gdpr_sections() for label in section.covers}


def test_every_model_linked_to_the_user_is_covered_by_a_section():
    uncovered = {
        label: fields
        for label, fields in _models_linked_to_the_user().items()
        if label not in _covered()
    }
    assert not uncovered, (
        f"No GDPR section covers {uncovered}: add each model to the `covers` of its app's "
        "GdprSection (accounts.gdpr), with its export and erasure."
    )


def test_sections_cover_only_installed_models():
    unknown = set()
    for label in _covered():
        try:
            apps.get_model(label)
        except LookupError:
            unknown.add(label)
    assert not unknown, f"GDPR sections cover models that do not exist: {sorted(unknown)}"


def test_each_app_registers_its_own_section():
    names = [section.name for section in gdpr_sections()]
    assert len(names) == len(set(names))
    assert {"account", "memberships", "moderation", "alerts", "gazette", "messaging"} <= set(names)


@pytest.mark.django_db
def test_every_sections_export_lands_in_the_archive_data(jeanne_resident):
    data = account_export_data(user=jeanne_resident)

    for section in gdpr_sections():
        if section.export is not None:
            part = section.export(user=jeanne_resident)
            assert isinstance(part, ExportPart)
            assert set(part.data) <= set(data), section.name
