"""Run the outbox's beat job once: sweep, claim the due messages and send them (inline in
the demo, where Celery runs eagerly; through the workers otherwise)."""

from django.core.management.base import BaseCommand

from notifications.dispatch import messages_dispatch


class Command(BaseCommand):
    help = "Send the outbox messages now due (what the beat job does every minute)."

    def handle(self, *args, **options):
        result = messages_dispatch()
        self.stdout.write(
            f"swept {result.swept}, claimed {result.claimed}, "
            f"handed to Celery {result.published}, back to pending {result.unpublished}"
        )
