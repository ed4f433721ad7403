"""manage.py seed_demo: the demo campaign at the report's scale (or smaller)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.generator import DEMO_CAMPAIGN, seed_demo
from demo.targets import scale_parse


def scale_argument(value: str) -> str:
    try:
        scale_parse(value)
    except ValueError as error:
        raise CommandError(str(error)) from None
    return value


class Command(BaseCommand):
    help = (
        "Seed the demo: reference data, the 2015-16 company campaign with its visits, "
        "outcomes, agreements, follow-ups and surveys, and one log-in per role. "
        "Deterministic per --seed; does nothing if the demo campaign exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--scale",
            type=scale_argument,
            default="report",
            help="report (default: the report's figures), small (a tenth) or a number of visits",
        )

    def handle(self, *args, seed: int, scale: str, **options):
        started = time.monotonic()
        result = seed_demo(seed=seed, scale=scale)
        if not result.created:
            self.stdout.write(f"The demo is already seeded ({DEMO_CAMPAIGN} exists); nothing done.")
        else:
            elapsed = time.monotonic() - started
            figures = ", ".join(f"{key} {value}" for key, value in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Seeded {DEMO_CAMPAIGN} in {elapsed:.1f} s."))
            self.stdout.write(figures)
        self.stdout.write("Demo log-ins (username / password):")
        for login in result.logins:
            self.stdout.write(f"  {login.username:<12} {login.password:<24} {login.note}")
