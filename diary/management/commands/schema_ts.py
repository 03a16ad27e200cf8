"""Write frontend/src/schema.gen.ts: the API's OpenAPI schema as TypeScript types (api/schema_ts.py).

manage.py schema_ts           # write it
manage.py schema_ts --check   # exit 1 when the committed file is out of date
"""

from __future__ import annotations

from django.core.management.base import CommandError

from api.generated import GeneratedModuleCommand
from api.schema_ts import TARGET, GeneratorMissing, module


class Command(GeneratedModuleCommand):
    help = "Write frontend/src/schema.gen.ts from the API's OpenAPI schema."
    target = TARGET
    name = "schema_ts"

    def module(self) -> str:
        try:
            return module()
        except GeneratorMissing as missing:
            raise CommandError(str(missing)) from missing
