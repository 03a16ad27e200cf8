"""What the commands that write a generated frontend module share (`manage.py rules_ts`,
`manage.py schema_ts`): write it, or with --check fail when the committed one is not what
the generator gives now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class GeneratedModuleCommand(BaseCommand):
    target: Path
    name = ""  # the command, for the message that says how to refresh the file

    def module(self) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only check that the file is up to date.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = self.module()
        if options["check"]:
            if not self.target.is_file() or self.target.read_text() != text:
                raise CommandError(f"{self.target} is out of date: run `manage.py {self.name}`.")
            self.stdout.write(f"{self.target.name} is up to date.")
            return
        self.target.write_text(text)
        self.stdout.write(f"wrote {self.target}")
