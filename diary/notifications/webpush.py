"""Web Push: RFC 8291 payload encryption (aes128gcm) and RFC 8292 VAPID, via pywebpush.

`push_send` makes one attempt and raises a typed error; retry the transient ones with
diary.notifications.retry.with_retry.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPusher

from diary.notifications.retry import Transient

TTL_SECONDS = 4 * 60 * 60  # a dose reminder older than four hours is no use
TOKEN_LIFETIME = 12 * 60 * 60  # RFC 8292: at most 24 h


class PushError(Exception):
    """Base: the push service did not take the message."""

    reason: str

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class PushGone(PushError):
    """404/410: the subscription no longer exists; delete it."""


class PushRetryable(PushError, Transient):
    """429, 5xx, a timeout or a broken connection: try again later."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PushRejected(PushError):
    """Any other answer (400, 403, 413 …): retrying the same request will not help."""


@dataclass(frozen=True)
class Target:
    endpoint: str
    p256dh: str
    auth: str

    @property
    def origin(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vapid_generate() -> tuple[str, str]:
    """A new key pair: (private key PEM, applicationServerKey base64url)."""
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, vapid_public_key(pem)


def vapid_public_key(private_pem: str) -> str:
    vapid = Vapid02.from_pem(private_pem.encode())
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


class VapidSigner:
    """Signs one VAPID JWT per push-service origin and reuses it until it nears expiry.

    Every message to the same origin may carry the same token (RFC 8292 §2), so a batch
    of thousands costs one ES256 signature per push service. A fresh claims dict is built
    for each signature: pywebpush's own helper mutates the dict it is given.
    """

    def __init__(self, private_pem: str, subject: str, clock: Callable[[], float] = time.time) -> None:
        self._vapid = Vapid02.from_pem(private_pem.encode())
        self._subject = subject
        self._clock = clock
        self._tokens: dict[str, tuple[float, dict[str, str]]] = {}

    def headers(self, origin: str) -> dict[str, str]:
        now = self._clock()
        cached = self._tokens.get(origin)
        if cached is None or cached[0] - now < 600:
            expires = now + TOKEN_LIFETIME
            claims = {"aud": origin, "exp": int(expires), "sub": self._subject}
            cached = (expires, dict(self._vapid.sign(claims)))
            self._tokens[origin] = cached
        return dict(cached[1])


def push_session(pool_size: int) -> requests.Session:
    """One session per batch: connections to a push service are reused."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def push_send(
    target: Target,
    payload: bytes,
    signer: VapidSigner,
    session: requests.Session,
    *,
    timeout: float,
    topic: str = "",
) -> None:
    """Encrypt `payload` for the subscription and POST it once. Raises a PushError."""
    headers = signer.headers(target.origin)
    headers["Urgency"] = "high"
    if topic:
        # A later message with the same topic replaces an undelivered one (RFC 8030 §5.4).
        headers["Topic"] = topic
    sub = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
    try:
        response = WebPusher(sub, requests_session=session).send(
            payload, headers=headers, ttl=TTL_SECONDS, content_encoding="aes128gcm", timeout=timeout
        )
    except requests.Timeout:
        raise PushRetryable(f"push: no answer within {timeout:g} s") from None
    except requests.ConnectionError as exc:
        raise PushRetryable(f"push: connection failed ({type(exc).__name__})") from None
    assert isinstance(response, requests.Response)
    code = response.status_code
    if 200 <= code < 300:
        return
    if code in (404, 410):
        raise PushGone(f"push: HTTP {code}, subscription gone")
    if code == 429 or code >= 500:
        raise PushRetryable(f"push: HTTP {code}", _retry_after(response.headers.get("Retry-After")))
    raise PushRejected(f"push: HTTP {code} {response.text[:120]}".strip())
