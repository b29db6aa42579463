"""allauth login stages, adjusted."""

from allauth.account.stages import PhoneVerificationStage as AllauthPhoneVerificationStage
from allauth.core.exceptions import RateLimited
from allauth.core.internal.httpkit import headed_redirect_response
from django.contrib import messages
from django.utils.translation import gettext as _


class PhoneVerificationStage(AllauthPhoneVerificationStage):
    """allauth's phone step, which lets a rate-limited SMS become a server error.

    Signing in again moments after a code was sent (per number, ``verify_phone`` limit)
    now shows the code page with a request to wait and ask for a new code.
    """

    def handle(self):
        try:
            return super().handle()
        except RateLimited:
            messages.error(
                self.request,
                _(
                    "Un code vient d'être envoyé à ce numéro. Patientez une minute, puis "
                    "demandez un nouveau code."
                ),
            )
            return headed_redirect_response("account_verify_phone"), True
