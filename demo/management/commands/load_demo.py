from django.core.management.base import BaseCommand

from demo.loader import demo_load


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : ce qui existe est conservé)."

    def handle(self, *args, **options):
        communes = demo_load()
        for commune in communes.values():
            self.stdout.write(f"{commune.name} : {commune.site.root_url}/")
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
