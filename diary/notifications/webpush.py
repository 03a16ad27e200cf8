"""Web Push: RFC 8291 payload encryption (aes128gcm) and RFC 8292 VAPID, via pywebpush.

`push_send` makes one attempt and raises a typed error; retry the transient ones with
diary.notifications.retry.with_retry.
"""

from __future__ import annotations

import base64
import http.client
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

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


class PushConnections:
    """Keep-alive HTTP(S) connections to push services: one per sending thread and origin.

    The standard library's http.client, not requests: on loopback requests spends about
    2 ms of CPU per POST against 0.5 ms here, and the dispatcher's throughput is bounded by
    that CPU (bench/reminders). pywebpush still does the encryption, py-vapid the JWT.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self, scheme: str, netloc: str) -> tuple[http.client.HTTPConnection, bool]:
        pool: dict[str, http.client.HTTPConnection] = self._local.__dict__.setdefault("pool", {})
        key = f"{scheme}://{netloc}"
        conn = pool.get(key)
        if conn is not None:
            return conn, True
        if scheme == "https":
            conn = http.client.HTTPSConnection(netloc, timeout=self.timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(netloc, timeout=self.timeout)
        pool[key] = conn
        with self._lock:
            self._all.append(conn)
        return conn, False

    def _drop(self, scheme: str, netloc: str) -> None:
        conn = self._local.__dict__.get("pool", {}).pop(f"{scheme}://{netloc}", None)
        if conn is not None:
            conn.close()

    def post(self, endpoint: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, str | None]:
        """POST; returns (status, start of the body, Retry-After). Reconnects once if a kept
        connection turns out closed by the server."""
        parts = urlsplit(endpoint)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        while True:
            conn, reused = self._connection(parts.scheme, parts.netloc)
            try:
                conn.request("POST", path or "/", body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()[:200].decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop(parts.scheme, parts.netloc)
                if reused:
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self._drop(parts.scheme, parts.netloc)
                raise
            if response.will_close:
                self._drop(parts.scheme, parts.netloc)
            return response.status, text, response.getheader("Retry-After")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def push_send(
    target: Target,
    payload: bytes,
    signer: VapidSigner,
    connections: PushConnections,
    *,
    topic: str = "",
) -> None:
    """Encrypt `payload` for the subscription (RFC 8291, aes128gcm) and POST it once.

    Raises PushGone (404/410), PushRetryable (429, 5xx, timeout, connection) or
    PushRejected (anything else that is not 2xx).
    """
    sub = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
    body = WebPusher(sub).encode(payload, "aes128gcm")["body"]
    headers = signer.headers(target.origin)
    headers.update(
        {
            "TTL": str(TTL_SECONDS),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": "high",
        }
    )
    if topic:
        # A later message with the same topic replaces an undelivered one (RFC 8030 §5.4).
        headers["Topic"] = topic
    try:
        code, text, retry_after = connections.post(target.endpoint, body, headers)
    except TimeoutError:
        raise PushRetryable(f"push: no answer within {connections.timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise PushRetryable(f"push: connection failed ({type(exc).__name__})") from None
    if 200 <= code < 300:
        return
    if code in (404, 410):
        raise PushGone(f"push: HTTP {code}, subscription gone")
    if code == 429 or code >= 500:
        raise PushRetryable(f"push: HTTP {code}", _retry_after(retry_after))
    raise PushRejected(f"push: HTTP {code} {text[:120]}".strip())
