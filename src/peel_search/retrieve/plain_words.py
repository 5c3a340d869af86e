"""Everyday words for the terms inspection reports use: a question put in a user's words
("offences", "kids", "cops", "break-ins") still finds the report's ("crime", "children",
"officers", "burglary"). The word-piece model finds most of these on its own (see
:meth:`.in_report.InReport.near_words`); this table holds the pairs it rates too far apart.
"""

from __future__ import annotations

#: Words that name the same thing in a question about policing, each group in no order.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("crime", "crimes", "offence", "offences"),
    ("children", "child", "kids", "kid", "youngsters", "juveniles", "minors"),
    ("officers", "officer", "cops", "cop", "coppers", "bobbies"),
    ("burglary", "burglaries", "break-in", "break-ins", "housebreaking"),
    ("prison", "prisons", "jail", "jails"),
    ("young", "youth", "youths", "juvenile", "juveniles"),
    ("gang", "gangs", "organised crime group", "organised crime groups", "ocg", "ocgs"),
    ("pnd", "pnds", "penalty notice", "penalty notices"),
    ("budget", "budgets", "financial", "finances", "finance"),
    ("domestic", "dwelling", "dwellings", "residential"),  # "domestic burglary": "burglary in a dwelling"
)
_OTHERS = {w: tuple(o for o in group if o != w) for group in _GROUPS for w in group}


def other_words(word: str) -> tuple[str, ...]:
    """The other everyday or report words for ``word`` (``()`` when it has none)."""
    return _OTHERS.get(word.lower(), ())
