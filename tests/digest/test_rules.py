"""The digest rules without I/O: preferences, schedule, composition, topics, backoff, links."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from paperwire.digest.compose import CATEGORY, TOPIC, TRENDING, compose_digest
from paperwire.digest.links import InvalidLink, LinkSigner
from paperwire.digest.preferences import InvalidPreferences, parse_preferences
from paperwire.digest.rules import RateGate, digest_message_id, retry_delay
from paperwire.digest.schedule import date_has_passed, due_at, due_date
from paperwire.digest.subscriptions import confirmation_allowed
from paperwire.digest.topics import Candidates, match_topic, topic_terms

SECRET = "a-secret-key-that-is-long-enough-for-tests-0123456789"


# Preferences ---------------------------------------------------------------------------


def test_preferences_are_cleaned() -> None:
    prefs = parse_preferences(
        ["  speculative   decoding ", "", "Speculative Decoding", "continual learning"],
        ["cs.CL, cs.LG", "hep-th cs.CL"],
        "7",
        "Pacific/Honolulu",
    )
    assert prefs.topics == ("speculative decoding", "continual learning")
    assert prefs.categories == ("cs.CL", "cs.LG", "hep-th")
    assert (prefs.hour, prefs.timezone) == (7, "Pacific/Honolulu")
    assert parse_preferences() == parse_preferences([], [], None, "")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"topics": ["x" * 10_000]}, "topics"),
        ({"topics": [f"topic {n}" for n in range(11)]}, "topics"),
        ({"topics": ["bad\x00topic"]}, "topics"),
        ({"categories": ["cs.CL\r\nBcc: x@y.org"]}, "categories"),
        ({"categories": ["<script>"]}, "categories"),
        ({"hour": "24"}, "hour"),
        ({"hour": "eight"}, "hour"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "UTC\r\nX-Injected: 1"}, "timezone"),
    ],
)
def test_bad_preferences_name_their_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidPreferences) as raised:
        parse_preferences(**kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert raised.value.message
    assert "\n" not in raised.value.message


# Schedule ------------------------------------------------------------------------------


def test_due_on_the_local_date_from_the_chosen_hour() -> None:
    # 2026-11-29 18:00 UTC is 08:00 in Honolulu (UTC-10) and 07:00 on 30 Nov in Tongatapu (UTC+13)
    now = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    assert due_date(now, 8, "Pacific/Honolulu") == date(2026, 11, 29)
    assert due_date(now, 9, "Pacific/Honolulu") is None
    assert due_date(now, 7, "Pacific/Tongatapu") == date(2026, 11, 30)
    assert due_date(now, 8, "Pacific/Tongatapu") is None
    assert due_at(date(2026, 11, 29), 8, "Pacific/Honolulu") == datetime(2026, 11, 29, 18, 0)


def test_a_subscriber_confirmed_after_the_hour_starts_the_next_day() -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert due_date(now, 8, "UTC", confirmed_at=datetime(2026, 11, 29, 9, 0)) is None
    assert due_date(now, 8, "UTC", confirmed_at=datetime(2026, 11, 29, 7, 0)) == date(2026, 11, 29)


def test_a_skipped_hour_on_a_daylight_saving_day_is_due_once_passed() -> None:
    # New York springs forward at 02:00 on 2026-03-08: 02:30 does not exist.
    before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)  # 01:59 EST
    after = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert due_date(before, 2, "America/New_York") is None
    assert due_date(after, 2, "America/New_York") == date(2026, 3, 8)


def test_a_passed_date_is_never_due() -> None:
    late = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 00:00 on 30 Nov in Honolulu
    assert date_has_passed(date(2026, 11, 29), late, "Pacific/Honolulu")
    assert not date_has_passed(date(2026, 11, 30), late, "Pacific/Honolulu")


# Composition ---------------------------------------------------------------------------


def test_compose_never_repeats_a_paper_and_fills_sections_in_order() -> None:
    content = compose_digest(
        trending=[1, 2, 3, 4],
        topics=[("decoding", [2, 5, 6, 7]), ("memory", [5, 8])],
        categories=[("cs.CL", [1, 9, 10])],
        already_sent={1},
        per_section=2,
    )
    sections = [(s.kind, s.title, s.papers) for s in content.sections]
    assert sections == [
        (TRENDING, "Trending today", (2, 3)),
        (TOPIC, "decoding", (5, 6)),
        (TOPIC, "memory", (8,)),
        (CATEGORY, "cs.CL", (9, 10)),
    ]
    assert len(content.paper_ids) == len(set(content.paper_ids))
    assert not content.is_empty


def test_a_digest_of_papers_already_sent_is_empty() -> None:
    content = compose_digest([1, 2], [("t", [2, 3])], [], {1, 2, 3}, per_section=5)
    assert content.is_empty
    assert content.paper_ids == []


# Topics --------------------------------------------------------------------------------


def _candidates() -> Candidates:
    vectors = np.array(
        [[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]], dtype=np.float32
    )
    return Candidates.build(
        row_ids=[10, 11, 12, 13],
        arrived=[100.0, 200.0, 300.0, 400.0],
        texts=[
            "Fast inference. We study speculative decoding of transformers.",
            "Draft models. Verification of drafted tokens.",
            "Continual learning. Models that forget.",
            "Speculative decoding without vectors. Not embedded yet.",
        ],
        vectors=vectors,
        has_vector=[True, True, True, False],
    )


def test_topic_terms_drop_stop_words_and_plurals() -> None:
    assert topic_terms("The decoding of Transformers") == ("decoding", "transformer")


def test_topics_match_by_meaning_and_by_words() -> None:
    candidates = _candidates()
    topic = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    found = match_topic(
        candidates,
        topic_terms("speculative decoding"),
        topic,
        vector_weight=0.6,
        threshold=0.45,
    )
    ids = candidates.row_ids[found.positions].tolist()
    # 10: words and meaning (1.0); 13: words only, no vector (1.0, newer, so first);
    # 11: meaning only, 0.6 * 0.6 = 0.36 < 0.45
    assert ids == [13, 10]
    assert found.scores.tolist() == pytest.approx([1.0, 1.0])
    loose = match_topic(candidates, (), topic, vector_weight=1.0, threshold=0.5)
    assert candidates.row_ids[loose.positions].tolist() == [10, 11]


# Backoff, ids, rate --------------------------------------------------------------------


def test_retry_delays_grow_and_stop_growing() -> None:
    delays = [retry_delay(n) for n in range(1, 8)]
    assert delays == sorted(delays)
    assert delays[0] == timedelta(minutes=1)
    assert delays[-1] == delays[-2]


def test_message_id_is_stable_per_subscriber_and_date() -> None:
    first = digest_message_id(7, date(2026, 11, 29), "example.org")
    assert first == digest_message_id(7, date(2026, 11, 29), "example.org")
    assert first != digest_message_id(7, date(2026, 11, 30), "example.org")
    assert first != digest_message_id(8, date(2026, 11, 29), "example.org")


def test_rate_gate_spaces_passes() -> None:
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    gate = RateGate(4.0, clock=lambda: clock[0], sleep=sleep)
    for _ in range(5):
        gate.wait()
    assert clock[0] == pytest.approx(1.0)
    assert slept == [pytest.approx(0.25)] * 4


def test_confirmation_mails_are_limited_per_address() -> None:
    now = datetime(2026, 11, 29, 12, 0)
    assert confirmation_allowed(None, 0, now)
    assert not confirmation_allowed(now - timedelta(minutes=5), 1, now)
    assert confirmation_allowed(now - timedelta(minutes=11), 1, now)
    assert not confirmation_allowed(now - timedelta(minutes=11), 5, now)
    assert confirmation_allowed(now - timedelta(days=1), 5, now)


# Links ---------------------------------------------------------------------------------


def test_links_round_trip_and_keep_their_purpose() -> None:
    signer = LinkSigner(SECRET, confirm_max_age_seconds=3600)
    assert signer.read_confirm(signer.confirm_token(5, "nonce")) == (5, "nonce")
    assert signer.read_unsubscribe(signer.unsubscribe_token(5)) == 5
    assert signer.read_archive(signer.archive_token(5)) == 5
    with pytest.raises(InvalidLink):
        signer.read_unsubscribe(signer.archive_token(5))  # another purpose
    with pytest.raises(InvalidLink):
        signer.read_unsubscribe(signer.unsubscribe_token(5)[:-2] + "xx")  # forged
    with pytest.raises(InvalidLink):
        LinkSigner(
            "another-secret-key-also-long-enough-0123456789", confirm_max_age_seconds=9
        ).read_unsubscribe(signer.unsubscribe_token(5))
    with pytest.raises(InvalidLink):
        signer.read_archive("x" * 5000)


def test_confirmation_links_expire_and_unsubscribe_links_do_not() -> None:
    signer = LinkSigner(SECRET, confirm_max_age_seconds=1)
    confirm = signer.confirm_token(5, "n")
    unsubscribe = signer.unsubscribe_token(5)
    time.sleep(2.1)
    with pytest.raises(InvalidLink, match="expired"):
        signer.read_confirm(confirm)
    assert signer.read_unsubscribe(unsubscribe) == 5
