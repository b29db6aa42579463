"""Print a new VAPID key pair for web push, ready to paste into the environment."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from notifications.push_keys import vapid_keys_generate


class Command(BaseCommand):
    help = _(
        "Crée une paire de clés VAPID pour les notifications web (web push) et l'affiche "
        "sous la forme VAPID_PUBLIC_KEY=… / VAPID_PRIVATE_KEY=…."
    )

    def handle(self, *args, **options):
        public_key, private_key = vapid_keys_generate()
        # Only the two lines on stdout, so that `generate_vapid_keys >> .env` just works.
        self.stdout.write(f"VAPID_PUBLIC_KEY={public_key}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private_key}")
        self.stderr.write(
            _(
                "Gardez la clé privée secrète. Changer de clés oblige chaque membre à "
                "réactiver les notifications sur ses appareils."
            )
        )
