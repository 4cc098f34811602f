"""A run of digests: plan what is due, then claim, compose, send and record each one.

``paperwire digest run`` does one run and exits; ``paperwire worker`` does one every
round. Any number of runs may go on at once against one store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import Message

from paperwire.digest import deliveries
from paperwire.digest.compose import DigestContent, Section
from paperwire.digest.context import DigestContext
from paperwire.digest.links import LinkSigner
from paperwire.digest.render import DigestLinks, digest_message, render_digest
from paperwire.digest.rules import RateGate
from paperwire.digest.subscriptions import Subscriber
from paperwire.mail import Mailer, MailError, MailSession
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.clock import utcnow
from paperwire.store.interfaces.deliveries import Claim

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10.0
# A paper is stamped when its ingest transaction starts but seen only once it commits;
# the next digest looks back this much further, so none falls between two digests
# (none is sent twice either: every paper sent is recorded).
ARRIVAL_MARGIN = timedelta(hours=1)


@dataclass
class RunReport:
    """What one run did, by outcome."""

    review: int = 0
    planned: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def summary(self) -> str:
        parts = [f"{self.planned} planned"]
        parts += [f"{count} {state}" for state, count in sorted(self.counts.items())]
        if self.review:
            parts.append(f"{self.review} left in flight marked for review")
        return ", ".join(parts)


class DigestRunner:
    """Sends due digests for one worker. ``clock`` is injectable so tests can drive time."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        signer: LinkSigner,
        mailer: Mailer,
        worker: str,
        clock: Callable[[], datetime] = utcnow,
        heartbeat: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.signer = signer
        self.mailer = mailer
        self.worker = worker
        self.clock = clock
        self.heartbeat = heartbeat
        self.gate = RateGate(settings.send_rate)
        self.lease = timedelta(minutes=settings.digest_lease_minutes)

    def run(self, stop: threading.Event | None = None) -> RunReport:
        """Plan, then send due digests one by one until none is due (or ``stop`` is set).

        A mail server that cannot be reached, or refuses our login or sender address,
        ends the run early with the digest in hand put back: every other would fail too.
        """
        report = RunReport()
        now = self.clock()
        report.review = self.store.deliveries.release_expired(now)
        report.planned = deliveries.plan_deliveries(self.store, now)
        context: DigestContext | None = None
        last_beat = time.monotonic()
        with self.mailer.session() as session:
            while stop is None or not stop.is_set():
                claim = deliveries.claim_next(
                    self.store, self.worker, self.clock(), self.lease, report.add
                )
                if claim is None:
                    break
                if context is None:
                    context = DigestContext(self.store, self.settings, self.clock())
                outcome = self._send_one(context, session, claim)
                report.add(outcome)
                if outcome == deliveries.DEFERRED:
                    break
                if self.heartbeat and time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                    self.heartbeat(f"sending digests: {report.summary()}")
                    last_beat = time.monotonic()
        return report

    def _send_one(self, context: DigestContext, session: MailSession, claim: Claim) -> str:
        try:
            content = context.compose(claim)
            if content.is_empty and self.settings.digest_skip_empty:
                self.store.deliveries.finish_skipped(
                    claim.delivery_id, self.worker, now=self.clock()
                )
                return deliveries.SKIPPED
            message = claim_message(self.settings, self.signer, context, claim, content)
        except Exception as error:  # a bug or bad data must not stop everyone's digest
            log.exception("could not compose the digest of delivery %s", claim.delivery_id)
            reason = f"could not compose it: {type(error).__name__}: {error}"
            self.store.deliveries.fail(
                claim.delivery_id, self.worker, now=self.clock(), error=reason[:1000]
            )
            return deliveries.FAILED
        try:
            session.open()  # connect and log in first: an unreachable server defers
        except MailError as error:
            log.error("mail server unavailable, digests wait: %s", error)
            deliveries.defer(self.store, claim, self.worker, self.clock(), error)
            return deliveries.DEFERRED
        self.gate.wait()
        return deliveries.deliver(
            self.store,
            claim,
            self.worker,
            content,
            str(message["Message-ID"]),
            lambda: session.send(message),
            composed_at=context.now - ARRIVAL_MARGIN,
            now=self.clock,
            max_attempts=self.settings.digest_max_attempts,
            bounce_limit=self.settings.bounce_limit,
        )


def claim_message(
    settings: Settings,
    signer: LinkSigner,
    context: DigestContext,
    claim: Claim,
    content: DigestContent,
) -> Message:
    """The mail for one claimed digest, with its signed links."""
    return digest_message(
        to=claim.email,
        subscriber_id=claim.subscriber_id,
        day=claim.local_date,
        content=content,
        papers=context.papers(content.paper_ids),
        links=DigestLinks.make(settings, signer, claim.subscriber_id, claim.local_date),
        settings=settings,
    )


def preview(
    store: Store,
    settings: Settings,
    signer: LinkSigner,
    subscriber: Subscriber,
    day: date,
    *,
    now: datetime,
) -> tuple[DigestContent, str, str]:
    """What the subscriber's digest would hold if it were composed at ``now``: (content,
    text, HTML). Nothing is claimed, sent or recorded."""
    claim = Claim(
        delivery_id=0,
        subscriber_id=subscriber.id,
        email=subscriber.email,
        local_date=day,
        attempts=0,
        timezone=subscriber.preferences.timezone,
        categories=subscriber.preferences.categories,
        topics=store.subscriptions.topics_of(subscriber.id),
        last_digest_at=subscriber.last_digest_at,
    )
    context = DigestContext(store, settings, now)
    content = context.compose(claim)
    links = DigestLinks.make(settings, signer, subscriber.id, day)
    text, html = render_digest(day, content, context.papers(content.paper_ids), links)
    return content, text, html


def archived(
    store: Store, settings: Settings, signer: LinkSigner, subscriber_id: int, day: date
) -> str | None:
    """The HTML of a digest that was sent, rebuilt from what it held; None if none was."""
    for row in store.deliveries.history(subscriber_id):
        if row.local_date == day:
            content = DigestContent(tuple(Section.from_json(s) for s in row.sections or []))
            links = DigestLinks.make(settings, signer, subscriber_id, day)
            papers = store.papers.get_many(content.paper_ids)
            return render_digest(day, content, papers, links)[1]
    return None
