import datetime as dt

import pytest

from paperdeck.store.dates import DateProblem, parse_date, parse_month


@pytest.mark.parametrize(
    "text, as_of, expected",
    [
        ("May 22", dt.date(2026, 11, 22), dt.date(2026, 5, 22)),
        ("Dec 24", dt.date(2026, 11, 22), dt.date(2025, 12, 24)),  # not after the as-of day
        ("Nov 22", dt.date(2026, 11, 22), dt.date(2026, 11, 22)),
        ("Feb 29", dt.date(2026, 11, 22), dt.date(2024, 2, 29)),  # the most recent leap day
        ("Oct 13, 2022", dt.date(2026, 11, 22), dt.date(2022, 10, 13)),
        ("10 September, 2025", dt.date(2026, 11, 22), dt.date(2025, 9, 10)),
    ],
)
def test_dates(text, as_of, expected):
    assert parse_date(text, as_of) == expected


@pytest.mark.parametrize("text", ["Smarch 45, 2025", "Feb 30, 2024", "Feb 30", "Jun 31", "Sep 0, 2020"])
def test_impossible_dates_are_reported_not_guessed(text):
    with pytest.raises(DateProblem):
        parse_date(text, dt.date(2026, 11, 22))


def test_month():
    assert parse_month("October 2025") == "2025-10"
