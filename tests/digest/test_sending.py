"""Digests end to end against a real SMTP server, with the clock driven by the test."""

from __future__ import annotations

import socket
from datetime import date, datetime, timedelta

from digestworld import DigestWorld

from paperwire import trending
from paperwire.digest import deliveries, subscriptions
from paperwire.digest.compose import DigestContent
from paperwire.digest.preferences import parse_preferences
from paperwire.digest.topics import embed_topics
from paperwire.search.embedding import vector_space_name
from paperwire.store.interfaces.deliveries import STATES, DeliveryRow, Planned


def subscribe(
    world: DigestWorld,
    email: str,
    *,
    topics: tuple[str, ...] = ("speculative decoding",),
    hour: int = 8,
    tz: str = "UTC",
    at: datetime = datetime(2026, 11, 27, 12, 0),
) -> int:
    """Subscribe and confirm, as the form and the confirmation link do."""
    prefs = parse_preferences(topics, [], hour, tz)
    settings = world.settings
    model = vector_space_name(settings.embedding_model, settings.embedding_backend)
    vectors = embed_topics(world.embedder, model, prefs.topics)
    request = subscriptions.request_subscription(world.store, email, prefs, vectors, now=at)
    assert request.nonce is not None
    subscriptions.confirm_subscription(world.store, request.subscriber_id, request.nonce, now=at)
    return request.subscriber_id


def rows(world: DigestWorld, subscriber_id: int) -> list[DeliveryRow]:
    """The subscriber's deliveries in every state, oldest date first."""
    return world.store.deliveries.history(subscriber_id, STATES)[::-1]


def test_digest_arrives_at_the_local_hour_with_its_headers(world: DigestWorld) -> None:
    subscriber = subscribe(
        world, "ann@example.org", topics=("continual learning",), hour=8, tz="Europe/Berlin"
    )
    assert world.run(datetime(2026, 11, 29, 6, 59)).counts == {}  # 07:59 in Berlin
    assert world.inbox.received == []
    report = world.run(datetime(2026, 11, 29, 7, 0))  # 08:00 in Berlin
    assert report.planned == 1 and report.counts == {"sent": 1}
    [message] = world.inbox.to("ann@example.org")

    assert message["Message-ID"] == f"<digest.{subscriber}.20261129@papers.example.org>"
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://papers.example.org/u/") and "mailto" not in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "On: continual learning" in text
    assert "A Comprehensive Survey of Continual Learning" in text  # a demo paper
    assert "https://papers.example.org/papers/" in html
    assert unsubscribe.strip("<>") in html and unsubscribe.strip("<>") in text
    assert "/digests/" in html  # view in the browser

    # The same day again: nothing more; the row is one, sent.
    assert world.run(datetime(2026, 11, 29, 15, 0)).counts == {}
    [row] = rows(world, subscriber)
    assert (row.state, row.local_date) == ("sent", date(2026, 11, 29))
    assert row.paper_count == text.count("\n* ") >= 1
    assert len(world.inbox.received) == 1


def test_mailto_unsubscribe_only_when_configured(world: DigestWorld) -> None:
    subscribe(world, "ann@example.org")
    world.run(datetime(2026, 11, 29, 9, 0), unsubscribe_mailto="leave@papers.example.org")
    [message] = world.inbox.to("ann@example.org")
    assert "<mailto:leave@papers.example.org?subject=unsubscribe>" in message["List-Unsubscribe"]


def test_never_a_paper_twice_and_nothing_after_unsubscribing(world: DigestWorld) -> None:
    subscriber = subscribe(world, "ann@example.org", topics=("reinforcement learning",))
    world.run(datetime(2026, 11, 29, 9, 0))
    world.run(datetime(2026, 11, 30, 9, 0), digest_skip_empty=False)
    every_paper = [paper.row_id for paper in world.store.papers.newest(limit=100_000)]
    sent = sorted(world.store.deliveries.already_sent(subscriber, every_paper))
    first, second = [row for row in rows(world, subscriber)]
    assert first.state == second.state == "sent"
    assert len(sent) == len(set(sent)) == first.paper_count + second.paper_count
    first_papers = {p for s in first.sections for p in s["papers"]}
    second_papers = {p for s in second.sections for p in s["papers"]}
    assert first_papers and not first_papers & second_papers

    assert world.store.subscriptions.unsubscribe(subscriber, now=datetime(2026, 12, 1, 0, 0))
    report = world.run(datetime(2026, 12, 1, 9, 0), digest_skip_empty=False)
    assert report.counts == {} and report.planned == 0
    assert len(world.inbox.to("ann@example.org")) == 2


def test_an_empty_digest_is_skipped_unless_configured(world: DigestWorld) -> None:
    subscribe(world, "ann@example.org", topics=("glacier hydrology of Svalbard",))
    assert world.run(datetime(2026, 11, 29, 9, 0)).counts == {"skipped": 1}
    assert world.inbox.received == []
    report = world.run(datetime(2026, 11, 30, 9, 0), digest_skip_empty=False)
    assert report.counts == {"sent": 1}
    [message] = world.inbox.to("ann@example.org")
    assert "nothing new" in message["Subject"]


def test_time_zones_far_apart_get_their_own_local_dates(world: DigestWorld) -> None:
    honolulu = subscribe(world, "hnl@example.org", hour=8, tz="Pacific/Honolulu")  # UTC-10
    tonga = subscribe(world, "tbu@example.org", hour=8, tz="Pacific/Tongatapu")  # UTC+13
    moment = datetime(2026, 11, 28, 12, 0)  # 02:00 in Honolulu, 01:00 next day in Tonga
    while moment < datetime(2026, 12, 1, 0, 0):  # every 30 minutes
        world.run(moment, digest_skip_empty=False)
        moment += timedelta(minutes=30)
    assert [row.local_date for row in rows(world, honolulu)] == [
        date(2026, 11, 28),
        date(2026, 11, 29),
        date(2026, 11, 30),
    ]
    assert [row.local_date for row in rows(world, tonga)] == [
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]
    sent_at = {row.local_date: row.finished_at for row in rows(world, tonga) if row.state == "sent"}
    assert sent_at[date(2026, 11, 29)] == datetime(2026, 11, 28, 19, 0)  # 08:00 in Tonga
    assert len(world.inbox.to("hnl@example.org")) == 3
    assert len(world.inbox.to("tbu@example.org")) == 3


def test_a_daylight_saving_change_day_sends_exactly_one(world: DigestWorld) -> None:
    # New York falls back on 2026-11-01: 01:00-02:00 happens twice. Hour 1 is chosen.
    subscriber = subscribe(
        world, "ny@example.org", hour=1, tz="America/New_York", at=datetime(2026, 10, 30)
    )
    moment = datetime(2026, 11, 1, 4, 30)  # 00:30 on 1 November in New York
    while moment < datetime(2026, 11, 2, 8, 0):  # every 15 minutes, through both 01:00s
        world.run(moment, digest_skip_empty=False)
        moment += timedelta(minutes=15)
    assert [(row.local_date, row.state) for row in rows(world, subscriber)] == [
        (date(2026, 11, 1), "sent"),
        (date(2026, 11, 2), "sent"),
    ]
    assert len(world.inbox.to("ny@example.org")) == 2


def test_a_worker_down_at_the_hour_sends_later_that_day_but_never_for_a_past_date(
    world: DigestWorld,
) -> None:
    subscriber = subscribe(world, "ann@example.org", hour=8)
    assert world.run(datetime(2026, 11, 29, 10, 30)).counts == {"sent": 1}
    # Planned (by another worker) but left pending until the date passed: expired.
    world.store.deliveries.plan(
        [Planned(subscriber, date(2026, 11, 30), datetime(2026, 11, 30, 8))]
    )
    report = world.run(datetime(2026, 12, 1, 7, 0))  # before the hour on 1 December
    assert report.counts == {"expired": 1}
    assert len(world.inbox.received) == 1


def test_temporary_failure_is_retried_with_backoff(world: DigestWorld) -> None:
    subscriber = subscribe(world, "ann@example.org")
    world.inbox.replies["ann@example.org"] = ["421 4.3.2 try again later"]
    at = datetime(2026, 11, 29, 9, 0)
    assert world.run(at).counts == {"pending": 1}
    [row] = rows(world, subscriber)
    assert row.state == "pending" and row.attempts == 1 and "421" in row.error
    assert row.next_attempt_at == at + timedelta(minutes=1)
    assert world.run(at + timedelta(seconds=30)).counts == {}  # not yet
    assert world.run(at + timedelta(minutes=1)).counts == {"sent": 1}
    [row] = rows(world, subscriber)
    assert row.state == "sent" and row.attempts == 2 and row.smtp_reply.startswith("250")
    assert len(world.inbox.to("ann@example.org")) == 1


def test_temporary_failures_give_up_after_the_last_attempt(world: DigestWorld) -> None:
    subscriber = subscribe(world, "ann@example.org")
    world.inbox.replies["ann@example.org"] = ["451 4.7.1 greylisted"] * 5
    at = datetime(2026, 11, 29, 9, 0)
    for _ in range(2):
        world.run(at, digest_max_attempts=2)
        at += timedelta(minutes=5)
    [row] = rows(world, subscriber)
    assert row.state == "failed" and row.attempts == 2 and "gave up" in row.error


def test_permanent_failures_stop_sending_after_the_bounce_limit(world: DigestWorld) -> None:
    subscriber = subscribe(world, "gone@example.org")
    world.inbox.rcpt_replies["gone@example.org"] = ["550 5.1.1 no such user"] * 3
    for day in (29, 30):
        assert world.run(datetime(2026, 11, day, 9, 0), digest_skip_empty=False).counts == {
            "failed": 1
        }
    found = subscriptions.get_subscriber(world.store, subscriber)
    assert found is not None and (found.status, found.bounce_count) == ("active", 2)
    assert world.run(datetime(2026, 12, 1, 9, 0), digest_skip_empty=False).counts == {"failed": 1}
    assert subscriptions.get_subscriber(world.store, subscriber).status == "bounced"  # type: ignore[union-attr]
    assert world.run(datetime(2026, 12, 2, 9, 0), digest_skip_empty=False).planned == 0
    assert world.inbox.received == []


def test_unsubscribe_cancels_pending_and_stops_a_claimed_digest(world: DigestWorld) -> None:
    first = subscribe(world, "ann@example.org")
    second = subscribe(world, "bob@example.org")
    at = datetime(2026, 11, 29, 9, 0)
    assert deliveries.plan_deliveries(world.store, at) == 2
    claim = deliveries.claim_next(world.store, "w", at, timedelta(minutes=10))
    assert claim is not None
    other = second if claim.subscriber_id == first else first
    world.store.subscriptions.unsubscribe(claim.subscriber_id, now=at)
    world.store.subscriptions.unsubscribe(other, now=at)
    assert [row.state for row in rows(world, other)] == ["cancelled"]

    def must_not_send() -> str:
        raise AssertionError("sent after the unsubscribe committed")

    outcome = deliveries.deliver(
        world.store,
        claim,
        "w",
        DigestContent(()),
        "<id@x>",
        must_not_send,
        composed_at=at,
        now=lambda: at,
        max_attempts=5,
        bounce_limit=3,
    )
    assert outcome == "cancelled"
    assert [row.state for row in rows(world, claim.subscriber_id)] == ["cancelled"]


def test_a_digest_left_in_flight_is_marked_for_review_not_resent(world: DigestWorld) -> None:
    subscriber = subscribe(world, "ann@example.org")
    at = datetime(2026, 11, 29, 9, 0)
    deliveries.plan_deliveries(world.store, at)
    assert deliveries.claim_next(world.store, "dead-worker", at, timedelta(minutes=10))
    assert world.run(at + timedelta(minutes=5)).counts == {}  # still leased
    report = world.run(at + timedelta(minutes=11))
    assert report.review == 1 and report.counts == {}
    [row] = rows(world, subscriber)
    assert row.state == "review" and "may or may not" in row.error
    assert world.run(at + timedelta(hours=2)).counts == {}
    assert world.inbox.received == []


def test_a_refused_message_is_failed_without_counting_a_bounce(world: DigestWorld) -> None:
    subscriber = subscribe(world, "ann@example.org")
    world.inbox.replies["ann@example.org"] = ["554 5.7.1 message content rejected"]
    assert world.run(datetime(2026, 11, 29, 9, 0)).counts == {"failed": 1}
    found = subscriptions.get_subscriber(world.store, subscriber)
    assert found is not None and (found.status, found.bounce_count) == ("active", 0)


def test_a_lost_answer_to_the_message_goes_to_review_not_resent(world: DigestWorld) -> None:
    subscriber = subscribe(world, "ann@example.org")
    subscribe(world, "bob@example.org")
    world.inbox.replies["ann@example.org"] = ["DROP"]
    report = world.run(datetime(2026, 11, 29, 9, 0))
    assert report.counts == {"review": 1, "sent": 1}
    [row] = rows(world, subscriber)
    assert row.state == "review" and "may or may not" in row.error
    assert world.run(datetime(2026, 11, 29, 12, 0)).counts == {}
    assert len(world.inbox.to("ann@example.org")) == 1  # received once, never again


def test_an_unreachable_or_misconfigured_server_defers_without_bounces(
    world: DigestWorld,
) -> None:
    first = subscribe(world, "ann@example.org")
    second = subscribe(world, "bob@example.org")
    at = datetime(2026, 11, 29, 9, 0)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    report = world.run(at, smtp_port=closed)
    assert report.counts == {"deferred": 1}  # the run stops at the first
    states = [row.state for row in rows(world, first) + rows(world, second)]
    assert sorted(states) == ["pending", "pending"]
    for subscriber in (first, second):
        found = subscriptions.get_subscriber(world.store, subscriber)
        assert found is not None and found.bounce_count == 0
    # Once the server is back, after the backoff, both go out.
    assert world.run(at + timedelta(minutes=2)).counts == {"sent": 2}


def test_trending_papers_are_never_repeated_day_after_day(world: DigestWorld) -> None:
    """Trending changes slowly: once the top of the list was sent, later digests reach
    far down it, and still never repeat a paper."""
    subscriber = subscribe(world, "ann@example.org", topics=())
    papers = world.store.papers.newest(limit=40)
    sent: list[int] = []
    for offset in range(7):
        morning = datetime(2026, 11, 29, 6, 0) + timedelta(days=offset)
        for rank, paper in enumerate(papers):  # the same ranking every day
            for visitor in range(40 - rank):
                trending.record_view(
                    world.store,
                    paper.paper_id,
                    f"visitor-{offset}-{visitor:04d}",
                    network=f"10.{rank}.{visitor}.0/24",
                    secret_key="test-secret-key-that-is-long-enough-0123456789",
                    network_cap=3,
                    now=morning,
                )
        trending.refresh_scores(world.store, now=morning + timedelta(hours=1))
        world.run(morning + timedelta(hours=3), digest_papers_per_section=5)
    for row in rows(world, subscriber):
        sent += [paper for section in row.sections or [] for paper in section["papers"]]
    assert len(sent) > 25  # the sixth digest reached past the first 25 trending papers
    assert len(sent) == len(set(sent))
