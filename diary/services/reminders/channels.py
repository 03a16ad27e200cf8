"""The channels one dispatch run sends through: Web Push and e-mail, with retries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from diary.choices import DeliveryStatus
from diary.notifications.email import EmailError, Mail, email_send
from diary.notifications.retry import Backoff, with_retry
from diary.notifications.webpush import (
    PushConnections,
    PushError,
    PushGone,
    Target,
    VapidSigner,
    push_send,
)
from diary.services.reminders.subscriptions import vapid_keys


@dataclass
class _Job:
    """One claimed delivery, decided and ready for the channels (no database access)."""

    delivery_id: int
    targets: list[tuple[int, Target]]
    mail: Mail | None
    payload: bytes
    topic: str


@dataclass
class _Outcome:
    delivery_id: int
    status: str
    reason: str = ""
    ok_subscriptions: list[int] = field(default_factory=list)
    failed_subscriptions: dict[int, str] = field(default_factory=dict)
    gone_subscriptions: list[int] = field(default_factory=list)


class Channels:
    """The outside world for one dispatch run: a thread pool, kept-alive connections, VAPID tokens."""

    def __init__(self, concurrency: int | None = None) -> None:
        self.concurrency = concurrency or settings.REMINDER_SEND_CONCURRENCY
        private_pem, _ = vapid_keys()
        self.signer = VapidSigner(private_pem, settings.VAPID_SUBJECT)
        self.connections = PushConnections(settings.REMINDER_PUSH_TIMEOUT)
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="reminders")
        self.backoff = Backoff(attempts=settings.REMINDER_SEND_ATTEMPTS, base=settings.REMINDER_BACKOFF_SECONDS)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.connections.close()

    def deliver(self, job: _Job) -> _Outcome:
        """Every channel of one delivery (runs in a pool thread; touches no database)."""
        outcome = _Outcome(job.delivery_id, DeliveryStatus.FAILED)
        reasons = []
        for sub_id, target in job.targets:

            def push(target: Target = target) -> None:
                push_send(target, job.payload, self.signer, self.connections, topic=job.topic)

            try:
                with_retry(push, self.backoff)
                outcome.ok_subscriptions.append(sub_id)
            except PushGone as exc:
                outcome.gone_subscriptions.append(sub_id)
                reasons.append(exc.reason)
            except PushError as exc:
                outcome.failed_subscriptions[sub_id] = exc.reason
                reasons.append(exc.reason)
        mailed = False
        if job.mail is not None:
            mail = job.mail
            try:
                with_retry(lambda: email_send(mail), self.backoff)
                mailed = True
            except EmailError as exc:
                reasons.append(exc.reason)
        if outcome.ok_subscriptions or mailed:
            outcome.status = DeliveryStatus.SENT
        outcome.reason = "; ".join(dict.fromkeys(reasons))[:300]
        return outcome
