import os
import threading
from typing import Any

from daphne.cli import CommandLineInterface
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Vivido (pages, API, websockets, static files) with Daphne in one process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="serve the static files already collected (several processes started at "
            "once share one collectstatic, run before them)",
        )

    def handle(
        self, *args: Any, host: str, port: int, no_collectstatic: bool, **options: Any
    ) -> None:
        # whitenoise serves what collectstatic gathered; gathering again is cheap and means
        # a fresh checkout never serves stale or missing assets.
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        from django.conf import settings

        from runs.dispatch import dispatcher

        if settings.VIVIDO_RUN_DISPATCH == "celery":
            # Workers execute the runs; this process decides, records and broadcasts only,
            # and takes over nothing at start (the sweep finds what was lost).
            self.stdout.write("Runs execute on Celery workers (VIVIDO_RUN_DISPATCH=celery)")

        engine = dispatcher()
        if engine is not None:
            resumed = engine.recover()
            if resumed:
                self.stdout.write(f"Resuming {resumed} run(s) that were in flight")
        self.stdout.write(f"Vivido on http://{host}:{port}/ (Ctrl+C stops it)")
        arguments = ["--bind", host, "--port", str(port), "--proxy-headers"]
        try:
            CommandLineInterface().run([*arguments, "designer.asgi:application"])
        finally:
            if engine is not None:
                engine.stop()
            # A step still in its transaction must not hold the exit: the next start resumes
            # every run from the database, as after a hard kill.
            deadline = threading.Timer(5, os._exit, args=(0,))
            deadline.daemon = True
            deadline.start()
