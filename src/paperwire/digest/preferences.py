"""What a subscriber may choose, checked without I/O: topics, categories, hour, time zone.

Every refusal names the field it is about, so a form can show it beside that field and
an import can say which column of which line is wrong.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

MAX_TOPICS = 10
MAX_TOPIC_CHARS = 200
MAX_CATEGORIES = 20
DEFAULT_HOUR = 8
DEFAULT_TIMEZONE = "UTC"

# arXiv-style categories: cs.CL, hep-th, math.AG, astro-ph.GA, q-bio.NC.
_CATEGORY = re.compile(r"^[a-z][a-z-]{0,15}(\.[A-Za-z][A-Za-z-]{0,15})?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class InvalidPreferences(ValueError):
    """A choice that cannot be saved: ``field`` is which one, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a subscriber receives and when (their local ``hour`` in ``timezone``)."""

    topics: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    hour: int = DEFAULT_HOUR
    timezone: str = DEFAULT_TIMEZONE


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def parse_preferences(
    topics: Iterable[str] = (),
    categories: Iterable[str] = (),
    hour: int | str | None = None,
    timezone: str | None = None,
) -> Preferences:
    """Clean, checked preferences; InvalidPreferences names the first field that is wrong."""
    return Preferences(
        topics=parse_topics(topics),
        categories=parse_categories(categories),
        hour=parse_hour(hour),
        timezone=parse_timezone(timezone),
    )


def parse_topics(topics: Iterable[str]) -> tuple[str, ...]:
    """Topics in plain words, whitespace tidied, duplicates (ignoring case) dropped."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in topics:
        if _CONTROL.search(raw.replace("\n", " ").replace("\r", " ").replace("\t", " ")):
            raise InvalidPreferences("topics", "A topic cannot contain control characters.")
        topic = " ".join(unicodedata.normalize("NFKC", raw).split())
        if not topic:
            continue
        if len(topic) > MAX_TOPIC_CHARS:
            raise InvalidPreferences(
                "topics",
                f"A topic can be at most {MAX_TOPIC_CHARS} characters "
                f"(one starting {topic[:30]!r} has {len(topic)}).",
            )
        if topic.casefold() in seen:
            continue
        seen.add(topic.casefold())
        cleaned.append(topic)
    if len(cleaned) > MAX_TOPICS:
        raise InvalidPreferences("topics", f"Choose at most {MAX_TOPICS} topics.")
    return tuple(cleaned)


def parse_categories(categories: Iterable[str]) -> tuple[str, ...]:
    """arXiv categories such as cs.CL; commas and spaces separate several in one string."""
    cleaned: list[str] = []
    for raw in categories:
        for part in re.split(r"[\s,;]+", raw.strip()):
            if not part:
                continue
            if not _CATEGORY.match(part):
                shown = _CONTROL.sub("?", part[:40])
                raise InvalidPreferences(
                    "categories", f"{shown!r} is not a category like cs.CL or hep-th."
                )
            if part not in cleaned:
                cleaned.append(part)
    if len(cleaned) > MAX_CATEGORIES:
        raise InvalidPreferences("categories", f"Choose at most {MAX_CATEGORIES} categories.")
    return tuple(cleaned)


def parse_hour(hour: int | str | None) -> int:
    """The local hour of delivery, 0 to 23 (default 8)."""
    if hour is None or (isinstance(hour, str) and not hour.strip()):
        return DEFAULT_HOUR
    try:
        value = int(hour)
    except ValueError:
        raise InvalidPreferences("hour", "The hour must be a whole number from 0 to 23.") from None
    if not 0 <= value <= 23:
        raise InvalidPreferences("hour", "The hour must be a whole number from 0 to 23.")
    return value


def parse_timezone(timezone: str | None) -> str:
    """An IANA time zone name such as Europe/Berlin (default UTC)."""
    name = (timezone or "").strip()
    if not name:
        return DEFAULT_TIMEZONE
    if name not in known_timezones():
        shown = _CONTROL.sub("?", name[:60])
        raise InvalidPreferences(
            "timezone", f"{shown!r} is not a time zone name like Europe/Berlin or UTC."
        )
    return name
