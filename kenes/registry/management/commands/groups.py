import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kenes.registry.management.commands._output import emit
from kenes.registry.models import ConstituentGroup
from kenes.registry.selectors import group_sizes
from kenes.registry.services import do_add_group


class Command(BaseCommand):
    help = "Constituent groups: `kenes groups add SLUG --name NAME`, `kenes groups list`."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("slug")
        add.add_argument("--name", required=True)
        add.add_argument("--concern", default="")
        add.add_argument("--json", action="store_true")
        lst = sub.add_parser("list")
        lst.add_argument("--json", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self._json = options["json"]
        if options["action"] == "add":
            try:
                group = do_add_group(
                    options["slug"],
                    name=options["name"],
                    concern=options["concern"],
                    acting_user=f"cli:{getpass.getuser()}",
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages), returncode=2) from exc
            emit(
                self,
                {"slug": group.slug, "name": group.name, "concern": group.concern},
                f"Added group {group.slug}: {group.name}.",
            )
            return
        sizes = group_sizes()
        groups = list(ConstituentGroup.objects.order_by("slug"))
        for g in groups:
            g.n = sizes.get(g.pk, 0)
        payload = {"groups": [{"slug": g.slug, "name": g.name, "members": g.n} for g in groups]}
        emit(self, payload, "\n".join(f"{g.slug}\t{g.n}\t{g.name}" for g in groups))
