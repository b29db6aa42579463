"""A member's SMS opt-out (STOP) and opt-in (START): one rule for every way it reaches us.

The member texts STOP to the relay number, or the carrier tells the provider they did
(Twilio error 21610): either way no SMS is sent to them again until they text START. The
date kept is that of the first STOP (``Profile.sms_opted_out_at``).
"""

from django.db import transaction
from django.utils import timezone

from .models import Profile


@transaction.atomic
def sms_opt_out(*, user_id: int, at=None) -> None:
    """Record that the member refuses SMS; a second STOP keeps the first date."""
    profile, _created = Profile.objects.get_or_create(user_id=user_id)
    Profile.objects.filter(pk=profile.pk, sms_opted_out_at=None).update(
        sms_opted_out_at=at or timezone.now()
    )


def sms_opt_in(*, user_id: int) -> None:
    """The member accepts SMS again (START)."""
    Profile.objects.update_or_create(user_id=user_id, defaults={"sms_opted_out_at": None})
