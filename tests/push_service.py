"""A Web Push service on loopback, for tests and bench/reminders.

It receives the real HTTP request, verifies the VAPID JWT (ES256, RFC 8292) against the
server's public key, `aud` and `exp`, and decrypts the aes128gcm body (RFC 8291) with the
subscriber's private key through http_ece, as a browser's push service and browser would.

    with PushService(expected_key=public_key) as service:
        sub = service.subscribe()          # {"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}
        service.script(sub, [503, 201])    # answers for the next requests to that endpoint
        ...
        service.received                   # [Received(...)], each with .text and .error

`python -m tests.push_service` runs a thin counting variant standalone for the benchmark
(prints its port; GET /stats returns counts, GET /samples the first bodies, which the
benchmark decrypts itself).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    claims: dict[str, Any] | None = None
    text: str | None = None
    error: str | None = None  # what failed verification or decryption, if anything


def vapid_check(authorization: str, expected_key: str | None, origin: str) -> dict[str, Any]:
    """Verify `vapid t=<jwt>,k=<key>`: the key, the ES256 signature, aud and exp. Returns the claims."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"scheme {scheme!r}, not vapid")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    key, token = parts["k"], parts["t"]
    if expected_key is not None and key != expected_key:
        raise ValueError("k= is not the server's public key")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    if header.get("alg") != "ES256":
        raise ValueError(f"alg {header.get('alg')!r}")
    signature = unb64url(signature_b64)
    if len(signature) != 64:
        raise ValueError("an ES256 signature is 64 bytes (r‖s)")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("bad JWT signature") from None
    claims: dict[str, Any] = json.loads(unb64url(claims_b64))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r} is not {origin!r}")
    now = time.time()
    if not now < claims["exp"] <= now + 24 * 3600:
        raise ValueError(f"exp {claims['exp']} not within the next 24 h")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError("sub is not a mailto: or https: contact")
    return claims


class PushService:
    def __init__(
        self, expected_key: str | None = None, *, verify: bool = True, port: int = 0, keep_bodies: int | None = None
    ) -> None:
        self.expected_key = expected_key
        self.verify = verify
        self.keep_bodies = keep_bodies  # None: keep every request
        self.received: list[Received] = []
        self.count = 0
        self.paths: set[str] = set()
        self._keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = {}
        self._scripts: dict[str, deque[int | tuple[int, float]]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self, name: str | None = None) -> dict[str, Any]:
        """A browser-like subscription: a fresh P-256 key pair and 16-byte auth secret."""
        name = name or secrets.token_hex(8)
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        path = f"/push/{name}"
        self._keys[path] = (private, auth)
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.origin + path, "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def add_subscriber(self, endpoint: str, private_key: ec.EllipticCurvePrivateKey, auth: bytes) -> None:
        """Decrypt what arrives at `endpoint` with keys made elsewhere (a browser's WebCrypto)."""
        self._keys[endpoint.removeprefix(self.origin)] = (private_key, auth)

    def script(self, sub: dict[str, Any], answers: list[int | tuple[int, float]]) -> None:
        """The next answers for this endpoint: a status, or (status, seconds to wait first)."""
        self._scripts[sub["endpoint"].removeprefix(self.origin)].extend(answers)

    def texts(self, sub: dict[str, Any] | None = None) -> list[str]:
        """Decrypted payload texts that verified cleanly (for one endpoint, or all)."""
        path = sub["endpoint"].removeprefix(self.origin) if sub else None
        return [
            r.text
            for r in self.received
            if r.text is not None and r.error is None and 200 <= r.status < 300 and path in (None, r.path)
        ]

    def _answer(self, path: str) -> tuple[int, float]:
        with self._lock:
            queue = self._scripts.get(path)
            answer = queue.popleft() if queue else 201
        return answer if isinstance(answer, tuple) else (answer, 0.0)

    def _inspect(self, path: str, headers: dict[str, str], body: bytes, status: int) -> Received:
        got = Received(path, headers, body, status)
        try:
            got.claims = vapid_check(headers.get("authorization", ""), self.expected_key, self.origin)
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"Content-Encoding {headers.get('content-encoding')!r}")
            if not headers.get("ttl", "").isdigit():
                raise ValueError("no TTL header")
            private, auth = self._keys[path]
            got.text = http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm").decode()
        except Exception as exc:
            got.error = f"{type(exc).__name__}: {exc}"
        return got

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real push services

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: bytes = b"") -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                if status == 201:
                    self.send_header("Location", f"{service.origin}/message/{secrets.token_hex(6)}")
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def do_GET(self) -> None:
                if self.path == "/stats":
                    with service._lock:
                        stats = {"count": service.count, "distinct": len(service.paths)}
                    self._reply(200, json.dumps(stats).encode())
                elif self.path == "/samples":
                    samples = [{"path": r.path, "headers": r.headers, "body": b64url(r.body)} for r in service.received]
                    self._reply(200, json.dumps(samples).encode())
                else:
                    self._reply(404)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, delay = service._answer(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                keep = service.keep_bodies is None or len(service.received) < service.keep_bodies
                if service.verify:
                    got = service._inspect(self.path, headers, body, status)
                else:
                    got = Received(self.path, headers, body, status)
                with service._lock:
                    service.count += 1
                    if 200 <= status < 300:
                        service.paths.add(self.path)
                    if keep:
                        service.received.append(got)
                if delay:
                    time.sleep(delay)  # recorded on arrival; the client may have given up
                self._reply(status)

        return Handler


class FastCounter(asyncio.Protocol):
    """Bench mode: a minimal HTTP/1.1 keep-alive server on asyncio that answers 201 to every
    POST and keeps the first few bodies. A Python ThreadingHTTPServer handles a few hundred
    requests a second; a real push service is not the thing to measure, so this one is thin."""

    stats: ClassVar[dict[str, Any]] = {"count": 0, "paths": set(), "samples": [], "keep": 0}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            method, path, _ = head[0].split(" ", 2)
            self._handle(method, path, headers, body)

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        stats = self.stats
        if method == "POST":
            stats["count"] += 1
            stats["paths"].add(path)
            if len(stats["samples"]) < stats["keep"]:
                stats["samples"].append({"path": path, "headers": headers, "body": b64url(body)})
            reply, status = b"", "201 Created"
        elif path == "/stats":
            reply, status = json.dumps({"count": stats["count"], "distinct": len(stats["paths"])}).encode(), "200 OK"
        elif path == "/samples":
            reply, status = json.dumps(stats["samples"]).encode(), "200 OK"
        else:
            reply, status = b"", "404 Not Found"
        head = f"HTTP/1.1 {status}\r\nContent-Length: {len(reply)}\r\n\r\n".encode()
        self.transport.write(head + reply)  # type: ignore[attr-defined]


async def serve_fast(port: int, keep: int) -> None:
    FastCounter.stats["keep"] = keep
    server = await asyncio.get_running_loop().create_server(FastCounter, "127.0.0.1", port)
    print(server.sockets[0].getsockname()[1], flush=True)  # noqa: T201
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="Loopback Web Push service (for bench/reminders)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keep", type=int, default=50, help="requests whose body is kept for /samples")
    args = parser.parse_args()
    asyncio.run(serve_fast(args.port, args.keep))


if __name__ == "__main__":
    main()
