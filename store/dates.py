"""Dates as listing pages print them, some without a year."""

from __future__ import annotations

import datetime as dt
import re

from paperdeck.store.limits import FIRST_YEAR

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_PATTERN = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))


class DateProblem(ValueError):
    """A date the page prints that names no real day; reported, never guessed."""


def month_number(name: str) -> int:
    try:
        return MONTHS[name.lower().rstrip(".")]
    except KeyError:
        raise DateProblem(f"unknown month {name!r}") from None


def make_date(year: int | None, month: int, day: int, as_of: dt.date) -> dt.date:
    """The day; a missing year is the most recent such day not after ``as_of``."""
    if year is not None:
        if not FIRST_YEAR <= year <= as_of.year + 1:
            raise DateProblem(f"{year:04d} is not a plausible year for a paper (before {FIRST_YEAR} or after "
                              f"{as_of.year + 1})")
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise DateProblem(f"no such day: {year}-{month:02d}-{day:02d}") from None
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise DateProblem(f"no such day: month {month}, day {day}")
    # Feb 29 may need to go back up to eight years (1900-style gaps do not occur before 2100).
    for candidate_year in range(as_of.year, as_of.year - 9, -1):
        try:
            candidate = dt.date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate <= as_of:
            return candidate
    raise DateProblem(f"no such day: month {month}, day {day}")


_MONTH_DAY_YEAR = re.compile(r"^(?P<month>[A-Za-z]+)\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?$")
_DAY_MONTH_YEAR = re.compile(r"^(?P<day>\d{1,2}) (?P<month>[A-Za-z]+),? (?P<year>\d{4})$")
_MONTH_YEAR = re.compile(r"^(?P<month>[A-Za-z]+) (?P<year>\d{4})$")


def parse_date(text: str, as_of: dt.date) -> dt.date:
    """``Oct 13, 2022``, ``May 22`` (year-less) or ``10 September, 2025``."""
    text = text.strip()
    match = _MONTH_DAY_YEAR.match(text) or _DAY_MONTH_YEAR.match(text)
    if not match:
        raise DateProblem(f"not a date: {text!r}")
    year = match.group("year")
    return make_date(
        int(year) if year else None, month_number(match.group("month")), int(match.group("day")), as_of
    )


def parse_month(text: str) -> str:
    """``October 2025`` -> ``2025-10``."""
    match = _MONTH_YEAR.match(text.strip())
    if not match:
        raise DateProblem(f"not a month: {text!r}")
    if int(match.group("year")) < FIRST_YEAR:
        raise DateProblem(f"{match.group('year')} is not a plausible year for a paper (before {FIRST_YEAR})")
    return f"{int(match.group('year')):04d}-{month_number(match.group('month')):02d}"
