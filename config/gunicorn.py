"""gunicorn's settings for the web process (Dockerfile: ``-c python:config.gunicorn``).

gunicorn writes ``Server: gunicorn`` into every response itself, outside the WSGI
application, and has no setting to leave it out. The name and version of the server help
nobody but someone looking for a known flaw, so the line is dropped here: the one change
to gunicorn's own code in this project, in this one place. tests/config/test_headers.py
starts gunicorn with this module and reads a response's headers, so an upgrade that
changes ``Response.default_headers`` fails there.
"""

from __future__ import annotations

from typing import Any

from gunicorn.http import wsgi  # type: ignore[import-untyped]

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: Any) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
