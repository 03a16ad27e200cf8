"""One error shape for the whole API: RFC 9457 problem details with per-field messages.

    {"type": "/api/v1/problems/invalid-input", "title": "Invalid input", "status": 400,
     "detail": "pain_score: Ensure this value is less than or equal to 10.",
     "errors": {"pain_score": ["Ensure this value is less than or equal to 10."]}}

412 and 409 problems carry the stored object as `current`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from api.authentication import SignedOutIdle
from api.serializers.conflicts import represent_conflict
from api.sessions import idle_message, signed_out_note
from diary.services.errors import Conflict, InvalidInput, NotFound, PreconditionFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"
# A clinician signed out after CLINICIAN_IDLE_TIMEOUT without activity (api/sessions.py).
SIGNED_OUT_IDLE_TYPE = "/api/v1/problems/signed-out-idle"
TITLES = {
    400: "Invalid input",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    428: "Precondition required",
    429: "Too many requests",
    500: "Server error",
}
SLUGS = {
    400: "invalid-input",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    415: "unsupported-media-type",
    429: "throttled",
    500: "server-error",
}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error structure into {"side_effects.0.severity": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                path = prefix or "body"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for k, v in flatten_errors(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "body"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item in ({}, []):
                    continue
                path = f"{prefix}.{index}" if prefix else str(index)
                for k, v in flatten_errors(item, path).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "body"] = [str(detail)]
    return out


def problem_body(
    status_code: int, detail: str, *, errors: dict[str, list[str]] | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"/api/v1/problems/{SLUGS.get(status_code, 'error')}",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def problem(
    status_code: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_body(status_code, detail, errors=errors, extra=extra)
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _summary(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


def signed_out_idle(exc: Exception, context: dict[str, Any]) -> bool:
    """The caller was signed out for inactivity: just now (a session token), or by the
    request that found a cookie session idle (it left a note, kept until the next sign-in)."""
    if isinstance(exc, SignedOutIdle):
        return True
    return signed_out_note(context.get("request"))


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _problem_for(exc, context)
    renderer = getattr(context.get("request"), "accepted_renderer", None)
    if response is not None and renderer is not None and "json" not in renderer.media_type:
        response.content_type = None  # a page (unsubscribe's HTML) was asked for: its own type
    return response


def _problem_for(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, InvalidInput):
        return problem(400, _summary(exc.errors), errors=exc.errors)
    if isinstance(exc, DjangoValidationError):
        errors = flatten_errors(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return problem(400, _summary(errors), errors=errors)
    if isinstance(exc, PreconditionFailed):
        current = represent_conflict(exc.current, context)
        return problem(
            412,
            "The entry has changed since you last saw it. Both versions are kept; choose which to keep.",
            extra={"current": current},
        )
    if isinstance(exc, Conflict):
        return problem(409, exc.message, extra={"current": represent_conflict(exc.current, context)})
    if isinstance(exc, (NotFound, Http404)):
        return problem(404, "Not found.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        errors = {"body": ["Send a JSON body with Content-Type: application/json."]}
        return problem(400, _summary(errors), errors=errors)
    if isinstance(exc, exceptions.ParseError):
        errors = {"body": [f"The body is not valid JSON: {exc.detail}"]}
        return problem(400, _summary(errors), errors=errors)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        return problem(400, _summary(errors), errors=errors)

    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated) and signed_out_idle(exc, context):
        return problem(
            401,
            idle_message(),
            extra={"type": SIGNED_OUT_IDLE_TYPE},
            headers={"WWW-Authenticate": 'Session realm="api"'},
        )

    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    return problem(response.status_code, str(detail), headers=headers)
