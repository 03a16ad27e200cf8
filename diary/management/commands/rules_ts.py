"""Write frontend/src/rules.gen.ts: the server's input rules for the app (api/rules_ts.py).

manage.py rules_ts           # write it
manage.py rules_ts --check   # exit 1 when the committed file is out of date
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.rules_ts import TARGET, module


class Command(BaseCommand):
    help = "Write frontend/src/rules.gen.ts from the server's serializers and constants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only check that the file is up to date.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = module()
        if options["check"]:
            if not TARGET.is_file() or TARGET.read_text() != text:
                raise CommandError(f"{TARGET} is out of date: run `manage.py rules_ts`.")
            self.stdout.write(f"{TARGET.name} is up to date.")
            return
        TARGET.write_text(text)
        self.stdout.write(f"wrote {TARGET}")
