from django.core.management.base import BaseCommand, CommandError

from demo.platform_scale import platform_seed
from demo.scale import SeedError, commune_find, members_seed
from demo.scale_alerts import alerts_seed


class Command(BaseCommand):
    help = (
        "Crée des membres synthétiques vérifiés (numéros fictifs +33629…/+33619…) dans une "
        "commune, pour les mesures de performance. Complète jusqu'au nombre demandé ; ne "
        "supprime rien. Avec --alerts, une année d'alertes d'habitants réparties sur les "
        "communautés et les mois, avec leurs envois et leurs résultats. Avec --communes N, "
        "toute une plateforme : N communes de tailles réalistes (quelques villes, beaucoup de "
        "villages), leurs sites et leurs pages, qui se partagent les --members membres."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, required=True, help="Nombre de membres synthétiques visé"
        )
        parser.add_argument(
            "--commune",
            default="cadaujac",
            help="Commune : nom en minuscules sans accents, nom d'hôte ou code INSEE",
        )
        parser.add_argument(
            "--communities", type=int, default=5, help="Répartis sur N communautés (défaut 5)"
        )
        parser.add_argument(
            "--communes",
            type=int,
            default=0,
            help="Créer N communes synthétiques qui se partagent les membres (ex. 600)",
        )
        parser.add_argument(
            "--alerts",
            type=int,
            default=0,
            help="Nombre d'alertes d'essai visé sur les 12 derniers mois, avec leurs envois",
        )

    def handle(self, *args, **options):
        if options["communes"]:
            self._platform(options)
            return
        try:
            commune = commune_find(slug=options["commune"])
            result = members_seed(
                commune=commune, members=options["members"], communities=options["communities"]
            )
        except SeedError as error:
            raise CommandError(str(error)) from error
        self._members_report(commune, result, options)
        if options["alerts"]:
            try:
                seeded = alerts_seed(commune=commune, alerts=options["alerts"])
            except SeedError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                self.style.SUCCESS(
                    f"{commune.name} : {seeded.created:,} alertes d'essai créées avec "
                    f"{seeded.deliveries:,} envois en {seeded.seconds:.1f} s ; "
                    f"{seeded.total:,} en tout."
                )
            )

    def _members_report(self, commune, result, options):
        names = ", ".join(c.name for c in result.communities)
        if result.created == 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{commune.name} : déjà {result.total:,} membres synthétiques vérifiés "
                    f"(≥ {options['members']:,}), rien à créer."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{commune.name} : {result.created:,} membres synthétiques créés "
                f"({result.with_email:,} avec e-mail) en {result.seconds:.1f} s, répartis sur "
                f"{len(result.communities)} communautés ({names}) ; {result.total:,} en tout."
            )
        )

    def _platform(self, options):
        try:
            result = platform_seed(
                communes=options["communes"],
                members=options["members"],
                log=lambda line: self.stdout.write(line),
            )
        except SeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.communes:,} communes synthétiques ({result.created_communes:,} "
                f"créées, {result.pages:,} pages), {result.members:,} membres créés en "
                f"{result.seconds:.0f} s ; de {result.largest:,} membres pour la plus grande à "
                f"{result.smallest:,} pour la plus petite."
            )
        )
