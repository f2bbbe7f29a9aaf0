"""`manage.py reset_throttles`: forget every throttle count, so a locked-out owner may sign
in (or a user simulate) again at once."""

from typing import Any

from django.core.management.base import BaseCommand

from designer.throttling import throttles_reset


class Command(BaseCommand):
    help = "Forget every throttle count (sign-in, token and expensive requests)."

    def handle(self, *args: Any, **options: Any) -> None:
        cleared = throttles_reset()
        if cleared is None:
            self.stdout.write("Throttle counts cleared (the local-memory cache was emptied).")
        else:
            self.stdout.write(f"Throttle counts cleared: {cleared} in Redis.")
