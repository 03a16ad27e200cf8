"""OpenAPI: the extensions (loaded by ApiConfig.ready) and the schema class that documents
every operation's error answers (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.django_allauth import XSessionTokenAuthenticationScheme
from drf_spectacular.openapi import AutoSchema

from api.errors import PROBLEM_CONTENT_TYPE
from api.serializers.common import ProblemOut, StrictSerializer
from diary.choices import ReminderKind


class ApiSessionScheme(SessionScheme):
    target_class = "api.authentication.SessionAuthentication"


class ApiXSessionTokenScheme(XSessionTokenAuthenticationScheme):
    target_class = "api.authentication.XSessionTokenAuthentication"


# What each error answer means, for an operation that did not say it more precisely.
PROBLEMS = {
    400: "Invalid input (a parameter or the body): `errors` names each field and says why. Nothing was stored.",
    401: "Not signed in.",
    403: "Not allowed: another role's endpoint, a clinician without a second factor, or a missing CSRF token.",
    404: "Not found, or not yours to see: a stranger's id answers the same as one that does not exist.",
    409: "Conflicts with what is stored (the problem carries it as `current` where there is one).",
    412: "If-Match names a version that is no longer the stored one.",
    413: "The body is larger than the server accepts.",
    429: "Too many attempts: wait as Retry-After says, then try again.",
}
_NO_BODY = "No response body"  # drf-spectacular's description for `responses={409: None}`
# Path parameters are plain <str:...> in the URLs, so that a malformed one is a 400 naming it
# (not the router's 404); the schema says what a well-formed one is.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    **{
        name: {"type": "string", "format": "uuid"}
        for name in ("patient_id", "dose_id", "link_id", "flag_id", "subscription_id")
    },
    "day": {"type": "string", "format": "date"},
    "kind": {"type": "string", "enum": list(ReminderKind.values)},
}


class ProblemAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus a problem-details answer (``api.errors``) for each
    error an operation can give.

    1. Derived from the operation: 400 when it takes parameters or a body, 413 when it takes
       a body (``RequestBodyGuardMiddleware``), 404 when its path has parameters or it is
       paged, 401 and 403 when it needs a signed-in caller.
    2. Declared by the view, which alone knows them: 409, 412 and 429
       (``extend_schema(responses={409: OpenApiResponse(description=...)})``).
    Each gets the ``Problem`` schema as ``application/problem+json`` (and a page for a view
    that renders pages), and the view's own description when it gave one.
    """

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] in PATH_PARAMETERS:
                parameter["schema"] = PATH_PARAMETERS[parameter["name"]]
        responses: dict[str, Any] = operation["responses"]
        declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
        content = {PROBLEM_CONTENT_TYPE: {"schema": self.resolve_serializer(ProblemOut, "response").ref}}
        # A view that also renders pages (unsubscribe's HTML) shows its errors as a page too.
        content.update({page: {"schema": {"type": "string"}} for page in self._page_media_types()})
        for code in sorted(declared | self._derived_errors(operation)):
            description = responses.get(str(code), {}).get("description")
            responses[str(code)] = {
                "description": description if description and description != _NO_BODY else PROBLEMS[code],
                "content": content,
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def resolve_serializer(self, serializer: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        """An input serializer that refuses unknown fields says so (additionalProperties) in
        its component (a request body's, and each nested one's: every serializer of a schema
        is resolved here). Request components are their own (COMPONENT_SPLIT_REQUEST)."""
        component = super().resolve_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(component.object, StrictSerializer) and component.schema:
            component.schema["additionalProperties"] = False
        return component

    def _page_media_types(self) -> list[str]:
        return [media_type for media_type in self.map_renderers("media_type") if "json" not in media_type]

    def _derived_errors(self, operation: dict[str, Any]) -> set[int]:
        codes = set()
        if operation.get("parameters") or operation.get("requestBody"):
            codes.add(400)
        if operation.get("requestBody"):
            codes.add(413)
        paged = any(p["name"] == "page" and p["in"] == "query" for p in operation.get("parameters", []))
        if "{" in self.path or paged:  # DRF's paginator answers 404 for a page past the end
            codes.add(404)
        security = operation.get("security") or []
        if security and {} not in security:  # no anonymous alternative
            codes |= {401, 403}
        return codes
