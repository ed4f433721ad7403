from django.core.management.base import BaseCommand

from surveys.models import Survey
from surveys.shipped import shipped_surveys_load


class Command(BaseCommand):
    help = "Load the shipped survey definitions; a changed definition makes a new version."

    def handle(self, *args, **options):
        before = Survey.objects.count()
        surveys = shipped_surveys_load()
        created = Survey.objects.count() - before
        versions = ", ".join(f"{key} v{survey.version}" for key, survey in surveys.items())
        self.stdout.write(f"Surveys loaded ({created} new versions): {versions}.")
