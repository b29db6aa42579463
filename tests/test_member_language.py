"""One rule for the language a member is written to in (``accounts.member_language``).

Their saved language when the site offers it, French otherwise: for their pages
(``in_member_language``) and for every e-mail, SMS and notice written to them.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.member_language import member_language

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("saved", "written"), [("en", "en"), ("fr", "fr"), ("", "fr"), ("de", "fr")]
)
def test_a_member_is_written_to_in_their_language_or_else_in_french(make_user, saved, written):
    member = make_user("ines@cadaujac.test")
    member.language = saved

    assert member_language(member) == written


def test_someone_without_an_account_is_written_to_in_french():
    assert member_language(AnonymousUser()) == "fr"
    assert member_language(None) == "fr"
