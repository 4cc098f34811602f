"""OAI-PMH responses built from the recorded ListRecords response (tests/fixtures/oai).

The recorded response's envelope and records are kept as they are; pages are cut from
its six records, tokens and dates are set, and extra records (a second version, odd
characters, a deletion) are made by editing a recorded one.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "oai" / "ListRecordsResponse.xml"
TEXT = RECORDED.read_text(encoding="utf-8")
HEAD = TEXT[: TEXT.index("<record>")]
RECORDS = re.findall(r"<record>.*?</record>\n", TEXT, flags=re.S)
RECORDED_IDS = [re.search(r"<id>([^<]+)</id>", r).group(1) for r in RECORDS]  # type: ignore[union-attr]


def page(
    records: list[str],
    token: str | None = None,
    *,
    cursor: int = 0,
    size: int | None = None,
    response_date: str = "2026-11-30T03:00:00Z",
) -> bytes:
    head = re.sub(r"<responseDate>[^<]*", f"<responseDate>{response_date}", HEAD)
    tail = ""
    if token is not None or size is not None:
        attrs = f' cursor="{cursor}"' + (f' completeListSize="{size}"' if size else "")
        tail = f"<resumptionToken{attrs}>{escape(token or '')}</resumptionToken>\n"
    return (head + "".join(records) + tail + "</ListRecords>\n</OAI-PMH>\n").encode()


def with_id(record: str, arxiv_id: str) -> str:
    """A recorded record under another arXiv id (header and metadata)."""
    record = re.sub(r"oai:arXiv\.org:[^<]+", f"oai:arXiv.org:{arxiv_id}", record)
    return re.sub(r"<id>[^<]+</id>", f"<id>{arxiv_id}</id>", record, count=1)


def with_title(record: str, title: str) -> str:
    replacement = f"<title>{escape(title)}</title>"
    return re.sub(r"<title>.*?</title>", lambda _: replacement, record, flags=re.S)


def add_version(record: str, number: int, date: str) -> str:
    """The record as it is listed after its author submitted version ``number``."""
    version = f'<version version="v{number}"><date>{date}</date><size>300kb</size></version>'
    return record.replace("<title>", version + "<title>", 1)


def deleted(arxiv_id: str) -> str:
    return (
        f'<record>\n<header status="deleted">\n <identifier>oai:arXiv.org:{arxiv_id}</identifier>'
        "\n <datestamp>2026-11-29</datestamp>\n</header>\n</record>\n"
    )


def without_title(record: str) -> str:
    return re.sub(r"<title>.*?</title>", "", record, flags=re.S)
