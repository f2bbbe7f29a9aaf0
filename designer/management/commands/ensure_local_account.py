import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Make sure the local account exists; a new one gets a random password, written to "
        "a file only its owner can read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="vivido")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        path = settings.VAR_DIR / "local-account.txt"
        users = get_user_model().objects
        if users.filter(username=username).exists():
            where = (
                f"in {path}"
                if path.exists()
                else "unchanged (set it with `manage.py changepassword`)"
            )
            self.stdout.write(f"Account: {username} — password {where}")
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(f"username: {username}\npassword: {password}\n", "utf-8")
        self.stdout.write(f"Account: {username} — password in {path}")
