"""Periods a report's figures cover, read from its wording, and whether two periods are the same.

PEEL reports date their figures in a few fixed ways: "the 12 months to 30 June 2015",
"as at 30 June 2015", "the four year period to 31 March 2015", "2014/15", or a bare
year ("in 2014"). Questions use looser forms of the same ("the year to June 2014", "the
year ending June 2015", "at the end of June 2015", "back in 2010"). :func:`find_periods`
reads either into :class:`Period` records and :func:`same_period` says whether a
question's period is one a figure covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = "january february march april may june july august september october november december".split()
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
#: Numbers written as words, as the reports write counts ("twenty different types").
NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
    if n
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
#: How many months or years a period's length word gives ("a full year", "the twelve months").
_NUMBER_WORDS = {**{w: n for w, n in NUMBER_WORDS.items() if n <= 12}, "a": 1, "a full": 1, "the": 1}
_LENGTH = r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a full|a|the)"
_DATE = rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)"
_PERIOD_RE = re.compile(
    # "12 months to 30 June 2015", "the year to March 2011", "year ending June 2015",
    # "the four year period to 31 March 2015", "five years to 30 June 2015"
    rf"\b(?:(?:{_LENGTH}[\s-]+)?(?P<unit>months?|years?|year\s+period|month\s+period)\s+"
    rf"(?:to|ending|ended|up\s+to)\s+(?:the\s+end\s+of\s+)?{_DATE})"
    # "as at 30 June 2015", "at the end of June 2015"
    rf"|\b(?P<at>as\s+at|as\s+of|at\s+the\s+end\s+of)\s+"
    rf"(?P<day2>\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?P<month2>{_MONTH})\s+(?P<year2>(?:19|20)\d\d)"
    # "2014/15", "2014-15"
    rf"|\b(?P<fy1>(?:19|20)\d\d)\s*[/–-]\s*(?P<fy2>\d\d(?:\d\d)?)\b"
    # "June 2014" (a month on its own)
    rf"|\b(?P<month3>{_MONTH})\s+(?P<year3>(?:19|20)\d\d)\b"
    # "2014"
    rf"|(?<![\d/£.,-])(?P<year4>(?:19|20)\d\d)(?![\d%/-]|\s*(?:percent|per\s+cent))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of time or a point in it, as a report or a question names it.

    ``text`` is the wording ("12 months to 30 June 2015"); ``end`` the last year and
    month (month 0: the whole year); ``months`` the length (0 for a point in time,
    "as at 30 June 2015"; 12 for a year or a financial year).
    """

    text: str
    end: tuple[int, int]
    months: int = 12

    @property
    def years(self) -> tuple[int, ...]:
        """The calendar years the period touches."""
        year, month = self.end
        last = year * 12 + (month or 12) - 1
        first = last - max(self.months, 1) + 1
        return tuple(range(first // 12, year + 1))


def _month(name: str | None) -> int:
    return MONTHS.index(name.lower()) + 1 if name else 0


def _length(n: str | None, unit: str) -> int:
    count = 1 if n is None else (int(n) if n.isdigit() else _NUMBER_WORDS.get(n.lower(), 1))
    return count * (12 if unit.lower().startswith("year") else 1)


def find_periods(text: str) -> list[tuple[tuple[int, int], Period]]:
    """Every period named in ``text``, with its character span, in order."""
    out: list[tuple[tuple[int, int], Period]] = []
    for m in _PERIOD_RE.finditer(text):
        g = m.groupdict()
        words = " ".join(m.group().split())
        if g["unit"]:
            period = Period(words, (int(g["year"]), _month(g["month"])), _length(g["n"], g["unit"]))
        elif g["at"]:
            period = Period(words, (int(g["year2"]), _month(g["month2"])), 0)
        elif g["fy1"]:
            first, second = g["fy1"], g["fy2"]
            end = int(first[: 4 - len(second)] + second) if len(second) < 4 else int(second)
            if end != int(first) + 1:
                continue  # "2010-2015" is a span of years, not a financial year
            period = Period(words, (end, 3), 12)
        elif g["month3"]:
            period = Period(words, (int(g["year3"]), _month(g["month3"])), 0)
        else:
            period = Period(words, (int(g["year4"]), 0), 12)
        out.append(((m.start(), m.end()), period))
    return out


def parse_period(text: str) -> Period | None:
    """The first period named in ``text``, or ``None``."""
    found = find_periods(text)
    return found[0][1] if found else None


def same_period(asked: Period, given: Period) -> bool:
    """Whether a figure for ``given`` answers a question about ``asked``.

    Both ending in the same month of the same year match ("the year to June 2015" and
    "12 months to 30 June 2015"); a bare year matches a period ending in that year; a
    financial year matches a year ending in its March; a month alone matches any
    period ending that month.
    """
    (ay, am), (gy, gm) = asked.end, given.end
    if ay != gy:
        return False
    if not am or not gm:
        return True
    return am == gm
