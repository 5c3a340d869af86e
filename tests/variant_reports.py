"""Variant PEEL reports made from the bundled one, as test data for a library of many reports.

A variant is the bundled West Midlands 2015 report rewritten for another force, year, grade
set and heading layout ("format"), with chosen question sections left out. Everything else
(paragraphing, footnote markers, stray page numbers, chart residue, contents-list defects)
is the bundled text unchanged, so a parser meets the same PDF-extracted shape as on the real
report. The ground truth a test asserts against (:class:`Variant` ``questions``, ``grades``
and metadata) is taken from what was written into the text.

Canonical question keys: ``overall``, ``preventing``, ``investigating``, ``vulnerability``,
``serious_organised_crime``; ``specialist`` (format 2017), ``efficiency`` and ``legitimacy``
(format 2018), ``offenders`` (format 2021, where investigating and managing offenders are
separate graded areas).

How each format lays the report out:

- "2015": the bundled report, headings as written there (its contents list keeps the PDF's
  typos: "includin", a missing comma).
- "2016": the 2016 question wording; the overall question is reworded too.
- "2017": 2016 wording, HMICFRS, and the national-responsibilities part of the serious and
  organised crime section becomes its own question, "How effective are the force's
  specialist capabilities?" (not graded unless a spec grades it).
- "2018": integrated PEEL ("PEEL: Police effectiveness, efficiency and legitimacy 2018/19"):
  effectiveness is asked as "How effectively does the force reduce crime and keep people
  safe?" (its grade is ``overall``) with statement sub-headings, and an efficiency and a
  legitimacy question are added, each with a "Summary of findings" grade line.
- "2021": "PEEL 2021/22", graded areas named by statements, a grade line under each area
  heading (five-point scale with Adequate), no overall grade.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BUNDLED",
    "FORCES",
    "FORMATS",
    "GRADES",
    "HEADINGS",
    "KEYS",
    "Force",
    "Variant",
    "VariantSpec",
    "library",
    "make_variant",
    "write_library",
]

BUNDLED: Path = (
    Path(__file__).resolve().parent.parent / "corpus" / "peel-2015-effectiveness-west-midlands.txt"
)

FORMATS = ("2015", "2016", "2017", "2018", "2021")
GRADES = ("Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate")
_FOUR_POINT = ("Outstanding", "Good", "Requires improvement", "Inadequate")
_BASE_KEYS = ("preventing", "investigating", "vulnerability", "serious_organised_crime")
KEYS: dict[str, tuple[str, ...]] = {
    "2015": _BASE_KEYS,
    "2016": _BASE_KEYS,
    "2017": (*_BASE_KEYS, "specialist"),
    "2018": (*_BASE_KEYS, "efficiency", "legitimacy"),
    "2021": ("preventing", "investigating", "offenders", "vulnerability", "serious_organised_crime"),
}
#: What the bundled report states (None: it states no grade); keys it lacks default here too.
BUNDLED_GRADES: dict[str, str | None] = {
    "overall": "Good",
    "preventing": "Good",
    "investigating": None,
    "vulnerability": "Requires improvement",
    "serious_organised_crime": "Good",
    "specialist": None,
    "offenders": None,
    "efficiency": "Good",
    "legitimacy": "Good",
}

_OVERVIEW_2015 = "Overview – How well does the force keep people safe and reduce crime?"
_NATIONAL_2015 = (
    "How effective are the arrangements in place to ensure that the force can fulfil its national "
    "policing responsibilities?"
)
_OFFENDERS_2015 = "How well does the force identify and manage offenders to prevent re-offending?"
_HEADINGS_2015 = {
    "preventing": "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?",
    "investigating": "How effective is the force at investigating crime and managing offenders?",
    "vulnerability": "How effective is the force at protecting from harm those who are vulnerable, and supporting victims?",
    "serious_organised_crime": (
        "How effective is the force at tackling serious and organised crime, including its arrangements "
        "for fulfilling its national policing responsibilities?"
    ),
}
_HEADINGS_2016 = {
    "preventing": "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?",
    "investigating": "How effective is the force at investigating crime and reducing re-offending?",
    "vulnerability": "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?",
    "serious_organised_crime": "How effective is the force at tackling serious and organised crime?",
}
#: Question headings per format (canonical key -> heading); "overall" is the overview heading.
HEADINGS: dict[str, dict[str, str]] = {
    "2015": {"overall": _OVERVIEW_2015, **_HEADINGS_2015},
    "2016": {
        "overall": "Overview – How effective is the force at keeping people safe and reducing crime?",
        **_HEADINGS_2016,
    },
    "2017": {
        "overall": "Overall summary – How effective is the force at keeping people safe and reducing crime?",
        **_HEADINGS_2016,
        "specialist": "How effective are the force's specialist capabilities?",
    },
    "2018": {
        "overall": "How effectively does the force reduce crime and keep people safe?",
        "preventing": "Preventing crime and tackling anti-social behaviour",
        "investigating": "Investigating crime and reducing re-offending",
        "vulnerability": "Protecting vulnerable people and supporting victims",
        "serious_organised_crime": "Tackling serious and organised crime",
        "efficiency": "How efficiently does the force operate and how sustainable are its services?",
        "legitimacy": "How legitimately does the force treat the public and its workforce?",
    },
    "2021": {
        "overall": "Overall summary",
        "preventing": "Preventing crime and anti-social behaviour",
        "investigating": "Investigating crime",
        "offenders": "Managing offenders and suspects",
        "vulnerability": "Protecting vulnerable people",
        "serious_organised_crime": "Disrupting serious organised crime",
    },
}
_PROGRAMMES = {
    "2015": "PEEL: Police effectiveness",
    "2016": "PEEL: Police effectiveness",
    "2017": "PEEL: Police effectiveness",
    "2018": "PEEL: Police effectiveness, efficiency and legitimacy",
    "2021": "PEEL",
}
_HMICFRS_FORMATS = frozenset({"2017", "2018", "2021"})


@dataclass(frozen=True)
class Force:
    """A real force and a few of its real places, standing in for the West Midlands ones.

    ``places`` replace, in order, Birmingham, Wolverhampton, Coventry, Walsall, Solihull;
    ``district`` replaces "Birmingham East"."""

    name: str
    area: str  # "West Midlands" ("fell by 15 percent in West Midlands")
    the_area: str  # "the West Midlands" ("tackling organised crime in the West Midlands")
    short: str  # "WMP" ("the WMP 2020 change programme")
    slug: str  # "west-midlands" (file names, report URLs)
    places: tuple[str, str, str, str, str]
    district: str


FORCES: tuple[Force, ...] = (
    Force(
        "West Midlands Police",
        "West Midlands",
        "the West Midlands",
        "WMP",
        "west-midlands",
        ("Birmingham", "Wolverhampton", "Coventry", "Walsall", "Solihull"),
        "Birmingham East",
    ),
    Force(
        "Greater Manchester Police",
        "Greater Manchester",
        "Greater Manchester",
        "GMP",
        "greater-manchester",
        ("Manchester", "Bolton", "Salford", "Wigan", "Stockport"),
        "North Manchester",
    ),
    Force(
        "Kent Police",
        "Kent",
        "Kent",
        "Kent Police",
        "kent",
        ("Maidstone", "Canterbury", "Medway", "Dartford", "Ashford"),
        "Thanet",
    ),
    Force(
        "Thames Valley Police",
        "Thames Valley",
        "the Thames Valley",
        "TVP",
        "thames-valley",
        ("Oxford", "Reading", "Milton Keynes", "Slough", "High Wycombe"),
        "Oxford City",
    ),
    Force(
        "West Yorkshire Police",
        "West Yorkshire",
        "West Yorkshire",
        "WYP",
        "west-yorkshire",
        ("Leeds", "Bradford", "Wakefield", "Huddersfield", "Halifax"),
        "Chapeltown",
    ),
    Force(
        "Merseyside Police",
        "Merseyside",
        "Merseyside",
        "Merseyside Police",
        "merseyside",
        ("Liverpool", "Birkenhead", "St Helens", "Southport", "Bootle"),
        "North Liverpool",
    ),
    Force(
        "Devon and Cornwall Police",
        "Devon and Cornwall",
        "Devon and Cornwall",
        "D&C",
        "devon-and-cornwall",
        ("Plymouth", "Exeter", "Torquay", "Truro", "Barnstaple"),
        "Devonport",
    ),
    Force(
        "Avon and Somerset Constabulary",
        "Avon and Somerset",
        "Avon and Somerset",
        "ASC",
        "avon-and-somerset",
        ("Bristol", "Bath", "Weston-super-Mare", "Taunton", "Yeovil"),
        "Bristol East",
    ),
    Force(
        "Northumbria Police",
        "Northumbria",
        "Northumbria",
        "Northumbria Police",
        "northumbria",
        ("Newcastle", "Sunderland", "Gateshead", "North Shields", "South Shields"),
        "Byker",
    ),
    Force(
        "South Wales Police",
        "South Wales",
        "South Wales",
        "SWP",
        "south-wales",
        ("Cardiff", "Swansea", "Merthyr Tydfil", "Bridgend", "Neath"),
        "Cardiff Bay",
    ),
)
_BY_NAME = {f.name: f for f in FORCES}
_WEST_MIDLANDS = FORCES[0]


@dataclass(frozen=True)
class VariantSpec:
    """What a variant should say. ``grades`` maps canonical keys to grades (keys left out keep
    the bundled grade; efficiency and legitimacy default to Good); ``drop`` names question
    sections to leave out; ``published`` defaults to "February <year+1>"."""

    force: str
    year: int
    fmt: str = "2015"
    grades: Mapping[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    published: str = ""


@dataclass(frozen=True)
class Variant:
    """A generated report and the ground truth written into it.

    ``places`` are the force's places written in place of West Midlands ones (those whose
    passages were kept). ``questions`` maps each graded question heading, exactly as it stands as a body heading,
    to its canonical key (the overall question is not listed: its grade is ``grades["overall"]``).
    ``grades`` has "overall" and every question key of the format that was not dropped."""

    name: str
    text: str
    force: str
    programme: str
    year: int
    published: str
    places: tuple[str, ...]
    questions: dict[str, str]
    grades: dict[str, str | None]
    dropped: tuple[str, ...]


# --- the bundled report cut into blocks --------------------------------------------------------

#: (block name, owner key, exact text the block starts with); searched in order.
_BLOCKS: tuple[tuple[str, str | None, str], ...] = (
    ("overview", None, _OVERVIEW_2015 + "\n\nOverall judgment"),
    (
        "ov_vuln",
        "vulnerability",
        "West Midlands Police generally provides a good service to vulnerable victims. The force identifies",
    ),
    (
        "ov_soc",
        "serious_organised_crime",
        "HMIC found that the overall response to tackling organised crime groups in the West",
    ),
    ("box_prev", "preventing", _HEADINGS_2015["preventing"] + "\n\n\n\n"),
    ("box_inv", "investigating", _HEADINGS_2015["investigating"] + "\n\n\n\n"),
    (
        "box_prev2",
        "preventing",
        "resources are assigned to local policing teams to focus on preventing problems",
    ),
    ("box_inv2", "investigating", "and reviews within appropriate timeframes."),
    ("box_vuln", "vulnerability", _HEADINGS_2015["vulnerability"] + "\n\n\n\n"),
    ("box_soc", "serious_organised_crime", _HEADINGS_2015["serious_organised_crime"] + "\n\n\n\n"),
    ("box_vuln2", "vulnerability", "HMIC found that in some cases the assessment of risk for children"),
    ("box_soc2", "serious_organised_crime", "covert tactics used. Closing reports"),
    ("numbers", None, "Force in numbers\n"),
    ("intro_prev", "preventing", "- How effective is the force at preventing"),
    ("intro_inv", "investigating", "- How effective is the force at investigating"),
    ("intro_vuln", "vulnerability", "- How effective is the force at protecting"),
    ("intro_soc", "serious_organised_crime", "- How effective is the force at tackling"),
    ("intro_rest", None, "\nDuring our inspection"),
    ("prev", "preventing", _HEADINGS_2015["preventing"] + "\n\nThe police's ability"),
    ("inv", "investigating", _HEADINGS_2015["investigating"] + "\n\nWhen a crime occurs"),
    ("offenders", "investigating", _OFFENDERS_2015 + "\n"),
    ("inv_summary", "investigating", "Summary of findings\n"),
    ("vuln", "vulnerability", _HEADINGS_2015["vulnerability"] + "\n\nThis question"),
    ("soc", "serious_organised_crime", _HEADINGS_2015["serious_organised_crime"] + "\n\nSerious"),
    ("national", "serious_organised_crime", _NATIONAL_2015 + "\n\nIt is beyond"),
    ("soc_summary", "serious_organised_crime", "Summary of findings\n"),
    ("annex", None, "Annex A – HMIC judgments\n\nOur judgments"),
)
_INTRO_ITEMS = {
    "intro_prev": "preventing",
    "intro_inv": "investigating",
    "intro_vuln": "vulnerability",
    "intro_soc": "serious_organised_crime",
}

#: Contents lines: (line prefix, line name, owner key); the first matching prefix wins.
_CONTENTS: tuple[tuple[str, str, str | None], ...] = (
    ("Overview –", "c_overview", None),
    ("Overall judgment", "c_overall_judgment", None),
    ("How effective is the force at preventing", "c_prev", "preventing"),
    ("How well does the force work", "c_prev_sub", "preventing"),
    ("Summary of findings\t19", "c_prev_sub", "preventing"),
    ("How effective is the force at investigating", "c_inv", "investigating"),
    ("How well does the force investigate", "c_inv_sub", "investigating"),
    ("How well does the force identify and manage offenders", "c_offenders", "investigating"),
    ("Summary of findings\t29", "c_inv_summary", "investigating"),
    ("How effective is the force at protecting", "c_vuln", "vulnerability"),
    ("Summary of findings\t30", "c_vuln_sub", "vulnerability"),
    ("How effective is the force at tackling", "c_soc", "serious_organised_crime"),
    ("How well does the force understand the threat", "c_soc_sub", "serious_organised_crime"),
    ("How effectively", "c_soc_sub", "serious_organised_crime"),
    ("How effective are the arrangements", "c_national", "serious_organised_crime"),
    ("Summary of findings\t40", "c_soc_summary", "serious_organised_crime"),
    ("Annex A", "c_annex", None),
)
_CONTENTS_HEADINGS = {
    "c_prev": "preventing",
    "c_inv": "investigating",
    "c_vuln": "vulnerability",
    "c_soc": "serious_organised_crime",
}


@dataclass(frozen=True)
class _Piece:
    name: str
    owner: str | None
    text: str


def _cut(text: str) -> tuple[str, list[_Piece], str, list[_Piece]]:
    """The bundled text as (title page, contents lines, the blank line after them, body blocks)."""
    contents_at = text.index("Contents\n")
    body_at = text.index(_BLOCKS[0][2], contents_at)
    head, contents, body = text[:contents_at], text[contents_at:body_at], text[body_at:]
    starts: list[int] = []
    pos = 0
    for _, _, anchor in _BLOCKS:
        pos = body.index(anchor, pos)
        starts.append(pos)
        pos += 1
    ends = [*starts[1:], len(body)]
    blocks = [
        _Piece(name, owner, body[s:e]) for (name, owner, _), s, e in zip(_BLOCKS, starts, ends, strict=True)
    ]
    lines: list[_Piece] = []
    body_lines = contents.split("\n")
    assert body_lines[-1] == "" and body_lines[-2] == "", "contents list ends with a blank line"
    for line in body_lines[:-2]:
        name, owner = "c_plain", None
        for prefix, n, o in _CONTENTS:
            if line.startswith(prefix):
                name, owner = n, o
                break
        lines.append(_Piece(name, owner, line + "\n"))
    return head, lines, "\n", blocks


# --- text added by later formats --------------------------------------------------------------

_EFFICIENCY = """{heading}

Police forces must make the best use of the resources available to them, both to meet the demand they face now and to prepare for the demand they are likely to face in future. HMIC examined how well the force understands the demand for its services, how it matches its workforce and budget to that demand, and how well it plans for the future.

How well does the force meet current demands and use resources?

West Midlands Police has a good understanding of the demand for its services, including the less obvious demand from crimes such as child sexual exploitation and modern slavery. The force analyses calls for service every day and moves officers between local policing units to match short-term changes in demand.

The force has reviewed the skills of its workforce and knows where it has gaps, for example in the number of accredited detectives. In the 12 months to 31 March 2015 it recruited and trained investigators to fill some of these gaps, although vacancies remain in some specialist teams.

How well is the force planning for the future?

The force's financial plans are realistic and are linked to its change programme, WMP 2020. Its workforce plan²⁰ sets out the number of officers and staff it expects to need, and the skills they will require, over the next four years.

The force works with other forces in the region and with local authorities in the West Midlands to share buildings and services, and it has a clear understanding of the savings this will bring.

²⁰ A workforce plan sets out the number, roles and skills of the officers and staff a force expects to need over the coming years.

Summary of findings



{grade_line}{wording} It has a good understanding of current demand and uses its resources well to meet it.

The force's plans for the future are realistic, and it is investing in technology to make its workforce more productive.

Areas for improvement

 The force should improve its understanding of the skills of its workforce so that it can plan to meet future demand.

"""

_LEGITIMACY = """{heading}

The public must be able to trust the police to act fairly, and the police workforce must be treated fairly by the force. HMIC examined how well the force treats the people it serves with fairness and respect, how well it ensures that its workforce behaves ethically and lawfully, and how fairly it treats its workforce.

To what extent does the force treat all of the people it serves with fairness and respect?

West Midlands Police understands the importance of treating people fairly and with respect. Officers and staff we spoke to understood the principles of procedural justice, and the force seeks feedback from the public through community meetings and surveys.

The force scrutinises its use of stop and search. An external scrutiny panel reviews a sample of records every quarter, and the force publishes the results on its website.

How well does the force ensure that its workforce behaves ethically and lawfully?

The force has made the Code of Ethics part of its training and of its promotion processes. Its professional standards department assesses complaints promptly, and the force's counter-corruption unit is adequately resourced.

To what extent does the force treat its workforce with fairness and respect?

The force seeks the views of its workforce through staff surveys and acts on the results. It has improved its processes for managing the wellbeing of officers and staff, although some officers told us that supervisors do not always have the time to support them.

Summary of findings



{grade_line}{wording} It treats the people it serves with fairness and respect, and its officers and staff understand the Code of Ethics.

The force seeks and acts on the views of its workforce, but it should do more to support the wellbeing of its officers and staff.

Areas for improvement

 The force should ensure that supervisors have the time and the training to support the wellbeing of their officers and staff.

"""

_ADDED_CONTENTS = {
    "efficiency": (
        "{heading}\t43\n"
        "How well does the force meet current demands and use resources?\t44\n"
        "How well is the force planning for the future?\t45\n"
        "Summary of findings\t46\n"
    ),
    "legitimacy": (
        "{heading}\t47\n"
        "To what extent does the force treat all of the people it serves with fairness and respect?\t48\n"
        "How well does the force ensure that its workforce behaves ethically and lawfully?\t49\n"
        "To what extent does the force treat its workforce with fairness and respect?\t50\n"
        "Summary of findings\t51\n"
    ),
}


# --- grade wording ----------------------------------------------------------------------------


def _at(grade: str, activity: str) -> str:
    """ "is good at <activity>", "requires improvement in <activity>"."""
    if grade == "Requires improvement":
        return f"requires improvement in {activity}"
    return f"is {grade.lower()} at {activity}"


def _judges(grade: str, subject: str, activity: str) -> str:
    """ "HMIC judges <subject> to be good at <activity>" or "HMIC judges that <subject> requires
    improvement in <activity>"."""
    if grade == "Requires improvement":
        return f"HMIC judges that {subject} {_at(grade, activity)}"
    return f"HMIC judges {subject} to be {grade.lower()} at {activity}"


def _is(grade: str) -> str:
    return "requires improvement" if grade == "Requires improvement" else f"is {grade.lower()}"


_KEEP_SAFE = "keeping people safe and reducing crime"
_PREVENT = "preventing crime and anti-social behaviour and keeping people safe"


def _overall_edits(grade: str | None, fmt: str) -> list[tuple[str, str]]:
    old_line = "Overall judgment¹\n\n\n\nGood\n\n"
    old_first = "Overall West Midlands Police is judged to be good at keeping people safe and reducing crime."
    old_summary = (
        "Although we did find some areas for improvement, HMIC judges West Midlands Police to be good at "
        "keeping people safe and reducing crime."
    )
    if grade is None:
        if fmt != "2021":
            raise AssertionError("only format 2021 has no overall grade")
        return [
            (old_line, ""),
            (
                old_first,
                "Overall West Midlands Police keeps people safe and reduces crime, but there are areas "
                "in which it needs to improve.",
            ),
            (
                old_summary,
                "Although we did find some areas for improvement, HMIC found much to commend in the "
                "way West Midlands Police keeps people safe and reduces crime.",
            ),
        ]
    judged = (
        "is judged to require improvement in"
        if grade == "Requires improvement"
        else f"is judged to be {grade.lower()} at"
    )
    lead = (
        "Although we did find some areas for improvement, "
        if grade in {"Good", "Outstanding"}
        else "Although we did find some areas of strength, "
    )
    return [
        (old_line, f"Overall judgment¹\n\n\n\n{grade}\n\n"),
        (old_first, f"Overall West Midlands Police {judged} {_KEEP_SAFE}."),
        (old_summary, f"{lead}{_judges(grade, 'West Midlands Police', _KEEP_SAFE)}."),
    ]


def _preventing_edits(grade: str) -> list[tuple[str, str]]:
    old = (
        "West Midlands Police is good at preventing crime and anti-social behaviour and keeping people safe. "
        "This is consistent with HMIC's 2014"
    )
    relation = {"Good": "consistent with", "Outstanding": "an improvement on"}.get(grade, "a decline from")
    return [(old, f"West Midlands Police {_at(grade, _PREVENT)}. This is {relation} HMIC's 2014")]


def _investigating_edits(grade: str) -> list[tuple[str, str]]:
    old = "Summary of findings\n\n\n\nThe force generally conducts effective investigations"
    return [
        (old, f"Summary of findings\n\n\n\n{grade}\n\nThe force generally conducts effective investigations")
    ]


def _vulnerability_edits(grade: str) -> list[tuple[str, str]]:
    old_verdict = "overall HMIC judges that the force requires improvement."
    if grade == "Requires improvement":
        verdict = old_verdict
    else:
        verdict = f"overall HMIC judges the force to be {grade.lower()}."
    line = "Summary of findings\n\n\n\n{}\n\nWest Midlands Police generally provides a good service"
    return [(line.format("Requires improvement"), line.format(grade)), (old_verdict, verdict)]


def _soc_edits(grade: str) -> list[tuple[str, str]]:
    mild = grade in {"Good", "Outstanding", "Adequate"}
    return [
        (
            "organised crime groups is good; however, there are areas",
            f"organised crime groups {_is(grade)}; however, there are areas"
            if mild
            else f"organised crime groups {_is(grade)}, and there are areas",
        ),
        (
            "organised crime groups in the West Midlands is good but there are some areas",
            f"organised crime groups in the West Midlands {_is(grade)} but there are some areas"
            if mild
            else f"organised crime groups in the West Midlands {_is(grade)} and there are some areas",
        ),
    ]


def _specialist_edits(grade: str) -> list[tuple[str, str]]:
    heading = HEADINGS["2017"]["specialist"]
    return [(f"{heading}\n\n", f"{heading}\n\n{grade}\n\n")]


_GRADE_EDITS: dict[str, Callable[[str], list[tuple[str, str]]]] = {
    "preventing": _preventing_edits,
    "investigating": _investigating_edits,
    "vulnerability": _vulnerability_edits,
    "serious_organised_crime": _soc_edits,
    "specialist": _specialist_edits,
}


# --- years and names ----------------------------------------------------------------------------

#: Dated references that are not about the inspection (history, other publications): never shifted.
_FIXED_DATES = (
    "crime data in 2014",
    "In 2014, in preparation",
    "ince April 2014",
    "in England and Wales in 2014",
    "In November 2014",
    "Ministry of Justice, October 2015",
    "Home Office, March 2015",
    "Effectiveness, HMIC, December 2015",
)
_YEAR_RE = re.compile(r"(?<![\d,.])(201[145])(?:/(\d\d))?(?!\d)")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _shift_years(text: str, offset: int) -> str:
    """Move the inspection's dates (data periods, inspection and publication dates, the previous
    inspection's year) by ``offset`` years; baselines (2010, 2013) and history stay."""
    if offset == 0:
        return text
    masked = text
    for i, phrase in enumerate(_FIXED_DATES):
        masked = masked.replace(phrase, f"\x00{i}\x00")

    def shift(m: re.Match[str]) -> str:
        year = int(m.group(1)) + offset
        return f"{year}/{(year + 1) % 100:02d}" if m.group(2) else str(year)

    shifted = _YEAR_RE.sub(shift, masked)
    return re.sub(r"\x00(\d+)\x00", lambda m: _FIXED_DATES[int(m.group(1))], shifted)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _rename(text: str, force: Force) -> str:
    """West Midlands names and places replaced by ``force``'s, in one pass (no chained edits)."""
    if force == _WEST_MIDLANDS:
        return text
    wm = _WEST_MIDLANDS
    table = {
        "West Midlands Police": force.name,
        "West Midlands Conurbation Local Resilience Forum": f"{force.area} Local Resilience Forum",
        "the West Midlands Violence Prevention Alliance": f"the {force.area} Violence Prevention Alliance",
        "the West Midlands": force.the_area,
        "West Midlands'": _possessive(force.area),
        "West Midlands": force.area,
        "WMP": force.short,
        "west-midlands": force.slug,
        wm.district: force.district,
        **dict(zip(wm.places, force.places, strict=True)),
    }
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m.group(0)], text)


def _replace_all(text: str, old: str, new: str) -> tuple[str, int]:
    return text.replace(old, new), text.count(old)


def _replace_lines(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?m)^{re.escape(old)}$", lambda m: new, text)


# --- building a variant -------------------------------------------------------------------------


def _check(spec: VariantSpec) -> Force:
    if spec.force not in _BY_NAME:
        raise ValueError(f"unknown force {spec.force!r}: use one of {', '.join(sorted(_BY_NAME))}")
    if spec.fmt not in FORMATS:
        raise ValueError(f"unknown format {spec.fmt!r}: use one of {', '.join(FORMATS)}")
    if not 2014 <= spec.year <= 2099:
        raise ValueError(f"year {spec.year} is out of range: use a year from 2014")
    keys = KEYS[spec.fmt]
    scale = GRADES if spec.fmt == "2021" else _FOUR_POINT
    for key, grade in spec.grades.items():
        if key not in ("overall", *keys):
            raise ValueError(
                f"format {spec.fmt} has no question {key!r}: use overall or one of {', '.join(keys)}"
            )
        if grade not in scale:
            raise ValueError(
                f"grade {grade!r} is not on the format {spec.fmt} scale: use one of {', '.join(scale)}"
            )
    if spec.fmt == "2021" and "overall" in spec.grades:
        raise ValueError("format 2021 reports give no overall grade: leave 'overall' out of grades")
    for key in spec.drop:
        if key not in keys:
            raise ValueError(f"cannot drop {key!r} from format {spec.fmt}: use one of {', '.join(keys)}")
    if spec.published and not re.search(r"\b(19|20)\d\d\b", spec.published):
        raise ValueError(f"published {spec.published!r} has no year: write it like 'March 2017'")
    return _BY_NAME[spec.force]


def _owner(piece: _Piece, fmt: str) -> str | None:
    if fmt == "2017" and piece.name in {"national", "c_national"}:
        return "specialist"
    if fmt == "2021" and piece.name in {"offenders", "c_offenders"}:
        return "offenders"
    return piece.owner


def _swap(pieces: list[_Piece], first: str, second: str) -> list[_Piece]:
    """Put the piece named ``second`` just before the one named ``first``."""
    names = [p.name for p in pieces]
    if first not in names or second not in names:
        return pieces
    moved = pieces[names.index(second)]
    rest = [p for p in pieces if p.name != second]
    at = [p.name for p in rest].index(first)
    return [*rest[:at], moved, *rest[at:]]


def _contents(lines: list[_Piece], fmt: str, headings: dict[str, str], keep: set[str]) -> str:
    if fmt == "2017":
        lines = _swap(lines, "c_national", "c_soc_summary")
    if fmt == "2021":
        lines = _swap(lines, "c_offenders", "c_inv_summary")
    out: list[str] = []
    for piece in lines:
        owner = _owner(piece, fmt)
        if owner is not None and owner not in keep:
            continue
        line = piece.text
        page = line.rstrip("\n").rpartition("\t")[2]
        if fmt != "2015":
            if piece.name in _CONTENTS_HEADINGS:
                line = f"{headings[_CONTENTS_HEADINGS[piece.name]]}\t{page}\n"
            elif piece.name == "c_overview":
                line = f"{headings['overall']}\t{page}\n"
            elif piece.name == "c_national" and fmt == "2017":
                line = f"{headings['specialist']}\t41\n"
            elif piece.name == "c_offenders" and fmt == "2021":
                line = f"{headings['offenders']}\t26\n"
            elif piece.name == "c_inv_summary" and fmt == "2021":
                line = "Summary of findings\t25\n"
            elif piece.name == "c_overall_judgment" and fmt == "2021":
                continue
            elif piece.name == "c_annex" and fmt == "2018":
                out.extend(
                    _ADDED_CONTENTS[k].format(heading=headings[k])
                    for k in ("efficiency", "legitimacy")
                    if k in keep
                )
                line = "Annex A – HMIC judgments\t53\n"
        out.append(line)
    return "".join(out)


def _added_section(key: str, grade: str | None, heading: str) -> str:
    template, activity = {
        "efficiency": (_EFFICIENCY, "operating efficiently and providing sustainable services"),
        "legitimacy": (_LEGITIMACY, "treating the public and its workforce legitimately"),
    }[key]
    if grade is None:
        return template.format(
            heading=heading, grade_line="", wording="West Midlands Police was inspected on this question."
        )
    return template.format(
        heading=heading, grade_line=f"{grade}\n\n", wording=f"West Midlands Police {_at(grade, activity)}."
    )


def _body(blocks: list[_Piece], fmt: str, keep: set[str], grades: dict[str, str | None]) -> str:
    if fmt == "2017":
        blocks = _swap(blocks, "national", "soc_summary")
    if fmt == "2021":
        blocks = _swap(blocks, "offenders", "inv_summary")
    headings = HEADINGS[fmt]
    parts: list[str] = []
    for piece in blocks:
        owner = _owner(piece, fmt)
        if owner is not None and owner not in keep:
            continue
        if piece.name == "annex" and fmt == "2018":
            parts.extend(
                _added_section(k, grades[k], headings[k]) for k in ("efficiency", "legitimacy") if k in keep
            )
        if piece.name in _INTRO_ITEMS and fmt != "2015":
            parts.append(f"- {headings[_INTRO_ITEMS[piece.name]]}\n")
            continue
        parts.append(piece.text)
    return "".join(parts)


def _grade_body(
    body: str, fmt: str, keep: set[str], wanted: dict[str, str | None]
) -> tuple[str, dict[str, str | None]]:
    """Write each wanted grade into the (West Midlands, 2015-heading) body; returns the body and
    the grades it now states."""
    stated: dict[str, str | None] = {}
    edits = _overall_edits(wanted["overall"], fmt)
    for old, new in edits:
        body, n = _replace_all(body, old, new)
        assert n, f"overall: {old[:40]!r} not found"
    stated["overall"] = wanted["overall"]
    for key in sorted(keep):
        grade = wanted[key]
        stated[key] = None
        if grade is None or key not in _GRADE_EDITS:
            continue
        if key == "specialist":
            continue  # its heading exists only after the format's headings are written
        written = 0
        for old, new in _GRADE_EDITS[key](grade):
            body, n = _replace_all(body, old, new)
            written += n
        if written:
            stated[key] = grade
    for key in ("efficiency", "legitimacy"):
        if key in keep:
            stated[key] = wanted[key]
    return body, stated


def make_variant(spec: VariantSpec) -> Variant:
    """The bundled report rewritten as ``spec`` says, with its ground truth.

    Raises ValueError for an unknown force or format, a grade off the format's scale, a key
    the format does not have, or an overall grade for format 2021."""
    force = _check(spec)
    fmt = spec.fmt
    keys = KEYS[fmt]
    keep = {k for k in keys if k not in spec.drop}
    wanted: dict[str, str | None] = {k: BUNDLED_GRADES[k] for k in ("overall", *keys)}
    if fmt == "2021":
        wanted["overall"] = None
    wanted.update(spec.grades)
    published = spec.published or f"February {spec.year + 1}"
    published_year = re.findall(r"\b(?:19|20)\d\d\b", published)[-1]
    headings = HEADINGS[fmt]

    head, contents_lines, gap, blocks = _cut(BUNDLED.read_text(encoding="utf-8"))
    body = _body(blocks, fmt, keep, wanted)
    body, stated = _grade_body(body, fmt, keep, wanted)

    # The format's headings, then the format's own grade lines.
    renamed = dict(_HEADINGS_2015)
    if fmt == "2017":
        renamed["specialist"] = _NATIONAL_2015
    if fmt == "2021":
        renamed["offenders"] = _OFFENDERS_2015
    if fmt != "2015":
        body = _replace_lines(body, _OVERVIEW_2015, headings["overall"])
        for key, old in renamed.items():
            body = _replace_lines(body, old, headings[key])
    if fmt == "2017" and "specialist" in keep and wanted["specialist"] is not None:
        for old, new in _specialist_edits(str(wanted["specialist"])):
            body, n = _replace_all(body, old, new)
            if n:
                stated["specialist"] = wanted["specialist"]
    if fmt == "2021":
        for key in sorted(keep):
            grade = wanted[key]
            if grade is None:
                continue
            body, n = re.subn(rf"(?m)^{re.escape(headings[key])}\n\n", rf"\g<0>{grade}\n\n", body)
            if n:
                stated[key] = grade
        body = body.replace(
            "¹ Outstanding, Good, Requires improvement or Inadequate",
            "¹ Outstanding, Good, Adequate, Requires improvement or Inadequate",
        )
        body = body.replace("- good;\n", "- good;\n- adequate;\n")

    body = _shift_years(body, spec.year - 2015)
    contents = _contents(contents_lines, fmt, headings, keep)
    if fmt in _HMICFRS_FORMATS:
        body = re.sub(r"\bHMIC\b", "HMICFRS", body)
        contents = re.sub(r"\bHMIC\b", "HMICFRS", contents)

    programme = _PROGRAMMES[fmt]
    if fmt == "2021":
        title = (
            f"PEEL {spec.year}/{(spec.year + 1) % 100:02d}\n\nPolice effectiveness, efficiency and legitimacy"
        )
    elif fmt == "2018":
        title = f"{programme} {spec.year}/{(spec.year + 1) % 100:02d}"
    else:
        title = f"{programme} {spec.year}"
    inspectorate = "HMICFRS" if fmt in _HMICFRS_FORMATS else "HMIC"
    head = (
        head.replace("PEEL: Police effectiveness 2015", title)
        .replace("February 2016", published)
        .replace("© HMIC 2016", f"© {inspectorate} {published_year}")
        .replace(
            "www.justiceinspectorates.gov.uk/hmic\n",
            f"www.justiceinspectorates.gov.uk/{inspectorate.lower()}\n",
        )
    )
    text = head + contents + gap + body
    wm = _WEST_MIDLANDS
    written = set(re.findall("|".join(re.escape(p) for p in (wm.district, *wm.places)), text))
    places = tuple(
        new
        for old, new in zip((*wm.places, wm.district), (*force.places, force.district), strict=True)
        if old in written
    )
    text = _rename(text, force)

    kind = "effectiveness-" if fmt in {"2015", "2016", "2017"} else ""
    questions = {headings[k]: k for k in keys if k in keep}
    return Variant(
        name=f"peel-{spec.year}-{kind}{force.slug}.txt",
        text=text,
        force=force.name,
        programme=programme,
        year=spec.year,
        published=published,
        places=places,
        questions=questions,
        grades={k: stated[k] for k in ("overall", *keys) if k == "overall" or k in keep},
        dropped=tuple(k for k in keys if k not in keep),
    )


# --- a library of variants ----------------------------------------------------------------------

_CURATED: tuple[VariantSpec, ...] = (
    VariantSpec(
        "Greater Manchester Police", 2016, "2016", {"preventing": "Requires improvement"}, (), "March 2017"
    ),
    VariantSpec(
        "Kent Police",
        2017,
        "2017",
        {"overall": "Outstanding", "preventing": "Outstanding", "investigating": "Good"},
        (),
        "March 2018",
    ),
    VariantSpec(
        "Thames Valley Police",
        2018,
        "2018",
        {"efficiency": "Requires improvement", "vulnerability": "Good"},
        (),
        "May 2019",
    ),
    VariantSpec(
        "West Yorkshire Police",
        2021,
        "2021",
        {
            "preventing": "Adequate",
            "investigating": "Requires improvement",
            "offenders": "Good",
            "vulnerability": "Adequate",
            "serious_organised_crime": "Outstanding",
        },
        (),
        "April 2022",
    ),
    VariantSpec(
        "Merseyside Police",
        2015,
        "2015",
        {"overall": "Requires improvement", "vulnerability": "Inadequate"},
        ("serious_organised_crime",),
        "February 2016",
    ),
    VariantSpec(
        "Devon and Cornwall Police",
        2016,
        "2016",
        {
            "overall": "Requires improvement",
            "investigating": "Requires improvement",
            "serious_organised_crime": "Inadequate",
        },
        ("vulnerability",),
        "March 2017",
    ),
    VariantSpec(
        "Avon and Somerset Constabulary",
        2017,
        "2017",
        {"vulnerability": "Good", "specialist": "Good"},
        ("preventing",),
        "March 2018",
    ),
    VariantSpec(
        "Northumbria Police",
        2018,
        "2018",
        {"overall": "Inadequate", "investigating": "Inadequate", "legitimacy": "Inadequate"},
        ("serious_organised_crime",),
        "September 2019",
    ),
    VariantSpec(
        "South Wales Police",
        2021,
        "2021",
        {"investigating": "Inadequate", "offenders": "Adequate", "preventing": "Good"},
        ("vulnerability",),
        "June 2022",
    ),
    VariantSpec(
        "West Midlands Police",
        2016,
        "2016",
        {"investigating": "Good", "vulnerability": "Good"},
        (),
        "March 2017",
    ),
)
_FORMAT_YEAR = {"2015": 2015, "2016": 2016, "2017": 2017, "2018": 2018, "2021": 2021}
_CYCLE_GRADES = ("Good", "Requires improvement", "Outstanding", "Inadequate")


def _generated(i: int) -> VariantSpec:
    """The i-th spec after the curated ones: forces and formats cycle, years move on five at a
    time once every (force, format) pair has been used, so file names never repeat."""
    others = FORCES[1:]
    fmt = FORMATS[i % len(FORMATS)]
    force = others[i % len(others)]
    year = _FORMAT_YEAR[fmt] + 5 * (1 + i // (len(FORMATS) * len(others)))
    keys = KEYS[fmt]
    scale = GRADES if fmt == "2021" else _CYCLE_GRADES
    grades = {k: scale[(i + j) % len(scale)] for j, k in enumerate(keys)}
    if fmt != "2021":
        grades["overall"] = scale[i % len(scale)]
    drop = (keys[i % len(keys)],) if i % 3 == 0 else ()
    return VariantSpec(force.name, year, fmt, grades, drop, f"{_MONTHS[i % 12]} {year + 1}")


def library(n: int) -> list[Variant]:
    """``n`` diverse variants, always the same ones: a curated list covering every format and
    grade (with dropped sections), then generated ones."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    specs = [_CURATED[i] if i < len(_CURATED) else _generated(i - len(_CURATED)) for i in range(n)]
    return [make_variant(s) for s in specs]


def write_library(folder: Path, n: int, include_bundled: bool = True) -> list[Path]:
    """Write the bundled report (copied unchanged) and ``n`` variants into ``folder``; returns
    the paths written, the bundled report first."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    if include_bundled:
        target = folder / BUNDLED.name
        shutil.copyfile(BUNDLED, target)
        paths.append(target)
    for variant in library(n):
        target = folder / variant.name
        target.write_text(variant.text, encoding="utf-8", newline="\n")
        paths.append(target)
    return paths
