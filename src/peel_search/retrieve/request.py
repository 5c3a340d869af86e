"""What a request asks for, checked before anything is searched: the query text, ``k``,
entity filters and the reports it covers.

Pure functions and frozen records; every refusal is a :class:`QueryError` whose one-line
message says what to type instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import QueryError

#: Longest query accepted; longer ones are cut and the cut is reported.
MAX_QUERY_CHARS = 1000

_CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_ENTITY_FILTER_RE = re.compile(r"^([A-Za-z_]+)\s*:(.*)$")


def plain(text: str) -> str:
    """``text`` with control and zero-width characters made spaces and white space folded."""
    return " ".join(_CONTROL_RE.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class EntityFilter:
    """``label`` may be empty (any label); ``text`` is matched case-insensitively."""

    label: str
    text: str

    def __str__(self) -> str:
        return f"{self.label}:{self.text}" if self.label else self.text


def clean_query(query: object) -> tuple[str, list[str]]:
    """The query as searched, and notices about what was changed.

    Raises :class:`QueryError` for a query that is not text or is empty once control
    characters and white space are removed.
    """
    if not isinstance(query, str):
        raise QueryError(f"the query must be text, not {type(query).__name__}")
    notices: list[str] = []
    text = _SURROGATE_RE.sub("", query)
    text = unicodedata.normalize("NFKC", text)
    text = plain(text)
    if not text:
        raise QueryError('the query is empty: type a question, e.g. "how does the force assess risk?"')
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
        notices.append(
            f"the query was cut to its first {len(cut)} characters (the limit is {MAX_QUERY_CHARS})"
        )
        text = cut
    return text, notices


def parse_k(k: object, size: int) -> int:
    """``k`` as a whole number of at least 1, bounded by ``size`` (the passages there are)."""
    message = "k must be a whole number of at least 1"
    if isinstance(k, bool):
        raise QueryError(message)
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if isinstance(k, str):
        text = k.strip()
        try:
            k = int(text)
        except ValueError:
            raise QueryError(f"{message}, not {text[:20]!r}") from None
    if not isinstance(k, int):
        raise QueryError(message)
    if k < 1:
        raise QueryError(f"{message}, not {k}")
    return min(k, size)


def parse_entity_filter(spec: str, labels: Iterable[str]) -> EntityFilter:
    """``"ORG:Victim Support"`` or ``"Victim Support"``; labels are checked against the index."""
    if not isinstance(spec, str):
        raise QueryError("an entity filter must be text such as ORG:HMIC or Wolverhampton")
    spec = plain(spec)
    if not spec:
        raise QueryError("an entity filter is empty: use LABEL:TEXT (e.g. GPE:Wolverhampton) or TEXT")
    known = sorted(set(labels))
    m = _ENTITY_FILTER_RE.match(spec)
    if m and (m.group(1).upper() in known or m.group(1).isupper()):
        label, text = m.group(1).upper(), m.group(2).strip()
        if label not in known:
            raise QueryError(f"unknown entity label {label!r}: use one of {', '.join(known)}")
        if not text:
            raise QueryError(f"the entity filter {spec!r} has no text after the label: use {label}:TEXT")
        return EntityFilter(label, text)
    return EntityFilter("", spec)


def _as_list(value: object) -> list[str]:
    """A filter given as one value or several, as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, (str, int)):
        value = [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise QueryError(f"a report filter must be text or a list of texts, not {type(value).__name__}")
    return [plain(str(v)) for v in value if str(v).strip()]


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which reports a request covers: ids, forces and years, each repeatable. Values
    of one kind are alternatives; kinds combine (``force=Kent, year=2016`` is Kent's
    2016 report). Empty: every report."""

    reports: tuple[str, ...] = ()
    forces: tuple[str, ...] = ()
    years: tuple[str, ...] = ()

    @classmethod
    def of(cls, reports: object = None, forces: object = None, years: object = None) -> ReportScope:
        return cls(tuple(_as_list(reports)), tuple(_as_list(forces)), tuple(_as_list(years)))

    def __bool__(self) -> bool:
        return bool(self.reports or self.forces or self.years)

    def describe(self) -> str:
        """``"force Kent and year 2016"``: the scope in words, for messages."""
        parts = [f"report {', '.join(self.reports)}"] if self.reports else []
        parts += [f"force {', '.join(self.forces)}"] if self.forces else []
        parts += [f"year {', '.join(self.years)}"] if self.years else []
        return " and ".join(parts)
