"""What every engine's ``store.deliveries`` promises: idempotent planning, exclusive
claims, leases that end in review, outcomes recorded only by the claim's holder."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.interfaces.deliveries import (
    CANCELLED,
    EXPIRED,
    FAILED,
    PENDING,
    REVIEW,
    SENDING,
    SENT,
    SKIPPED,
    STATES,
    Drop,
    Due,
    Failure,
    Planned,
    Sent,
)
from paperwire.store.interfaces.subscriptions import ACTIVE, BOUNCED, UNSUBSCRIBED

NOW = datetime(2026, 12, 1, 9, 0)
DAY = date(2026, 12, 1)
LEASE = NOW + timedelta(minutes=10)


@dataclass(frozen=True)
class Choices:
    topics: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    hour: int = 8
    timezone: str = "UTC"


def keep(due: Due) -> Drop | None:
    return None


def subscriber(store: Store, email: str, topics: tuple[str, ...] = ()) -> int:
    added = store.subscriptions.add(
        email, Choices(topics), [None] * len(topics), now=NOW, keep_opted_out=False
    )
    return added.subscriber_id


def planned(store: Store, count: int, at: datetime = NOW) -> list[int]:
    ids = [subscriber(store, f"s{n}@example.org") for n in range(count)]
    store.deliveries.plan([Planned(sid, DAY, at) for sid in ids])
    return ids


def state_of(store: Store, subscriber_id: int) -> str:
    (row,) = store.deliveries.history(subscriber_id, STATES)
    return row.state


def sent(*paper_ids: int) -> Sent:
    return Sent(
        "250 ok",
        "<m@x>",
        [{"kind": "k", "title": "t", "papers": list(paper_ids)}],
        paper_ids,
        NOW - timedelta(hours=1),
        NOW,
    )


def test_planning_twice_makes_one_row(contract_store: Store) -> None:
    member = subscriber(contract_store, "a@example.org")
    entry = Planned(member, DAY, NOW)
    assert contract_store.deliveries.plan([entry]) == 1
    assert contract_store.deliveries.plan([entry, entry]) == 0
    assert contract_store.deliveries.plan([Planned(member, DAY + timedelta(days=1), NOW)]) == 1
    assert contract_store.deliveries.counts_by_state(DAY) == {PENDING: 1}


def test_concurrent_planning_makes_one_row_each(contract_store: Store) -> None:
    ids = [subscriber(contract_store, f"p{n}@example.org") for n in range(20)]
    entries = [Planned(sid, DAY, NOW) for sid in ids]
    totals: list[int] = []
    threads = [
        threading.Thread(target=lambda: totals.append(contract_store.deliveries.plan(entries)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(totals) == 20
    assert contract_store.deliveries.counts_by_state(DAY) == {PENDING: 20}


def test_concurrent_claims_never_share_a_row(contract_store: Store) -> None:
    planned(contract_store, 30)
    claimed: dict[str, list[int]] = {}

    def work(worker: str) -> None:
        mine = claimed.setdefault(worker, [])
        while claim := contract_store.deliveries.claim_next(worker, NOW, LEASE, keep):
            mine.append(claim.delivery_id)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [delivery for rows in claimed.values() for delivery in rows]
    assert len(everything) == 30 and len(set(everything)) == 30
    assert contract_store.deliveries.counts_by_state(DAY) == {SENDING: 30}


def test_claims_come_due_first_and_carry_what_composing_needs(contract_store: Store) -> None:
    late = subscriber(contract_store, "late@example.org")
    early = subscriber(contract_store, "early@example.org", ("graphs", "cells"))
    future = subscriber(contract_store, "future@example.org")
    contract_store.deliveries.plan(
        [
            Planned(late, DAY, NOW - timedelta(minutes=5)),
            Planned(early, DAY, NOW - timedelta(hours=1)),
            Planned(future, DAY, NOW + timedelta(hours=1)),
        ]
    )
    first = contract_store.deliveries.claim_next("w", NOW, LEASE, keep)
    assert first is not None and first.subscriber_id == early and first.attempts == 1
    assert first.email == "early@example.org" and first.local_date == DAY
    assert [topic.text for topic in first.topics] == ["graphs", "cells"]
    second = contract_store.deliveries.claim_next("w", NOW, LEASE, keep)
    assert second is not None and second.subscriber_id == late
    assert contract_store.deliveries.claim_next("w", NOW, LEASE, keep) is None
    assert state_of(contract_store, future) == PENDING


def test_dropped_rows_are_finished_and_never_claimed(contract_store: Store) -> None:
    (member,) = planned(contract_store, 1)
    seen: list[Due] = []

    def expire(due: Due) -> Drop | None:
        seen.append(due)
        return Drop(EXPIRED, "its local date passed")

    assert contract_store.deliveries.claim_next("w", NOW, LEASE, expire) is None
    assert seen[0].subscriber_status == ACTIVE and seen[0].timezone == "UTC"
    assert contract_store.deliveries.claim_next("w", NOW, LEASE, keep) is None
    (row,) = contract_store.deliveries.history(member, (EXPIRED,))
    assert row.error == "its local date passed"


def test_a_lease_past_its_time_goes_to_review_and_is_never_reclaimed(
    contract_store: Store,
) -> None:
    (member,) = planned(contract_store, 1)
    claim = contract_store.deliveries.claim_next("dead", NOW, LEASE, keep)
    assert claim is not None
    assert contract_store.deliveries.release_expired(LEASE - timedelta(seconds=1)) == 0
    assert contract_store.deliveries.release_expired(LEASE + timedelta(seconds=1)) == 1
    assert state_of(contract_store, member) == REVIEW
    later = LEASE + timedelta(hours=1)
    assert contract_store.deliveries.claim_next("other", later, later + (LEASE - NOW), keep) is None
    assert contract_store.deliveries.hold(claim.delivery_id, "dead", now=later) == "lost"
    # Its reply, when it arrives after all, is still recorded.
    assert contract_store.deliveries.record_sent(claim.delivery_id, "dead", member, sent())
    assert state_of(contract_store, member) == SENT


def test_only_the_holder_records_an_outcome(contract_store: Store) -> None:
    ids = planned(contract_store, 3)
    claims = [contract_store.deliveries.claim_next("w", NOW, LEASE, keep) for _ in ids]
    assert all(claims)
    first, second, third = (claim for claim in claims if claim is not None)
    assert not contract_store.deliveries.record_sent(first.delivery_id, "x", ids[0], sent())
    contract_store.deliveries.finish_skipped(second.delivery_id, "x", now=NOW)
    contract_store.deliveries.fail(third.delivery_id, "x", now=NOW, error="bug")
    assert not contract_store.deliveries.record_failure(
        first.delivery_id, "x", Failure(FAILED, "no", NOW)
    )
    assert contract_store.deliveries.counts_by_state(DAY) == {SENDING: 3}
    contract_store.deliveries.finish_skipped(second.delivery_id, "w", now=NOW)
    contract_store.deliveries.fail(third.delivery_id, "w", now=NOW, error="bug")
    assert contract_store.deliveries.counts_by_state(DAY) == {SENDING: 1, SKIPPED: 1, FAILED: 1}


def test_a_sent_digest_records_its_papers(contract_store: Store) -> None:
    contract_store.papers.upsert(
        [PaperRecord(source="arxiv", title=f"P{n}", arxiv_id=f"2401.0000{n}") for n in (1, 2)]
    )
    rows = sorted(paper.row_id for paper in contract_store.papers.newest())
    (member,) = planned(contract_store, 1)
    claim = contract_store.deliveries.claim_next("w", NOW, LEASE, keep)
    assert claim is not None
    assert contract_store.deliveries.hold(claim.delivery_id, "w", now=NOW) == "held"
    assert contract_store.deliveries.record_sent(claim.delivery_id, "w", member, sent(rows[0]))
    (row,) = contract_store.deliveries.history(member)
    assert row.state == SENT and row.paper_count == 1 and row.smtp_reply == "250 ok"
    assert row.sections == [{"kind": "k", "title": "t", "papers": [rows[0]]}]
    assert contract_store.deliveries.already_sent(member, rows) == {rows[0]}
    assert contract_store.deliveries.already_sent(member, []) == set()
    found = contract_store.subscriptions.get(member)
    assert found is not None and found.last_digest_at == NOW - timedelta(hours=1)


def test_an_unsubscribe_before_sending_cancels_the_claim(contract_store: Store) -> None:
    (member,) = planned(contract_store, 1)
    claim = contract_store.deliveries.claim_next("w", NOW, LEASE, keep)
    assert claim is not None
    contract_store.subscriptions.unsubscribe(member, now=NOW)
    assert state_of(contract_store, member) == SENDING  # a claimed row is its sender's
    assert contract_store.deliveries.hold(claim.delivery_id, "w", now=NOW) == "cancelled"
    assert state_of(contract_store, member) == CANCELLED


def test_a_retry_waits_for_its_time(contract_store: Store) -> None:
    (member,) = planned(contract_store, 1)
    claim = contract_store.deliveries.claim_next("w", NOW, LEASE, keep)
    assert claim is not None
    retry_at = NOW + timedelta(minutes=30)
    failure = Failure(PENDING, "451 later", NOW, retry_at=retry_at)
    assert contract_store.deliveries.record_failure(claim.delivery_id, "w", failure)
    assert contract_store.deliveries.claim_next("w", NOW, LEASE, keep) is None
    again = contract_store.deliveries.claim_next(
        "w", retry_at, retry_at + timedelta(minutes=10), keep
    )
    assert again is not None and again.attempts == 2
    contract_store.deliveries.put_back(again.delivery_id, "w", retry_at=retry_at, error="down")
    assert state_of(contract_store, member) == PENDING


def test_bounces_up_to_the_limit_end_the_subscription(contract_store: Store) -> None:
    member = subscriber(contract_store, "b@example.org")
    contract_store.deliveries.plan([Planned(member, DAY + timedelta(days=n), NOW) for n in (0, 1)])
    for expected in (1, 2):
        claim = contract_store.deliveries.claim_next("w", NOW, LEASE, keep)
        assert claim is not None
        refused = Failure(FAILED, "550 no such user", NOW, bounce_limit=2)
        assert contract_store.deliveries.record_failure(claim.delivery_id, "w", refused)
        found = contract_store.subscriptions.get(member)
        assert found is not None and found.bounce_count == expected
    assert contract_store.subscriptions.get(member).status == BOUNCED  # type: ignore[union-attr]


def test_a_bounce_keeps_an_unsubscribed_subscriber_unsubscribed(contract_store: Store) -> None:
    (member,) = planned(contract_store, 1)
    claim = contract_store.deliveries.claim_next("w", NOW, LEASE, keep)
    assert claim is not None
    contract_store.subscriptions.unsubscribe(member, now=NOW)
    refused = Failure(FAILED, "550", NOW, bounce_limit=1)
    assert contract_store.deliveries.record_failure(claim.delivery_id, "w", refused)
    assert contract_store.subscriptions.get(member).status == UNSUBSCRIBED  # type: ignore[union-attr]
