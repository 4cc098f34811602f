"""Reading subscriber lists from CSV: good rows kept, bad rows reported by line and column."""

from __future__ import annotations

import pytest

from paperwire.digest.importing import ImportFileError, ImportProblem, parse_subscriber_csv
from paperwire.digest.preferences import DEFAULT_HOUR, Preferences


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_every_column_is_read() -> None:
    rows, problems = parse_subscriber_csv(
        _lines(
            "email,topics,categories,hour,tz\n"
            "Ann@Example.org,speculative decoding; state space models,cs.CL cs.LG,7,Europe/Berlin\n"
            'bob@example.org,,"cs.AI,stat.ML",,\n'
        )
    )
    assert problems == []
    assert [(row.line, row.email) for row in rows] == [
        (2, "ann@example.org"),
        (3, "bob@example.org"),
    ]
    assert rows[0].preferences == Preferences(
        topics=("speculative decoding", "state space models"),
        categories=("cs.CL", "cs.LG"),
        hour=7,
        timezone="Europe/Berlin",
    )
    assert rows[1].preferences == Preferences(categories=("cs.AI", "stat.ML"), hour=DEFAULT_HOUR)


def test_only_email_is_required_and_columns_may_come_in_any_order_and_case() -> None:
    rows, problems = parse_subscriber_csv(
        _lines("\ufeffTimezone,Name,EMAIL\nAmerica/New_York,Ann,ann@example.org\n")
    )
    assert problems == []
    assert rows[0].email == "ann@example.org"
    assert rows[0].preferences.timezone == "America/New_York"


def test_bad_rows_are_reported_with_line_and_column_and_the_rest_kept() -> None:
    rows, problems = parse_subscriber_csv(
        _lines(
            "email,topics,categories,hour,tz\n"
            "good@example.org,diffusion,,9,UTC\n"
            "not an address,,,,\n"
            "\n"
            "hour@example.org,,,25,\n"
            "zone@example.org,,,,Mars/Olympus\n"
            "cat@example.org,,NOT A CATEGORY!,,\n"
            "GOOD@example.org,,,,\n"
            "wide@example.org,,,,,extra\n"
            "last@example.org,,,,\n"
        )
    )
    assert [row.email for row in rows] == ["good@example.org", "last@example.org"]
    assert [row.line for row in rows] == [2, 10]
    assert [(p.line, p.field) for p in problems] == [
        (3, "email"),
        (5, "hour"),
        (6, "tz"),
        (7, "categories"),
        (8, "email"),
        (9, "row"),
    ]
    assert "already on line 2" in problems[4].message
    assert str(problems[1]) == "5: hour: The hour must be a whole number from 0 to 23."


def test_a_quoted_value_over_several_lines_keeps_the_numbering_right() -> None:
    rows, problems = parse_subscriber_csv(
        _lines('email,topics\na@example.org,"one;\ntwo"\nbad,\nc@example.org,\n')
    )
    assert rows[0].preferences.topics == ("one", "two")
    assert problems == [ImportProblem(4, "email", problems[0].message)]
    assert [row.line for row in rows] == [2, 5]


def test_too_many_topics_is_a_problem_of_the_topics_column() -> None:
    topics = ";".join(f"topic {n}" for n in range(11))
    rows, problems = parse_subscriber_csv(_lines(f"email,topics\na@example.org,{topics}\n"))
    assert rows == [] and problems[0].field == "topics"


@pytest.mark.parametrize("text", ["", "\n\n", "name,topics\nAnn,x\n"])
def test_a_file_without_an_email_column_is_refused(text: str) -> None:
    with pytest.raises(ImportFileError):
        parse_subscriber_csv(_lines(text))
