"""Reading XML with memory bounded by the record size limit, whatever the input."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperwire.ingest.formats.xmlstream import Completed, completed_elements
from paperwire.records import RecordError

FEED = (Path(__file__).parent.parent / "fixtures" / "atom" / "2026_q_testing_s0_m10.xml").read_text(
    encoding="utf-8"
)
LIMIT = 64 * 1024


def read(data: str) -> list[Completed | RecordError]:
    items = completed_elements(data, "feed.xml", {"entry"}, LIMIT)
    return [item for item in items if isinstance(item, RecordError) or item.number]


def with_inserted(text: str, entry: int = 2) -> tuple[str, int]:
    """The feed with ``text`` before its entry number ``entry`` (from 0), and that line."""
    cut = -1
    for _ in range(entry + 1):
        cut = FEED.index("<entry>", cut + 1)
    return FEED[:cut] + text + FEED[cut:], FEED[:cut].count("\n") + 1


def test_records_come_numbered_with_the_line_they_start_on() -> None:
    items = read(FEED)
    assert [item.number for item in items] == list(range(1, 11))  # type: ignore[union-attr]
    lines = FEED.split("\n")
    assert all(lines[item.line - 1].strip() == "<entry>" for item in items)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "record",
    [
        "<entry><summary>" + "x" * (2 * LIMIT) + "</summary></entry>",
        "<entry>" + "<a/>" * LIMIT + "</entry>",
        "<entry a='" + "x" * (LIMIT + 10) + "'/>",
    ],
)
def test_an_oversized_record_is_dropped_and_reading_goes_on(record: str) -> None:
    data, line = with_inserted(record + "\n")
    items = read(data)
    assert len(items) == 11
    error = items[2]
    assert isinstance(error, RecordError) and not error.unreadable
    assert error.line == line and error.reason.startswith("record 3 is over the record size")
    assert all(isinstance(item, Completed) for item in items[3:])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<entry><id>x</entry>", "malformed XML at line"),
        ("<entry a='" + "x" * (4 * LIMIT) + "'/>", "markup from line"),
        ("<!-- " + "x" * (4 * LIMIT) + " -->", "markup from line"),
        ("<a>" * 200, "elements nested more than 100 deep"),
        ("<a>" + "x" * (2 * LIMIT) + "</a>", "an element at line"),
        ("<a b='" + "x" * (LIMIT + 10) + "'/>", "an element at line"),
    ],
)
def test_what_cannot_be_read_on_ends_the_file_where_it_starts(text: str, reason: str) -> None:
    data, line = with_inserted(text + "\n")
    items = read(data)
    assert len(items) == 3
    error = items[-1]
    assert isinstance(error, RecordError) and error.unreadable and error.line == line
    assert reason in error.reason and error.reason.endswith("nothing from there on was read")
