import pytest

from paperwire.limits import check_fields
from paperwire.records import PaperRecord


def test_records_at_the_limits_pass() -> None:
    check_fields(
        PaperRecord(
            source="x", title="t" * 1_000, abstract="a" * 32_000, authors=["n" * 1_000] * 10_000
        )
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "t" * 1_001}, "title has 1,001 characters"),
        ({"abstract": "a" * 32_001}, "abstract has 32,001 characters"),
        ({"authors": ["n"] * 10_001}, "author list has 10,001 names"),
        ({"authors": ["n", "n" * 1_001]}, "author 2 has 1,001 characters"),
    ],
)
def test_one_over_is_refused(fields: dict[str, object], message: str) -> None:
    record = PaperRecord(source="x", title="t")
    for name, value in fields.items():
        setattr(record, name, value)
    with pytest.raises(ValueError, match=message):
        check_fields(record)
