from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from designer.services import flow_examples_load


class Command(BaseCommand):
    help = "Load the guide's three example flows for an account; flows it has already stay."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="vivido", help="account name (default: vivido)")

    def handle(self, *args: Any, owner: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"no account named {owner!r}: create it first")
        for flow, created in flow_examples_load(owner=user):
            state = "loaded" if created else "already there"
            self.stdout.write(f"{flow.name}: {state}")
