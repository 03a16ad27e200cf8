"""Write frontend/src/schema.gen.ts: the API's OpenAPI schema as TypeScript types (api/schema_ts.py).

manage.py schema_ts           # write it
manage.py schema_ts --check   # exit 1 when the committed file is out of date
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.schema_ts import TARGET, GeneratorMissing, module


class Command(BaseCommand):
    help = "Write frontend/src/schema.gen.ts from the API's OpenAPI schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only check that the file is up to date.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = module()
        except GeneratorMissing as missing:
            raise CommandError(str(missing)) from missing
        if options["check"]:
            if not TARGET.is_file() or TARGET.read_text() != text:
                raise CommandError(f"{TARGET} is out of date: run `manage.py schema_ts`.")
            self.stdout.write(f"{TARGET.name} is up to date.")
            return
        TARGET.write_text(text)
        self.stdout.write(f"wrote {TARGET}")
