"""The app's API types (frontend/src/schema.gen.ts) are generated from the OpenAPI schema
the API serves (api/schema_ts.py), never typed by hand: this fails when the committed
module is not what the serializers give now."""

from __future__ import annotations

from django.core.management import call_command

from api.schema_ts import TARGET, module


def test_the_committed_types_are_what_the_schema_gives_now():
    assert TARGET.read_text() == module(), "frontend/src/schema.gen.ts is out of date: run `manage.py schema_ts`"


def test_the_check_command_passes_on_the_committed_module():
    call_command("schema_ts", "--check")
