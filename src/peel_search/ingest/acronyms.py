"""Acronyms the report defines for itself, and query expansion in both directions.

Definitions are found with the Schwartz & Hearst algorithm ("A simple algorithm for
identifying abbreviation definitions in biomedical text", PSB 2003): for
``long form (SF)`` the shortest run of words before the brackets whose letters cover
the short form's, in order, with its first letter starting a word. The reverse form
``SF (Long, Form, ...)`` is accepted when the words' initials spell the short form
(``THRIVE (Threat, Risk, Harm, Investigation, Vulnerability, Engagement)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_PAREN_RE = re.compile(r"\(([^()]{1,120})\)")
_SHORT_RE = re.compile(r"^[A-Z0-9][A-Za-z0-9'’&]{1,9}$")
_WORD_RE = re.compile(r"[\w'’-]+")
#: Lower-case words that must never be read as an acronym in a query.
_COMMON = frozenset(
    "a an and are as at be but by for from had has have he her his how if in into is it its "
    "me my no not of on or our she so than that the their them then there these they this to "
    "up us was we were what when where which who why will with you your can may also all any "
    "pip acc".split()
)


def _short_form_core(short: str) -> str:
    core = re.sub(r"['’]?s$", "", short) if len(short) > 2 and short[:-1].isupper() else short
    return core


def _schwartz_hearst(short: str, before: str) -> str | None:
    """The long form for ``short`` at the end of ``before``, or None."""
    core = _short_form_core(short).lower()
    letters = [c for c in core if c.isalnum()]
    if len(letters) < 2 or not letters[0].isalpha():
        return None
    words = _WORD_RE.findall(before)
    limit = min(len(letters) + 5, len(letters) * 2)
    window = words[-limit:]
    text = " ".join(window).lower()
    s, li = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        while li >= 0 and (text[li] != c or (s == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        s -= 1
        li -= 1
    start = text.rfind(" ", 0, li + 1) + 1
    long_form = " ".join(window)[start:]
    if len(long_form.split()) > len(letters) + 3 or len(long_form) <= len(core):
        return None
    return long_form.strip(" ,;:-")


def _initials_match(short: str, inside: str) -> str | None:
    """``THRIVE (Threat, Risk, Harm, ...)``: the words' initials are the short form's
    letters (in any order: the report itself writes Threat, Risk, Harm for T-H-R)."""
    parts = [p for p in re.split(r"[,\s]+|\band\b", inside) if p]
    initials = "".join(p[0] for p in parts if p[0].isalpha()).lower()
    if sorted(initials) == sorted(short.lower()) and len(parts) >= 2:
        return inside.strip()
    return None


def find_definitions(texts: Iterable[str]) -> dict[str, str]:
    """``{short form: long form}`` for every definition in ``texts`` (first one wins)."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _PAREN_RE.finditer(text):
            inside = m.group(1).strip()
            before = text[max(0, m.start() - 200) : m.start()]
            if _SHORT_RE.match(inside) and any(c.isupper() for c in inside):
                long_form = _schwartz_hearst(inside, before)
                if long_form:
                    core = _short_form_core(inside)
                    if core != inside and long_form.endswith("s") and not long_form.endswith("ss"):
                        long_form = long_form[:-1]  # "organised crime groups (OCGs)" defines OCG
                    found.setdefault(core, long_form)
                continue
            words = _WORD_RE.findall(before)
            if words and _SHORT_RE.match(words[-1]) and words[-1].isupper():
                long_form = _initials_match(words[-1], inside)
                if long_form:
                    found.setdefault(words[-1], long_form)
    return found


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _singular(norm: str) -> str:
    """The phrase with its last word's plural ``s`` dropped: "crime groups" -> "crime group"."""
    return norm[:-1] if norm.endswith("s") and not norm.endswith("ss") else norm


def expand_query(query: str, table: Mapping[str, str]) -> list[str]:
    """Phrases to add to ``query``: the long form of each acronym in it, and the
    acronym of each long form in it. Lower-case acronyms count ("iom") unless they
    are ordinary English words."""
    tokens = {t for t in re.findall(r"[\w'’]+", query)}
    lowered = {t.lower() for t in tokens}
    norm_query = f" {_norm(query)} "
    added: list[str] = []
    for short, long_form in table.items():
        s = short.lower()
        stem = _singular(_norm(long_form))
        if short in tokens or (s in lowered and len(s) >= 3 and s not in _COMMON) or f"{s}s" in lowered:
            if stem not in norm_query:
                added.append(long_form)
        elif f" {stem} " in norm_query or f" {stem}s " in norm_query:
            added.append(short)
    return added
