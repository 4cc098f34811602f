"""Reading a list of subscribers from CSV text (no I/O: the caller hands over the lines).

The header row names the columns, in any order and any case: ``email`` is required;
``topics`` (separated by ``;``), ``categories`` (separated by ``;``, ``,`` or spaces),
``hour`` and ``tz`` (or ``timezone``) are optional; other columns are ignored. Each bad
row is reported with its line number and the column at fault, and the others are kept,
so an operator can fix the few bad lines and import the file again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from paperwire.accounts.emails import InvalidEmail, normalise_email
from paperwire.digest.preferences import InvalidPreferences, Preferences, parse_preferences

EMAIL = "email"
TOPICS = "topics"
CATEGORIES = "categories"
HOUR = "hour"
TIMEZONE_COLUMNS = ("tz", "timezone")
TOPIC_SEPARATOR = ";"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (no header, no ``email`` column)."""


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One good row: the address (canonical form) and checked preferences."""

    line: int
    email: str
    preferences: Preferences


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A row that was skipped: its first line, the column at fault, and why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.message}"


def parse_subscriber_csv(lines: Iterable[str]) -> tuple[list[ImportRow], list[ImportProblem]]:
    """Good rows and problems, each with the line number where its record starts.

    ImportFileError when there is no header row or it has no ``email`` column. Blank
    lines are skipped; an address that appears again is a problem on the later line.
    """
    numbered = _LineCounter(lines)
    reader = csv.reader(numbered)
    header: list[str] | None = None
    for record in reader:
        if any(cell.strip() for cell in record):
            header = [cell.strip().lstrip("\ufeff").casefold() for cell in record]
            break
    if header is None:
        raise ImportFileError("the file is empty: expected a header row with an email column")
    if EMAIL not in header:
        shown = ", ".join(cell for cell in header if cell) or "none"
        raise ImportFileError(f"the header row has no email column (columns: {shown})")
    timezone_column = next((name for name in TIMEZONE_COLUMNS if name in header), "tz")
    columns = {name: header.index(name) for name in dict.fromkeys(header) if name}

    rows: list[ImportRow] = []
    problems: list[ImportProblem] = []
    first_seen: dict[str, int] = {}
    while True:
        start = numbered.count + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(ImportProblem(start, "row", f"not valid CSV: {error}"))
            continue
        if not any(cell.strip() for cell in record):
            continue
        line = start
        if len(record) > len(header):
            problems.append(
                ImportProblem(
                    line,
                    "row",
                    f"{len(record)} values, but the header names {len(header)} columns.",
                )
            )
            continue

        def cell(name: str, record: list[str] = record) -> str:
            index = columns.get(name)
            return record[index] if index is not None and index < len(record) else ""

        try:
            address = normalise_email(cell(EMAIL))
        except InvalidEmail as error:
            problems.append(ImportProblem(line, EMAIL, error.message))
            continue
        if address in first_seen:
            problems.append(
                ImportProblem(line, EMAIL, f"{address} is already on line {first_seen[address]}.")
            )
            continue
        try:
            preferences = parse_preferences(
                topics=cell(TOPICS).split(TOPIC_SEPARATOR),
                categories=[cell(CATEGORIES)],
                hour=cell(HOUR),
                timezone=cell(timezone_column),
            )
        except InvalidPreferences as error:
            field = timezone_column if error.field == "timezone" else error.field
            problems.append(ImportProblem(line, field, error.message))
            continue
        first_seen[address] = line
        rows.append(ImportRow(line, address, preferences))
    return rows, problems


class _LineCounter:
    """Lines passed through to the csv reader, counted (a quoted value may span several)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line
