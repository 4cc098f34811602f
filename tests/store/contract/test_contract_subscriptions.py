"""What every engine's ``store.subscriptions`` promises."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from paperwire.store.base import Store
from paperwire.store.interfaces.deliveries import CANCELLED, Planned
from paperwire.store.interfaces.subscriptions import (
    ACTIVE,
    BOUNCED,
    PAUSED,
    PENDING,
    UNSUBSCRIBED,
    StoredTopic,
)

NOW = datetime(2026, 12, 1, 9, 0)


@dataclass(frozen=True)
class Choices:
    topics: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    hour: int = 8
    timezone: str = "UTC"


def always(sent_at: datetime | None, count: int, now: datetime) -> int | None:
    return count + 1


def never(sent_at: datetime | None, count: int, now: datetime) -> int | None:
    return None


def request(store: Store, email: str, nonce: str = "n1", **kwargs: object) -> int:
    choices = Choices(**kwargs)  # type: ignore[arg-type]
    vectors = [None] * len(choices.topics)
    return store.subscriptions.request(
        email, choices, vectors, nonce=nonce, now=NOW, rate=always
    ).subscriber_id


def active(store: Store, email: str, **kwargs: object) -> int:
    choices = Choices(**kwargs)  # type: ignore[arg-type]
    vectors = [None] * len(choices.topics)
    added = store.subscriptions.add(email, choices, vectors, now=NOW, keep_opted_out=False)
    return added.subscriber_id


def test_a_request_makes_a_pending_subscriber_with_topics_in_order(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    choices = Choices(("zeta", "alpha", "mid"), ("cs.CL",), 18, "Europe/Berlin")
    made = subscriptions.request(
        "a@example.org",
        choices,
        [("m", b"\x00" * 8), None, None],
        nonce="first",
        now=NOW,
        rate=always,
    )
    assert made.nonce == "first" and made.email == "a@example.org" and not made.left_alone
    found = subscriptions.get(made.subscriber_id)
    assert found is not None and found.status == PENDING
    assert found.topics == ("zeta", "alpha", "mid")
    assert (found.categories, found.hour, found.timezone) == (("cs.CL",), 18, "Europe/Berlin")
    assert subscriptions.by_email("a@example.org") == found
    assert subscriptions.topics_of(made.subscriber_id) == (
        StoredTopic("zeta", "m", b"\x00" * 8),
        StoredTopic("alpha", None, None),
        StoredTopic("mid", None, None),
    )


def test_a_request_never_changes_an_active_or_paused_subscription(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    member = active(contract_store, "m@example.org", hour=7)
    again = subscriptions.request(
        "m@example.org", Choices(hour=20), [], nonce="x", now=NOW, rate=always
    )
    assert again.subscriber_id == member and again.nonce is None
    found = subscriptions.get(member)
    assert found is not None and found.status == ACTIVE and found.hour == 7
    subscriptions.set_paused(member, True, now=NOW)
    assert subscriptions.request("m@example.org", Choices(), [], nonce="y", now=NOW, rate=always)
    assert subscriptions.confirm(member, "y", now=NOW).outcome == "already"
    assert subscriptions.get(member).status == PAUSED  # type: ignore[union-attr]


def test_confirmation_takes_the_latest_nonce_once(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    first = request(contract_store, "c@example.org", nonce="old")
    assert request(contract_store, "c@example.org", nonce="new") == first
    assert subscriptions.confirm(first, "old", now=NOW).outcome == "superseded"
    assert subscriptions.get(first).status == PENDING  # type: ignore[union-attr]
    done = subscriptions.confirm(first, "new", now=NOW)
    assert (done.outcome, done.email) == ("confirmed", "c@example.org")
    assert subscriptions.confirm(first, "new", now=NOW).outcome == "already"
    assert subscriptions.confirm(first + 1000, "new", now=NOW).outcome == "missing"
    found = subscriptions.get(first)
    assert found is not None and found.status == ACTIVE and found.confirmed_at == NOW


def test_a_rate_limited_request_changes_nothing(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    first = request(contract_store, "r@example.org", nonce="kept", hour=6)
    refused = subscriptions.request(
        "r@example.org", Choices(hour=9), [], nonce="other", now=NOW, rate=never
    )
    assert refused.nonce is None and refused.subscriber_id == first
    assert subscriptions.get(first).hour == 6  # type: ignore[union-attr]
    assert subscriptions.confirm(first, "kept", now=NOW).outcome == "confirmed"


def test_a_link_for_an_ended_subscription_confirms_nothing(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    pending = request(contract_store, "e@example.org", nonce="n")
    assert subscriptions.unsubscribe(pending, now=NOW) == "e@example.org"
    assert subscriptions.confirm(pending, "n", now=NOW).outcome in ("ended", "superseded")
    assert subscriptions.get(pending).status == UNSUBSCRIBED  # type: ignore[union-attr]


def test_concurrent_requests_for_one_address_make_one_subscriber(contract_store: Store) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []

    def subscribe(n: int) -> None:
        try:
            ids.append(request(contract_store, "race@example.org", nonce=f"n{n}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=subscribe, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(ids)) == 1
    assert contract_store.subscriptions.statuses_of(["race@example.org"]) == {
        "race@example.org": PENDING
    }


def test_an_import_leaves_opted_out_addresses_alone(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    left = active(contract_store, "left@example.org", hour=5)
    subscriptions.unsubscribe(left, now=NOW)
    kept = subscriptions.add("left@example.org", Choices(hour=9), [], now=NOW, keep_opted_out=True)
    assert kept.left_alone and subscriptions.get(left).status == UNSUBSCRIBED  # type: ignore[union-attr]
    back = subscriptions.add(
        "left@example.org", Choices(hour=9), [], now=NOW + timedelta(days=1), keep_opted_out=False
    )
    found = subscriptions.get(back.subscriber_id)
    assert back.subscriber_id == left and not back.left_alone
    assert found is not None and found.status == ACTIVE and found.hour == 9
    assert found.confirmed_at == NOW + timedelta(days=1)


def test_adding_an_active_subscriber_again_keeps_when_it_was_confirmed(
    contract_store: Store,
) -> None:
    member = active(contract_store, "keep@example.org")
    contract_store.subscriptions.add(
        "keep@example.org", Choices(hour=3), [], now=NOW + timedelta(days=5), keep_opted_out=True
    )
    found = contract_store.subscriptions.get(member)
    assert found is not None and found.confirmed_at == NOW and found.hour == 3


def test_unsubscribe_and_pause_cancel_pending_deliveries(contract_store: Store) -> None:
    subscriptions, deliveries = contract_store.subscriptions, contract_store.deliveries
    leaving, pausing = (
        active(contract_store, "l@example.org"),
        active(contract_store, "p@example.org"),
    )
    day = date(2026, 12, 1)
    deliveries.plan([Planned(leaving, day, NOW), Planned(pausing, day, NOW)])
    assert subscriptions.unsubscribe(leaving, now=NOW) == "l@example.org"
    assert subscriptions.unsubscribe(leaving, now=NOW) == "l@example.org"  # idempotent
    assert subscriptions.unsubscribe(leaving + 1000, now=NOW) is None
    subscriptions.set_paused(pausing, True, now=NOW)
    assert [row.state for row in deliveries.history(leaving, (CANCELLED,))] == [CANCELLED]
    assert [row.state for row in deliveries.history(pausing, (CANCELLED,))] == [CANCELLED]
    assert subscriptions.get(pausing).status == PAUSED  # type: ignore[union-attr]
    subscriptions.set_paused(pausing, False, now=NOW)
    assert subscriptions.get(pausing).status == ACTIVE  # type: ignore[union-attr]
    subscriptions.set_paused(leaving, False, now=NOW)  # only a paused one resumes
    assert subscriptions.get(leaving).status == UNSUBSCRIBED  # type: ignore[union-attr]


def test_counts_lists_and_statuses(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    active(contract_store, "b@example.org")
    active(contract_store, "a@example.org")
    request(contract_store, "c@example.org")
    counts = subscriptions.count_by_status()
    assert counts == {PENDING: 1, ACTIVE: 2, PAUSED: 0, UNSUBSCRIBED: 0, BOUNCED: 0}
    assert list(counts)[:5] == [PENDING, ACTIVE, PAUSED, UNSUBSCRIBED, BOUNCED]
    assert [row.email for row in subscriptions.listing()] == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert [row.email for row in subscriptions.listing(PENDING)] == ["c@example.org"]
    assert sorted(s.subscriber_id for s in subscriptions.schedules()) == sorted(
        row.id for row in subscriptions.listing(ACTIVE)
    )
    assert subscriptions.statuses_of(["a@example.org", "nobody@example.org"]) == {
        "a@example.org": ACTIVE
    }


def test_ids_are_never_reused_and_delete_forgets_everything(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    first = active(contract_store, "gone@example.org", topics=("t",))
    contract_store.deliveries.plan([Planned(first, date(2026, 12, 1), NOW)])
    subscriptions.delete(first)
    assert subscriptions.get(first) is None and subscriptions.topics_of(first) == ()
    assert contract_store.deliveries.history(first, (PENDING,)) == []
    assert active(contract_store, "gone@example.org") > first


def test_choices_are_replaced_as_a_whole(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    member = active(contract_store, "u@example.org", topics=("a", "b"))
    assert subscriptions.update_choices(
        member, Choices(("c",), ("math.AG",), 21, "Asia/Tokyo"), [None], now=NOW
    )
    found = subscriptions.get(member)
    assert found is not None and found.topics == ("c",) and found.hour == 21
    assert not subscriptions.update_choices(member + 1000, Choices(), [], now=NOW)


def test_topic_vectors_are_saved_only_for_unchanged_text(contract_store: Store) -> None:
    subscriptions = contract_store.subscriptions
    member = active(contract_store, "v@example.org", topics=("graphs", "proteins"))
    stale = subscriptions.topics_needing_vectors("model-b")
    assert sorted(text for _, text in stale) == ["graphs", "proteins"]
    (graphs_id, _), (proteins_id, _) = sorted(stale, key=lambda pair: pair[1])
    subscriptions.save_topic_vectors(
        [(graphs_id, "graphs", "model-b", b"\x01" * 4), (proteins_id, "changed", "model-b", b"")]
    )
    assert subscriptions.topics_needing_vectors("model-b") == [(proteins_id, "proteins")]
    assert subscriptions.topics_of(member)[0] == StoredTopic("graphs", "model-b", b"\x01" * 4)
