import os
import signal
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kenes.agenda.demo import OPEN_TITLE, seed_demo_consultation
from kenes.ballots.demo import demo_codes_lines, seed_demo_elections
from kenes.congress.demo import seed_demo_congress
from kenes.parliament.demo import seed_demo_scenarios
from kenes.registry.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Migrate, seed the demo movement (once) and serve it on 127.0.0.1 with a background "
        "worker. `--no-serve` only migrates and seeds."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--members", type=int, default=5600)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if settings.PRODUCTION:
            self.stderr.write(
                "`kenes demo` is for trying Kenes out: run it with KENES_ENV=development."
            )
            raise SystemExit(2)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Seeding the demo movement (the first time takes a minute)…")
        logins = seed_demo(
            members=options["members"],
            seed=options["seed"],
            logins_file=settings.VAR_DIR / "demo-logins.txt",
        )
        codes_file = settings.VAR_DIR / "demo-codes.txt"
        admin = get_user_model().objects.filter(username="admin").first()
        if admin is not None:
            self.stdout.write("Seeding the demo's elections and votes…")
            seed_demo_elections(seed=options["seed"], admin=admin, codes_file=codes_file)
            seed_demo_scenarios(admin=admin)
            seed_demo_consultation(seed=options["seed"], admin=admin, codes_file=codes_file)
            seed_demo_congress(
                admin=admin,
                secretary=get_user_model().objects.filter(username="admin2").first(),
                badges_file=settings.VAR_DIR / "demo-badges.txt",
            )
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write(f"\nKenes demo: open {url} and log in as one of:")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<18} {password:<16} {role}")
        self.stdout.write(f"(also kept in {settings.VAR_DIR / 'demo-logins.txt'})\n")
        lines = [line.split("\t") for line in demo_codes_lines(codes_file)]
        if lines:
            self.stdout.write(
                f"Members take part without an account, with a personal code: vote at {url}vote/ "
                f"(e.g. {lines[0][0]})"
            )
            opinion = next((line for line in lines if line[2] == OPEN_TITLE), None)
            if opinion:
                self.stdout.write(
                    f"give opinions (agree / disagree / add a statement) at {url}consult/ "
                    f"(e.g. {opinion[0]})"
                )
            report = next(
                (line for line in lines if line[2] not in (lines[0][2], OPEN_TITLE)), None
            )
            if report:
                self.stdout.write(
                    f"and read an analysed consultation's report at {url}consult/ "
                    f"(e.g. {report[0]}; officers see both under Consultations); "
                    f"more codes in {codes_file}.\n"
                )
        badges = settings.VAR_DIR / "demo-badges.txt"
        if badges.exists() and badges.read_text(encoding="utf-8").strip():
            first = badges.read_text(encoding="utf-8").split("\t", 1)[0]
            self.stdout.write(
                f"An ordinary congress is a week ahead: keep its door at {url}congress/ "
                f"with a delegate's badge code (e.g. {first}; all in {badges}).\n"
            )
        if options["no_serve"]:
            return
        kenes = [sys.executable, "-m", "kenes"]
        worker = subprocess.Popen([*kenes, "worker", "--interval", "0.5"])
        try:
            subprocess.run(
                [*kenes, "runserver", f"127.0.0.1:{options['port']}", "--noreload"], check=False
            )
        except KeyboardInterrupt:
            pass
        finally:
            worker.send_signal(signal.SIGINT)
            worker.wait(timeout=10)
