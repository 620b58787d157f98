from django.core.management.base import BaseCommand

from kenes.security.keys import new_key


class Command(BaseCommand):
    help = "Print a new random key for KENES_FIELD_KEYS (put it first, keep the old ones after it)."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(new_key())
