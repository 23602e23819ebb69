"""Base class for the product's management commands (the `qz` CLI).

It makes every command behave the same way: plain one-line errors, `--json` output,
and a database that is migrated before the first command that needs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    SystemCheckError,
)

from qingzhuang.core.errors import ApplicationError

DJANGO_OPTIONS = {
    "--version",
    "--verbosity",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
}


def ensure_migrated() -> None:
    """Bring a fresh embedded database up to date so `qz <cmd>` works from a clean clone."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from config import env

    env.DATA_DIR.mkdir(parents=True, exist_ok=True)
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    if executor.migration_plan(targets):
        call_command("migrate", verbosity=0, interactive=False)


class QzCommand(BaseCommand):
    """A product command. Subclasses implement `run(**options)` and return data for --json."""

    needs_database = True
    json_option = True

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name.replace("manage.py", "qz"), subcommand, **kwargs)
        # Django's own options keep working but stay out of --help, which speaks to township
        # staff ("--settings … myproject.settings.main" means nothing to them).
        for action in parser._actions:
            if set(action.option_strings) & DJANGO_OPTIONS:
                action.help = argparse.SUPPRESS
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        if self.json_option:
            parser.add_argument(
                "--json", action="store_true", help="以 JSON 格式输出 (machine output)"
            )

    def execute(self, *args: Any, **options: Any) -> Any:
        """On the command line an error is one plain line, "错误：…", without Django's English
        "CommandError:" prefix; called from code (call_command, tests) it is still raised."""
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            from_shell = getattr(self, "_called_from_command_line", False)
            if not from_shell or options.get("traceback") or isinstance(exc, SystemCheckError):
                raise
            self.stderr.write(f"错误：{exc}")
            sys.exit(exc.returncode)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if self.needs_database:
                ensure_migrated()
            result = self.run(*args, **options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc
        except Exception as exc:  # third-party parsers raise their own types
            message = getattr(exc, "message", None)
            if isinstance(message, str):
                raise CommandError(message) from exc
            raise
        if result is None:
            return
        if options.get("json"):
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        else:
            self.print_human(result)

    def run(self, *args: Any, **options: Any) -> Any:
        raise NotImplementedError

    def print_human(self, result: Any) -> None:
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))

    def progress(self, iterable: Any, **kwargs: Any) -> Any:
        """A progress bar on an interactive terminal, nothing otherwise."""
        if not sys.stderr.isatty():
            return iterable
        from tqdm import tqdm

        return tqdm(iterable, file=sys.stderr, **kwargs)
