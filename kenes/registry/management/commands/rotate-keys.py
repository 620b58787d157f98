import getpass

from django.core.management.base import BaseCommand

from kenes.registry.keyrotation import do_rotate_keys
from kenes.registry.management.commands._output import emit


class Command(BaseCommand):
    help = "Re-encrypt all personal data under the first key in KENES_FIELD_KEYS."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self._json = options["json"]
        result = do_rotate_keys(acting_user=f"cli:{getpass.getuser()}")
        emit(
            self,
            result,
            f"Re-encrypted {result['members']} members and {result['imports']} "
            f"pending imports under key {result['key']}.",
        )
