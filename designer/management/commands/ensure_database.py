from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL database DATABASE_URL names when it is missing (as `make "
        "cluster` does); SQLite needs nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        database = connections["default"].settings_dict
        if database["ENGINE"] != "django.db.backends.postgresql":
            self.stdout.write("Database: SQLite, created on first use")
            return
        import psycopg
        from psycopg import sql

        name = database["NAME"]
        # The server's maintenance database: the one wanted may not exist yet.
        try:
            with psycopg.connect(
                host=database["HOST"] or None,
                port=database["PORT"] or None,
                user=database["USER"] or None,
                password=database["PASSWORD"] or None,
                dbname="postgres",
                autocommit=True,
            ) as server:
                found = server.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if found:
                    self.stdout.write(f"Database: {name} is there")
                    return
                server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.OperationalError as error:
            raise CommandError(f"cannot reach PostgreSQL for {name}: {error}") from error
        self.stdout.write(f"Database: {name} created")
