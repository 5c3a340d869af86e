"""Report metadata: force, programme, pillar, period and publication month.

Read, in order of trust, from:

1. ``reports.toml`` in the corpus folder, one table per report file, for what a
   user wants to set by hand::

       ["peel-2015-effectiveness-west-midlands.txt"]
       force = "West Midlands Police"
       year = 2015

2. the report's title page: the lines before its contents list, or its first lines
   where it has none. Every year's layout is read (docs/layouts.md)::

       PEEL: Police effectiveness 2015        programme, pillar, period (PDF, 2015-2018/19)
       An inspection of West Midlands Police  force
       February 2016                          published

       PEEL 2021/22                           programme and period (2021 onwards);
       Police effectiveness, efficiency ...   the pillar on a line of its own
       PEEL 2023–2025: An inspection of ...   or all on one line

       Kent PEEL 2016                         force, programme, period (the web pages)
       Effectiveness                          pillar
       Last updated 18/02/2016                published

3. the text's opening, for the force (the force it is "an assessment of" or "an inspection
   of", else the one whose full name it uses most), the programme and the period (its count
   of PEEL years, "This is HMIC's third PEEL assessment", or "the PEEL Assessment Framework
   2021/22");
4. the file name, ``peel-2015-effectiveness-west-midlands.txt``: a year, a pillar word
   and a force's name.

The force is always a listed force's official name (:mod:`.forces`). A field found
nowhere is empty, with origin "not found": never a fragment of a title.
:class:`~peel_search.types.ReportMeta` records where each field came from.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..types import ReportMeta
from . import forces

OVERRIDES_FILE = "reports.toml"
NOT_FOUND = "not found"
#: Fields ``reports.toml`` may set, with the type each takes.
OVERRIDE_FIELDS: dict[str, type] = {
    "force": str,
    "programme": str,
    "pillar": str,
    "period": str,
    "year": int,
    "published": str,
}

_MONTHS = "january february march april may june july august september october november december".split()
_PERIOD = r"((?:19|20)\d{2}(?:\s*[/–-]\s*(?:(?:19|20)\d{2}|\d{2})(?!\d))?)"
_PUBLISHED_RE = re.compile(
    rf"^(?:published(?: on)?\s*:?\s*)?(?:\d{{1,2}}\s+)?({'|'.join(_MONTHS)})\s+((?:19|20)\d{{2}})\.?$", re.I
)
_UPDATED_RE = re.compile(
    r"^(?:last updated|updated|published(?: on)?)\s*:?\s*\d{1,2}/(\d{1,2})/((?:19|20)\d{2})$", re.I
)
_PERIOD_RE = re.compile(rf"(?<!\d){_PERIOD}(?!\d)")
_PEEL_RE = re.compile(r"\bPEEL\b")
#: A title lower-cased by a site that copied it: "peel: police efficiency, legitimacy and leadership".
_PEEL_LOWER_RE = re.compile(r"^peel\s*:\s*police\b", re.I)
_PILLAR_WORDS = ("effectiveness", "efficiency", "legitimacy", "leadership")
_PILLAR_RE = re.compile(r"^police\s+(effectiveness|efficiency|legitimacy|leadership)\b", re.I)
#: A pillar on a line of its own ("Effectiveness"), or the rest of a title broken over
#: lines ("PEEL: Police" / "effectiveness 2016").
_BARE_PILLAR_RE = re.compile(
    r"^(effectiveness|efficiency|legitimacy|leadership)"
    r"(?:\s*(?:,|\band\b|&)\s*(?:effectiveness|efficiency|legitimacy|leadership))*(?:\s+(?:19|20)\d{2}\S*)?$",
    re.I,
)
_PILLAR_LIST_RE = re.compile(
    r"\b(?:police\s+)?(?:effectiveness|efficiency|legitimacy|leadership)"
    r"(?:\s*(?:,|and|&)\s*(?:effectiveness|efficiency|legitimacy|leadership))*\b",
    re.I,
)
#: A pillar's own question, as a pillar page opens under its title: "How legitimate is the
#: force at keeping people safe and reducing crime?", "How effectively does the force ...?"
_PILLAR_QUESTION_RE = re.compile(r"^how\s+(effective|efficient|legitimate)(?:ly)?\b.*\?$", re.I)
_PILLAR_NOUN = {"effective": "effectiveness", "efficient": "efficiency", "legitimate": "legitimacy"}
_CONTENTS_RE = re.compile(r"^(table of )?contents$", re.I)
_UNLISTED_FORCE_RE = re.compile(
    r"^(?i:an inspection of )(?:the\s+)?((?:[A-Z][\w&'’.-]*\s+)+(?:Police(?: Service| Force)?|Constabulary))\.?$"
)
_COLON_TITLE_RE = re.compile(r"^([A-Z][\w'’ -]{1,40}?):\s+(\S+\s+\S.{1,80})$")
_SKIP_RE = re.compile(r"^(©|isbn|www\.|https?:|skip to|cover image|image)", re.I)
_FILE_NOISE = {"peel", "hmic", "hmicfrs", "report", "inspection", "police", "assessment"}
#: A title-page line longer than this is prose, not a title.
_TITLE_WORDS = 16
#: A page may open on a notice or two of prose (a consultation, a cookie message) before its
#: title; after more prose than this the body has begun.
_PROSE_BEFORE_BODY = 3


@dataclass(frozen=True, slots=True)
class _Found:
    force: str = ""
    programme: str = ""
    pillar: str = ""
    period: str = ""
    published: str = ""


def front_matter_lines(source: str, limit: int = 40) -> list[str]:
    """The report's title-page lines: those before its contents list (at most ``limit``
    non-blank lines; the first 16 when there is no contents list)."""
    lines: list[str] = []
    for raw in source.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if _CONTENTS_RE.match(line):
            return lines
        lines.append(line)
        if len(lines) >= limit:
            break
    return lines[:16]


def _normalise_period(text: str) -> str:
    """``"2021 / 22"`` and ``"2021–22"`` -> ``"2021/22"``; ``"2023–2025"`` -> ``"2023/25"``."""
    text = re.sub(r"\s*[/–-]\s*", "/", text.strip())
    head, _, tail = text.partition("/")
    return f"{head}/{tail[-2:]}" if tail else head


def _pillar_from(text: str) -> str:
    """``"Police effectiveness, efficiency and legitimacy"`` from a title's words; ``""``
    when no pillar is named."""
    m = _PILLAR_LIST_RE.search(text)
    if not m:
        return ""
    words = re.sub(r"^police\s+", "", m.group(0).strip(), flags=re.I)
    return "Police " + words.lower()


def _title_line(line: str) -> bool:
    """A line that can be part of a title: short, and not a sentence."""
    if line.lower().startswith("an inspection of"):
        return True
    return len(line.split()) <= _TITLE_WORDS and not re.search(r"[.!?;]$", line)


def from_title_page(source: str) -> _Found:
    """What the title page says; empty strings for what it does not."""
    force = programme = pillar = period = published = updated = ""
    pillar_page = False
    prose = 0
    for line in front_matter_lines(source):
        if _SKIP_RE.match(line):
            continue
        if not pillar and pillar_page and (m := _PILLAR_QUESTION_RE.match(line)):
            pillar = (
                f"Police {_PILLAR_NOUN[m.group(1).lower()]}"  # "Kent PEEL 2016" / "How legitimate is ...?"
            )
            continue
        if not _title_line(line):
            prose += 1
            if prose > _PROSE_BEFORE_BODY:
                break  # the body has begun: a title-like line further on is a link or a heading
            continue
        if m := _PUBLISHED_RE.match(line):
            published = published or f"{m.group(1).capitalize()} {m.group(2)}"
            continue
        if m := _UPDATED_RE.match(line):
            month = int(m.group(1))
            if 1 <= month <= 12:
                updated = updated or f"{_MONTHS[month - 1].capitalize()} {m.group(2)}"
            continue
        named = forces.in_title_line(line)
        if named is not None and not force:
            force = named.name
        elif named is None and not force and (m := _UNLISTED_FORCE_RE.match(line)):
            force = m.group(
                1
            )  # a force the list does not know, named in full: "An inspection of X Constabulary"
        if not programme and (_PEEL_RE.search(line) or _PEEL_LOWER_RE.match(line)) and not line.endswith("."):
            # "PEEL: Police effectiveness 2015", "PEEL 2021/22", "Kent PEEL 2016",
            # "PEEL 2023–2025: An inspection of Kent Police"
            programme = "PEEL"
            pillar_page = named is not None  # "Kent PEEL 2016": a force's pillar page
            if m := _PERIOD_RE.search(line):
                period = period or _normalise_period(m.group(1))
            pillar = pillar or _pillar_from(line.split(" of ")[0] if " of " in line else line)
            continue
        if not programme and named is None and (m := _COLON_TITLE_RE.match(line)):
            # another programme's title, "Programme: subject 2019"
            programme = _PERIOD_RE.sub("", m.group(1)).strip(" :–-")
            pillar = pillar or _PERIOD_RE.sub("", m.group(2)).strip(" :–-,")
            if m2 := _PERIOD_RE.search(line):
                period = period or _normalise_period(m2.group(1))
            continue
        if not pillar and (_PILLAR_RE.match(line) or _BARE_PILLAR_RE.match(line)):
            pillar = _pillar_from(line)
            if not period and (m := _PERIOD_RE.search(line)):
                period = _normalise_period(m.group(1))
            continue
        if not period and named is not None and (m := re.search(rf"\s{_PERIOD}$", line)):
            period = _normalise_period(m.group(1))  # a force's overview page: "Kent 2018/19"
    return _Found(force, programme, pillar, period, published or updated)


def from_file_name(file_name: str) -> _Found:
    """What ``peel-2015-effectiveness-west-midlands.txt`` says; empty where it says nothing."""
    stem = Path(file_name).stem.lower()
    period = ""
    if m := re.search(r"(?<!\d)((?:19|20)\d{2})(?:[-_ ]((?:19|20)?\d{2}))?(?!\d)", stem):
        period = m.group(1) + (f"/{m.group(2)[-2:]}" if m.group(2) else "")
        stem = stem[: m.start()] + " " + stem[m.end() :]
    words = [w for w in re.split(r"[^a-z0-9]+", stem) if w]
    pillar = next((f"Police {w}" for w in words if w in _PILLAR_WORDS), "")
    programme = "PEEL" if "peel" in words else ""
    named = forces.in_file_name(words)
    return _Found(named.name if named else "", programme, pillar, period, "")


#: How much of the text is its opening, where a page without a title page says what it is.
_OPENING_CHARS = 6000
#: "This is HMIC's third PEEL (police effectiveness, efficiency and legitimacy) assessment of
#: Kent Police", "This is HMIC's second assessment of the effectiveness, ...", "In making this
#: first PEEL Assessment of Lancashire": a force page's opening, which counts its years of PEEL.
_ORDINAL_RE = re.compile(
    r"this\s+(?:is\s+)?(?:the\s+|our\s+|hmic(?:frs)?(?:[’']s?)?\s+)?"
    r"(?P<nth>first|second|third|fourth|fifth)\s+(?P<peel>peel\s+)?(?:\([^)]{0,80}\)\s+)?assessment\b",
    re.I,
)
#: PEEL's first five years, counted as its pages count them.
_NTH_PERIOD = {"first": "2014", "second": "2015", "third": "2016", "fourth": "2017", "fifth": "2018/19"}
#: 2021/22 onwards: "set out in the PEEL Assessment Framework 2021/22".
_FRAMEWORK_RE = re.compile(rf"\bPEEL\s+Assessment\s+Framework,?\s+{_PERIOD}(?!\d)", re.I)
#: "PEEL assessment of Kent Police", "An inspection of Lancashire Constabulary" wherever it stands.
_ASSESSMENT_OF_RE = re.compile(r"\b(?:(?:PEEL\s+)?assessment|an\s+inspection)\s+of\s+(?:the\s+)?", re.I)


def from_text(source: str, force: bool = True) -> _Found:
    """What the text's opening says of the report when its title page does not: the force it
    is an assessment or inspection of ("This is HMIC's third PEEL assessment of Kent Police",
    "An inspection of Lancashire Constabulary" in a run-on line), else the force whose full
    name the text uses most; "PEEL" and the period from its count of PEEL years ("this is
    the fourth PEEL assessment": 2017) or its assessment framework ("the PEEL Assessment
    Framework 2021/22"). ``force=False`` skips looking for the force."""
    opening = source[:_OPENING_CHARS]
    programme = period = name = ""
    if m := _FRAMEWORK_RE.search(opening):
        programme, period = "PEEL", _normalise_period(m.group(1))
    elif (m := _ORDINAL_RE.search(opening)) and (m.group("peel") or _PEEL_RE.search(opening)):
        programme, period = "PEEL", _NTH_PERIOD[m.group("nth").lower()]
    if force:
        for m in _ASSESSMENT_OF_RE.finditer(opening):
            named = forces.at_start(opening[m.end() : m.end() + 80])
            if named is not None:
                name = named.name
                break
        if not name:
            named = forces.most_mentioned(source)
            name = named.name if named else ""
    return _Found(force=name, programme=programme, period=period)


def read_metadata(
    source: str, file_name: str, report_id: str, override: Mapping[str, object] | None = None
) -> ReportMeta:
    """The report's metadata: ``override`` (from ``reports.toml``) first, then the
    title page, then (for the force) the text, then the file name. A field found nowhere
    is empty, its origin "not found"."""
    page, name = from_title_page(source), from_file_name(file_name)
    text = from_text(source, force=not page.force)
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for field in ("force", "programme", "pillar", "period", "published"):
        origin[field] = NOT_FOUND
        for where, found in (("title page", page), ("text", text), ("file name", name)):
            value = getattr(found, field)
            if value:
                values[field], origin[field] = value, where
                break
    for field, value in (override or {}).items():
        values[field], origin[field] = value, OVERRIDES_FILE
    year = values.get("year")
    period_year = _first_year(str(values.get("period", "")))
    published_year = _first_year(str(values.get("published", "")))
    if year is None and period_year is not None:
        year, origin["year"] = period_year, origin["period"]
    elif year is None and published_year is not None:
        year = published_year - 1  # reports come out the year after
        origin["year"] = f"{origin['published']} (the year before publication)"
    elif year is None:
        origin["year"] = NOT_FOUND
    return ReportMeta(
        report_id=report_id,
        file=file_name,
        force=str(values.get("force", "")),
        programme=str(values.get("programme", "")),
        pillar=str(values.get("pillar", "")),
        period=str(values.get("period", "")),
        year=year if isinstance(year, int) else None,
        published=str(values.get("published", "")),
        origin=tuple(sorted(origin.items())),
    )


def _first_year(text: str) -> int | None:
    m = re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text)
    return int(m.group()) if m else None


def parse_overrides(text: str, known_files: set[str]) -> tuple[dict[str, dict[str, object]], list[str]]:
    """``reports.toml``'s tables by report file name, and a message for each problem.

    Raises :class:`ValueError` with a one-line reason when the file is not TOML.
    A table naming no corpus file, an unknown field or a value of the wrong type is
    left out and reported; the rest is used.
    """
    data = tomllib.loads(text)
    out: dict[str, dict[str, object]] = {}
    problems: list[str] = []
    for name, table in data.items():
        if not isinstance(table, dict):
            problems.append(f'{name!r} is not a table: write ["{name}"] above its fields')
            continue
        if name not in known_files:
            problems.append(f"[{name!r}] names no report file in the corpus")
            continue
        fields: dict[str, object] = {}
        for key, value in table.items():
            want = OVERRIDE_FIELDS.get(key)
            if want is None:
                problems.append(f"[{name!r}] {key}: unknown field (use {', '.join(OVERRIDE_FIELDS)})")
            elif not isinstance(value, want) or isinstance(value, bool):
                problems.append(f"[{name!r}] {key} must be {want.__name__}, not {type(value).__name__}")
            else:
                fields[key] = value.strip() if isinstance(value, str) else value
        out[name] = fields
    return out, problems
