"""The police forces HMICFRS inspects, by official name, and finding one in a report.

:data:`FORCES` lists the 43 territorial forces of England and Wales and the other forces
HMICFRS inspects, each with its official name (as HMICFRS titles its reports: "Dyfed-Powys
Police", "Avon and Somerset Constabulary"), its short name (as the PEEL web pages head
a force: "Avon and Somerset PEEL 2016") and other names in use ("Avon & Somerset",
"Dyfed Powys", "Hampshire and Isle of Wight Constabulary" for Hampshire since 2022).

Names are compared folded (:func:`fold_name`): case, "&" for "and", hyphens, dots and
apostrophes, and runs of space do not matter. What is found is always a listed force's
official name, never a fragment of the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Force:
    """A police force: ``name`` is official, ``short`` what the PEEL web pages call it,
    ``aliases`` other full names in use (each naming this force and no other)."""

    name: str
    short: str
    aliases: tuple[str, ...] = ()

    @property
    def full_names(self) -> tuple[str, ...]:
        """The names that can only mean this force, wherever they stand."""
        return (self.name, *self.aliases)


def _f(name: str, short: str, *aliases: str) -> Force:
    return Force(name, short, aliases)


#: Territorial forces of England and Wales (43), then the others HMICFRS inspects.
FORCES: tuple[Force, ...] = (
    _f("Avon and Somerset Constabulary", "Avon and Somerset", "Avon and Somerset Police"),
    _f("Bedfordshire Police", "Bedfordshire", "Bedfordshire Constabulary"),
    _f("Cambridgeshire Constabulary", "Cambridgeshire", "Cambridgeshire Police"),
    _f("Cheshire Constabulary", "Cheshire", "Cheshire Police"),
    _f("City of London Police", "City of London", "City of London Police Service"),
    _f("Cleveland Police", "Cleveland", "Cleveland Constabulary"),
    _f("Cumbria Constabulary", "Cumbria", "Cumbria Police"),
    _f("Derbyshire Constabulary", "Derbyshire", "Derbyshire Police"),
    _f("Devon and Cornwall Police", "Devon and Cornwall", "Devon and Cornwall Constabulary"),
    _f("Dorset Police", "Dorset", "Dorset Constabulary"),
    _f("Durham Constabulary", "Durham", "Durham Police"),
    _f("Dyfed-Powys Police", "Dyfed-Powys", "Heddlu Dyfed-Powys"),
    _f("Essex Police", "Essex", "Essex Constabulary"),
    _f("Gloucestershire Constabulary", "Gloucestershire", "Gloucestershire Police"),
    _f("Greater Manchester Police", "Greater Manchester", "GMP"),
    _f("Gwent Police", "Gwent", "Heddlu Gwent"),
    _f("Hampshire Constabulary", "Hampshire", "Hampshire Police"),
    _f("Hertfordshire Constabulary", "Hertfordshire", "Hertfordshire Police"),
    _f("Humberside Police", "Humberside", "Humberside Constabulary"),
    _f("Kent Police", "Kent", "Kent Constabulary"),
    _f("Lancashire Constabulary", "Lancashire", "Lancashire Police"),
    _f("Leicestershire Police", "Leicestershire", "Leicestershire Constabulary"),
    _f("Lincolnshire Police", "Lincolnshire", "Lincolnshire Constabulary"),
    _f("Merseyside Police", "Merseyside", "Merseyside Constabulary"),
    _f(
        "Metropolitan Police Service",
        "Metropolitan",
        "Metropolitan Police",
        "Met Police",
        "Metropolitan Police Service (MPS)",
    ),
    _f("Norfolk Constabulary", "Norfolk", "Norfolk Police"),
    _f("North Wales Police", "North Wales", "Heddlu Gogledd Cymru"),
    _f("North Yorkshire Police", "North Yorkshire", "North Yorkshire Constabulary"),
    _f("Northamptonshire Police", "Northamptonshire", "Northamptonshire Constabulary"),
    _f("Northumbria Police", "Northumbria", "Northumbria Constabulary"),
    _f("Nottinghamshire Police", "Nottinghamshire", "Nottinghamshire Constabulary"),
    _f("South Wales Police", "South Wales", "Heddlu De Cymru"),
    _f("South Yorkshire Police", "South Yorkshire", "South Yorkshire Constabulary"),
    _f("Staffordshire Police", "Staffordshire", "Staffordshire Constabulary"),
    _f("Suffolk Constabulary", "Suffolk", "Suffolk Police"),
    _f("Surrey Police", "Surrey", "Surrey Constabulary"),
    _f("Sussex Police", "Sussex", "Sussex Constabulary"),
    _f("Thames Valley Police", "Thames Valley", "Thames Valley Constabulary"),
    _f("Warwickshire Police", "Warwickshire", "Warwickshire Constabulary"),
    _f("West Mercia Police", "West Mercia", "West Mercia Constabulary"),
    _f("West Midlands Police", "West Midlands", "West Midlands Constabulary"),
    _f("West Yorkshire Police", "West Yorkshire", "West Yorkshire Constabulary"),
    _f("Wiltshire Police", "Wiltshire", "Wiltshire Constabulary"),
    # Renamed in 2022; its reports since carry the new name.
    _f(
        "Hampshire and Isle of Wight Constabulary",
        "Hampshire and Isle of Wight",
        "Hampshire & IOW Constabulary",
    ),
    _f("British Transport Police", "British Transport Police", "BTP"),
    _f("Civil Nuclear Constabulary", "Civil Nuclear Constabulary", "CNC"),
    _f("Ministry of Defence Police", "Ministry of Defence Police", "MDP"),
    _f("Police Service of Northern Ireland", "Northern Ireland", "PSNI"),
    _f("Police Scotland", "Police Scotland"),
    _f("States of Jersey Police", "Jersey", "Jersey Police"),
    _f("Guernsey Police", "Guernsey", "Bailiwick of Guernsey Law Enforcement"),
    _f("Isle of Man Constabulary", "Isle of Man", "Isle of Man Police"),
    _f("National Crime Agency", "National Crime Agency", "NCA"),
)

#: Three-letter initials name a force only where a title says so; in prose they may be anything.
_INITIALS = re.compile(r"^[A-Z]{2,4}$")


def fold_name(text: str) -> str:
    """``"Avon & Somerset"``, ``"avon-and-somerset"`` -> ``"avon and somerset"``."""
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"['.]", "", text)
    return " ".join(re.split(r"[^a-z0-9]+", text)).strip()


@cache
def _full_patterns() -> tuple[tuple[re.Pattern[str], Force], ...]:
    """One pattern per full name (longest first), matching on folded text."""
    pairs = [(fold_name(n), f) for f in FORCES for n in f.full_names if not _INITIALS.match(n)]
    pairs.sort(key=lambda p: -len(p[0]))
    return tuple((re.compile(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])"), f) for n, f in pairs)


@cache
def _short_names() -> tuple[tuple[str, Force], ...]:
    pairs = [(fold_name(f.short), f) for f in FORCES]
    pairs += [(fold_name(n), f) for f in FORCES for n in f.full_names if not _INITIALS.match(n)]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def by_name(name: str) -> Force | None:
    """The force whose official name, short name or alias ``name`` is (folded), else ``None``."""
    key = fold_name(name)
    return next((f for n, f in _short_names() if n == key), None)


def full_name_mentions(text: str) -> list[tuple[int, Force]]:
    """Every full-name mention in ``text`` as ``(position in the folded text, force)``;
    a longer name that covers a shorter one ("Hampshire and Isle of Wight Constabulary")
    counts once."""
    folded = fold_name(text)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Force]] = []
    for pattern, force in _full_patterns():
        for m in pattern.finditer(folded):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), force))
    return sorted(found, key=lambda x: x[0])


def in_title_line(line: str) -> Force | None:
    """The force a title-page line names: a full name anywhere in it ("An inspection of
    Dyfed-Powys Police"), or a short name heading it before "PEEL" or a year, or standing
    alone ("Thames Valley PEEL 2016", "Kent 2018/19", "Greater Manchester")."""
    mentions = full_name_mentions(line)
    if mentions:
        return mentions[0][1]
    folded = fold_name(line)
    for short, force in _short_names():
        if folded == short or re.match(rf"{re.escape(short)} (?:peel\b|(?:19|20)\d\d\b)", folded):
            return force
    return None


@cache
def _any_name_re() -> re.Pattern[str]:
    names = {n for f in FORCES for n in (f.short, *f.full_names) if not _INITIALS.match(n)}
    alternation = "|".join(
        re.escape(n).replace(r"\ ", r"\s+").replace("and", "(?:and|&)")
        for n in sorted(names, key=len, reverse=True)
    )
    return re.compile(
        rf"(?<![\w-])(?:the\s+)?(?:{alternation})(?:\s+(?:Police|Constabulary))?(?![\w-])", re.I
    )


def without_force_names(text: str) -> str:
    """``text`` with every listed force's name, short or full, taken out ("Kent Police is
    good" -> " is good")."""
    return _any_name_re().sub(" ", text)


def most_mentioned(text: str, least: int = 2) -> Force | None:
    """The force whose full name the text uses most (at least ``least`` times, and at least
    half of all the forces' mentions: a national report naming many forces is no one
    force's; the earlier first mention wins a tie), else ``None``."""
    counts: dict[Force, list[int]] = {}
    for pos, force in full_name_mentions(text):
        counts.setdefault(force, []).append(pos)
    ranked = sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
    total = sum(len(v) for v in counts.values())
    if not ranked or len(ranked[0][1]) < least or 2 * len(ranked[0][1]) < total:
        return None
    return ranked[0][0]


def at_start(text: str) -> Force | None:
    """The force whose name, full or short, ``text`` begins with ("Lancashire I have taken
    ..." -> Lancashire Constabulary; "Kent Police keeps people safe" -> Kent Police), else
    ``None``."""
    folded = fold_name(text)
    for short, force in _short_names():
        if folded == short or folded.startswith(short + " "):
            return force
    return None


def in_file_name(words: Iterable[str]) -> Force | None:
    """The force a file name's words name (``peel-2016-effectiveness-avon-and-somerset``):
    the longest short name or full name found as a run of whole words."""
    joined = " " + " ".join(words) + " "
    for short, force in _short_names():
        if f" {short} " in joined:
            return force
    return None
