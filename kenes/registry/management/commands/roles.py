import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kenes.registry.management.commands._output import emit
from kenes.registry.models import ConstituentGroup, Role
from kenes.registry.services import do_grant_role, do_revoke_role, get_user_by_name


class Command(BaseCommand):
    help = (
        "Officers' roles: `kenes roles grant USER admin|regional|group|auditor "
        "[--region CODE] [--group SLUG]`, `kenes roles revoke ...`, `kenes roles list`."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("grant", "revoke"):
            p = sub.add_parser(name)
            p.add_argument("username")
            p.add_argument("kind", choices=["admin", "regional", "group", "auditor"])
            p.add_argument("--region", default="")
            p.add_argument("--group")
            p.add_argument("--json", action="store_true")
        lst = sub.add_parser("list")
        lst.add_argument("--json", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self._json = options["json"]
        actor = f"cli:{getpass.getuser()}"
        if options["action"] == "list":
            roles = Role.objects.select_related("user", "group").order_by("user__username")
            rows = [
                {
                    "user": r.user.username,
                    "kind": r.kind,
                    "region": r.region_code,
                    "group": r.group.slug if r.group else None,
                }
                for r in roles
            ]
            emit(
                self,
                {"roles": rows},
                "\n".join(
                    f"{r['user']}\t{r['kind']}\t{r['region'] or r['group'] or ''}" for r in rows
                ),
            )
            return
        try:
            user = get_user_by_name(options["username"])
            group = None
            if options["group"]:
                group = ConstituentGroup.objects.filter(slug=options["group"]).first()
                if group is None:
                    raise ValidationError(f"There is no group {options['group']}.")
            if options["action"] == "grant":
                role = do_grant_role(
                    user,
                    options["kind"],
                    region_code=options["region"],
                    group=group,
                    acting_user=actor,
                )
                emit(self, {"granted": str(role)}, f"Granted: {role}.")
            else:
                roles = Role.objects.filter(user=user, kind=options["kind"], group=group)
                if options["region"]:
                    roles = roles.filter(region_code=options["region"])
                n = 0
                for role in roles:
                    do_revoke_role(role, acting_user=actor)
                    n += 1
                emit(self, {"revoked": n}, f"Revoked {n} role(s).")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
