"""Write frontend/src/rules.gen.ts: the server's input rules for the app (api/rules_ts.py).

manage.py rules_ts           # write it
manage.py rules_ts --check   # exit 1 when the committed file is out of date
"""

from __future__ import annotations

from api.generated import GeneratedModuleCommand
from api.rules_ts import TARGET, module


class Command(GeneratedModuleCommand):
    help = "Write frontend/src/rules.gen.ts from the server's serializers and constants."
    target = TARGET
    name = "rules_ts"

    def module(self) -> str:
        return module()
