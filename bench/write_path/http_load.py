"""A lean HTTP/1.1 load generator: asyncio streams, one connection per client, keep-alive.

Every request is serialised to bytes before the clock starts, so the client spends its
CPU on little more than socket calls and header parsing (it shares the two cores with
gunicorn and PostgreSQL; `Result.client_cpu` says how much it took). A client sends its
next request only after the previous response (a phone replaying its outbox), and
reconnects when the server closes the connection (gunicorn's sync worker answers
`Connection: close`); connect time then counts in that request's latency.
"""

from __future__ import annotations

import asyncio
import resource
import time
from dataclasses import dataclass, field

MAX_ERROR_SAMPLES = 5


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed responses
    statuses: dict[int, int] = field(default_factory=dict)  # 0 = connection error
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    wall: float = 0.0
    client_cpu: float = 0.0  # seconds of CPU this process used during the run
    connects: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(text)


def request_bytes(
    *, method: str, path: str, host: str, headers: dict[str, str], body: bytes | None = None, close: bool = False
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    close: bool

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key == lowered:
                return value
        return None

    def all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key == lowered]


async def read_response(reader: asyncio.StreamReader) -> Response:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status_text = lines[0].split(" ", 2)[:2]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
    fields = dict(headers)
    connection = fields.get("connection", "").lower()
    close = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
    if "content-length" in fields:
        body = await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(chunk[:-2] for chunk in chunks)
    else:
        body = await reader.read()
        close = True
    return Response(int(status_text), headers, body, close)


def _counted(result: Result, started: float, response: Response | None, exc: Exception | None = None) -> None:
    """One answer (or a connection error) into the result; latency from `started`."""
    result.latencies.append(time.perf_counter() - started)
    if response is None:
        result.statuses[0] = result.statuses.get(0, 0) + 1
        result.error(f"connection error: {exc!r}")
        return
    result.statuses[response.status] = result.statuses.get(response.status, 0) + 1
    if not 200 <= response.status < 300:
        result.error(f"HTTP {response.status}: {response.body[:400].decode('utf-8', 'replace')}")


async def _client(host: str, port: int, requests: list[bytes], result: Result) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    for raw in requests:
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
                result.connects += 1
            assert reader is not None
            writer.write(raw)
            response = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            _counted(result, started, None, exc)
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        _counted(result, started, response)
        if response.close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(host: str, port: int, clients: list[list[bytes]]) -> Result:
    result = Result()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    await asyncio.gather(*(_client(host, port, requests, result) for requests in clients))
    result.wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return result


def run(host: str, port: int, clients: list[list[bytes]]) -> Result:
    """Each inner list is one client's requests, sent in order on its own connection."""
    return asyncio.run(_run(host, port, clients))


async def _once(host: str, port: int, raw: bytes) -> Response:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        return await read_response(reader)
    finally:
        writer.close()


def once(host: str, port: int, raw: bytes) -> Response:
    """One request on a fresh connection (set-up and checks, not measured)."""
    return asyncio.run(_once(host, port, raw))


async def _run_open(host: str, port: int, requests: list[bytes], arrivals: list[float]) -> Result:
    """Open loop: request i starts at `arrivals[i]` seconds, whether or not earlier ones were
    answered; its latency counts from that moment (time spent waiting for a connection
    included, so a slow server cannot hide its queue from the figure)."""
    result = Result()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def one(raw: bytes, due: float) -> None:
        try:
            if idle:
                reader, writer = idle.pop()
            else:
                reader, writer = await asyncio.open_connection(host, port)
                result.connects += 1
            writer.write(raw)
            response = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            _counted(result, due, None, exc)
            return
        _counted(result, due, response)
        if response.close:
            writer.close()
        else:
            idle.append((reader, writer))

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    tasks = []
    for raw, at in zip(requests, arrivals, strict=True):
        due = started + at
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw, due)))
    await asyncio.gather(*tasks)
    result.wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    for _, writer in idle:
        writer.close()
    return result


def run_open(host: str, port: int, requests: list[bytes], arrivals: list[float]) -> Result:
    """Send request i at `arrivals[i]` seconds after the start (an open loop)."""
    return asyncio.run(_run_open(host, port, requests, arrivals))
