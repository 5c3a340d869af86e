"""Report metadata: force, programme, pillar, period and publication month.

Read, in order of trust, from:

1. ``reports.toml`` in the corpus folder, one table per report file, for what a
   user wants to set by hand::

       ["peel-2015-effectiveness-west-midlands.txt"]
       force = "West Midlands Police"
       year = 2015

2. the report's title page, the lines before its contents list::

       PEEL: Police effectiveness 2015        programme, pillar, period
       An inspection of West Midlands Police  force
       February 2016                          published

   (later formats put the period beside the programme, "PEEL 2021/22", and the pillar
   on a line of its own);
3. the file name, ``peel-2015-effectiveness-west-midlands.txt``: a year, a pillar word
   and what is left as the force.

:class:`~peel_search.types.ReportMeta` records where each field came from.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..types import ReportMeta

OVERRIDES_FILE = "reports.toml"
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
_PERIOD = r"((?:19|20)\d{2}(?:\s*[/–-]\s*\d{2,4})?)"
_PUBLISHED_RE = re.compile(rf"^({'|'.join(_MONTHS)})\s+((?:19|20)\d{{2}})$", re.I)
_PERIOD_RE = re.compile(rf"(?<!\d){_PERIOD}(?!\d)")
_INSPECTION_OF_RE = re.compile(r"^an inspection of (?:the\s+)?(.+?)\.?$", re.I)
_FORCE_NAME_RE = re.compile(
    r"^(?:the\s+)?([A-Z][\w&'’,. -]{2,60}?\b(?:Police(?: Service| Force)?|Constabulary))$"
)
_PILLAR_RE = re.compile(r"^police\s+(effectiveness|efficiency|legitimacy|leadership)\b", re.I)
_CONTENTS_RE = re.compile(r"^(table of )?contents$", re.I)
_PILLAR_WORDS = ("effectiveness", "efficiency", "legitimacy", "leadership")
_FILE_NOISE = {"peel", "hmic", "hmicfrs", "report", "inspection", "police", "assessment"}


@dataclass(frozen=True, slots=True)
class _Found:
    force: str = ""
    programme: str = ""
    pillar: str = ""
    period: str = ""
    published: str = ""


def front_matter_lines(source: str, limit: int = 40) -> list[str]:
    """The report's title-page lines: those before its contents list (at most ``limit``
    non-blank lines; the first 12 when there is no contents list)."""
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
    return lines[:12]


def _normalise_period(text: str) -> str:
    """``"2021 / 22"`` and ``"2021–22"`` -> ``"2021/22"``."""
    return re.sub(r"\s*[/–-]\s*", "/", text.strip())


def from_title_page(source: str) -> _Found:
    """What the title page says; empty strings for what it does not."""
    force = programme = pillar = period = published = ""
    for line in front_matter_lines(source):
        if line.startswith("©") or line.lower().startswith(("isbn", "www.", "http")):
            continue
        if m := _PUBLISHED_RE.match(line):
            published = published or f"{m.group(1).capitalize()} {m.group(2)}"
            continue
        if m := _INSPECTION_OF_RE.match(line):
            force = force or m.group(1).strip()
            continue
        if (
            not programme
            and (":" in line or _PERIOD_RE.search(line))
            and line.split()[0][:1].isupper()
            and len(line.split()) <= 12
            and not line.endswith(".")
        ):
            head, _, tail = line.partition(":")
            if not tail:  # "PEEL 2021/22": the programme with its period, no pillar
                head, tail = line.split()[0], " ".join(line.split()[1:])
            programme = _PERIOD_RE.sub("", head).strip(" :–-")
            if m := _PERIOD_RE.search(line):
                period = _normalise_period(m.group(1))
            pillar = _PERIOD_RE.sub("", tail).strip(" :–-,")
            continue
        if not pillar and _PILLAR_RE.match(line):
            pillar = _PERIOD_RE.sub("", line).strip(" :–-,")
            if not period and (m := _PERIOD_RE.search(line)):
                period = _normalise_period(m.group(1))
            continue
        if not force and (m := _FORCE_NAME_RE.match(line)):
            force = m.group(1).strip()
    return _Found(force, programme, pillar, period, published)


def from_file_name(file_name: str) -> _Found:
    """A guess from ``peel-2015-effectiveness-west-midlands.txt``; empty where it has none."""
    stem = Path(file_name).stem.lower()
    period = ""
    if m := re.search(r"(?<!\d)((?:19|20)\d{2})(?:[-_ ]((?:19|20)?\d{2}))?(?!\d)", stem):
        period = m.group(1) + (f"/{m.group(2)[-2:]}" if m.group(2) else "")
        stem = stem[: m.start()] + " " + stem[m.end() :]
    words = [w for w in re.split(r"[^a-z0-9]+", stem) if w]
    pillar = next((f"Police {w}" for w in words if w in _PILLAR_WORDS), "")
    programme = "PEEL" if "peel" in words else ""
    rest = [w for w in words if w not in _FILE_NOISE and w not in _PILLAR_WORDS and not w.isdigit()]
    force = " ".join(w.capitalize() for w in rest)
    return _Found(force, programme, pillar, period, "")


def read_metadata(
    source: str, file_name: str, report_id: str, override: Mapping[str, object] | None = None
) -> ReportMeta:
    """The report's metadata: ``override`` (from ``reports.toml``) first, then the
    title page, then the file name."""
    page, name = from_title_page(source), from_file_name(file_name)
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for field in ("force", "programme", "pillar", "period", "published"):
        for where, found in (("title page", page), ("file name", name)):
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
