from django.core.management.base import BaseCommand

from consultants.reference import reference_load


class Command(BaseCommand):
    help = "Load the 8 RAR areas, 98 municipalities and their jobcentres (idempotent)."

    def handle(self, *args, **options):
        result = reference_load()
        self.stdout.write(
            f"Reference data loaded: {result.created} created, {result.updated} updated."
        )
