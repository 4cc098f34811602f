"""The pure rules: schedule, backoff, pacing slots, follows, paging, checkpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from paperwire.harvest.atom_api import MAX_TOTAL, PageRequest, page_plan
from paperwire.harvest.backoff import parse_retry_after, retry_delay
from paperwire.harvest.follow import Follow, category_to_set, parse_follow
from paperwire.harvest.hf_daily import days_to_harvest
from paperwire.harvest.pacing import effective_delay, pacing_key
from paperwire.harvest.schedule import is_due, last_announcement, next_announcement, next_due
from paperwire.harvest.state import after_page, begin_run, oai_start
from paperwire.store.base import (
    HarvestCheckpoint,
    RequestSlot,
    grant_request_slot,
    release_request_slot,
)

T0 = datetime(2026, 11, 30, 12, 0)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_announcements_are_2230_eastern_sunday_to_thursday() -> None:
    # Monday 2026-11-30 12:00 UTC: the latest announcement was Sunday 22:30 EST = 03:30 UTC.
    assert last_announcement(utc(2026, 11, 30, 12)) == utc(2026, 11, 30, 3, 30)
    assert next_announcement(utc(2026, 11, 30, 12)) == utc(2026, 12, 1, 3, 30)
    # Friday and Saturday evenings have none: after Thursday's comes Sunday's.
    assert next_announcement(utc(2026, 12, 4, 12)) == utc(2026, 12, 7, 3, 30)
    # Summer time: 22:30 EDT is 02:30 UTC.
    assert last_announcement(utc(2026, 7, 1, 12)) == utc(2026, 7, 1, 2, 30)


def test_due_once_after_each_announcement_and_after_downtime() -> None:
    now = utc(2026, 11, 30, 12)
    assert is_due(None, now)
    assert not is_due(utc(2026, 11, 30, 4), now)
    assert is_due(utc(2026, 11, 30, 3), now)
    assert is_due(utc(2026, 11, 20, 4), now), "a week down: due at once"
    assert next_due(utc(2026, 11, 30, 4), now) == utc(2026, 12, 1, 3, 30)
    assert next_due(None, now) == now


def test_retry_after_as_seconds_or_date_and_backoff() -> None:
    now = utc(2026, 11, 30, 12)
    assert parse_retry_after("20", now) == 20
    assert parse_retry_after("Mon, 30 Nov 2026 12:01:00 GMT", now) == 60
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None
    assert retry_delay(1, 20, 3) == 20
    assert retry_delay(1, 0, 3) == 3, "never below the pacing delay"
    assert retry_delay(1, 10**9, 3) == 600, "a bogus header is capped"
    assert [retry_delay(n, None, 3) for n in (1, 2, 3)] == [5, 10, 20]


def test_arxiv_hosts_get_at_least_three_seconds_and_share_one_key() -> None:
    assert effective_delay("https://export.arxiv.org/api/query", 0) == 3
    assert effective_delay("https://oaipmh.arxiv.org/oai", 5) == 5
    assert effective_delay("http://127.0.0.1:8000/oai", 0) == 0
    assert pacing_key("https://export.arxiv.org/api") == pacing_key("https://arxiv.org/x")
    assert pacing_key("http://127.0.0.1:8000/oai") == "127.0.0.1:8000"


def test_slot_rule_one_holder_and_spacing() -> None:
    lease = timedelta(seconds=60)
    slot, grant = grant_request_slot(None, "a", T0, lease)
    assert grant.granted and grant.at == T0
    _, other = grant_request_slot(slot, "b", T0 + timedelta(seconds=1), lease)
    assert not other.granted and other.at == T0 + lease
    slot = release_request_slot(slot, "a", T0 + timedelta(seconds=4))
    _, later = grant_request_slot(slot, "b", T0 + timedelta(seconds=1), lease)
    assert later.granted and later.at == T0 + timedelta(seconds=4)
    dead = RequestSlot(T0, "a", T0 + lease)
    _, taken = grant_request_slot(dead, "b", T0 + lease + timedelta(seconds=1), lease)
    assert taken.granted, "a dead holder's lease runs out"


def test_follow_entries() -> None:
    assert parse_follow("arxiv:cs:cs:LG, arxiv:cs.CL,arxiv:stat.ML,hf-daily,arxiv:cs.LG") == [
        Follow("arxiv", "cs:cs:LG"),
        Follow("arxiv", "cs:cs:CL"),
        Follow("arxiv", "stat:stat:ML"),
        Follow("hf-daily"),
    ]
    assert category_to_set("hep-ex") == "physics:hep-ex"
    assert category_to_set("astro-ph.CO") == "physics:astro-ph:CO"
    try:
        parse_follow("rss:cs")
    except ValueError as error:
        assert "'rss:cs'" in str(error)
    else:
        raise AssertionError("an unknown source is refused")


def test_atom_pages_stay_within_the_api_caps() -> None:
    assert page_plan(500, 200) == [
        PageRequest(0, 200),
        PageRequest(200, 200),
        PageRequest(400, 100),
    ]
    plan = page_plan(100_000, 5_000)
    assert all(p.size <= 2_000 for p in plan)
    assert plan[-1].start + plan[-1].size == MAX_TOTAL


def test_hf_days_catch_up_from_the_last_day() -> None:
    today = date(2026, 11, 30)
    assert days_to_harvest(None, today) == [today]
    assert days_to_harvest(date(2026, 11, 28), today) == [
        date(2026, 11, 28), date(2026, 11, 29), today
    ]  # fmt: skip
    assert len(days_to_harvest(date(2026, 1, 1), today)) == 7


def test_checkpoint_resume_fresh_and_incremental() -> None:
    done = HarvestCheckpoint("arxiv:cs", harvested_until=date(2026, 11, 29))
    assert oai_start(done, None).from_date == date(2026, 11, 29)
    midway = HarvestCheckpoint("arxiv:cs", run_from=date(2026, 11, 1), resumption_token="t|2")
    assert oai_start(midway, None).resumption_token == "t|2"
    assert oai_start(midway, date(2026, 11, 1)).resuming
    fresh = oai_start(midway, date(2026, 10, 1))
    assert not fresh.resuming and fresh.from_date == date(2026, 10, 1)
    run = begin_run(None, "arxiv:cs", fresh)
    run = after_page(run, next_token="t|2", server_date=date(2026, 11, 30), records=2, now=T0)
    run = after_page(run, next_token=None, server_date=date(2026, 12, 1), records=3, now=T0)
    assert run.harvested_until == date(2026, 11, 30), "the date of the run's first response"
    assert run.run_records == 5 and run.resumption_token is None and run.last_success == T0
