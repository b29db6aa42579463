from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.services import commune_create


class Command(BaseCommand):
    help = (
        "Crée une commune : site Wagtail, arborescence de pages, collection de médias et "
        "groupes du personnel de mairie. Sans effet si la commune existe déjà."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Nom de la commune, ex. Cadaujac")
        parser.add_argument("--insee", required=True, help="Code INSEE, ex. 33080")
        parser.add_argument("--hostname", required=True, help="Nom d'hôte du site de la commune")
        parser.add_argument("--port", type=int, default=80)
        parser.add_argument("--sms-sender", default=None, help="Nom d'expéditeur SMS (≤ 11)")

    def handle(self, *args, **options):
        try:
            result = commune_create(
                name=options["name"],
                insee_code=options["insee"],
                hostname=options["hostname"],
                port=options["port"],
                sms_sender_name=options["sms_sender"],
            )
        except ValidationError as error:
            messages = [
                f"{field}: {message}"
                for field, field_messages in error.message_dict.items()
                for message in field_messages
            ]
            raise CommandError("\n".join(messages)) from error
        commune = result.commune
        verb = "Commune créée" if result.created else "Commune déjà présente, rien à créer"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} : {commune.name} ({commune.insee_code}) sur {commune.site.hostname}"
            )
        )
