"""Generated PEEL reports in each year's layout, with the truth of what each states.

Every year HMIC(FRS) published PEEL in a different shape (docs/layouts.md). This module
writes small reports in each shape, for any force, with chosen grades, so that a test
or ``bench/layouts.py`` can check the force, year, period, programme, pillar and every
stated grade read back. The structure, headings and grade words follow the layouts; the
prose is written here and is no report's text.

Layouts (:data:`LAYOUTS`):

- ``pdf-2015``: text of a 2015-2017 pillar report's PDF: title page ("PEEL: Police
  effectiveness 2016", "An inspection of ...", the month), a contents list, the pillar's
  question over "Overall judgment" and its grade line, then each question with its
  "Summary of findings" (a grade line, or the grade in the summary's first sentence).
- ``pdf-2015.pdf``: the same laid out as a PDF by :mod:`tests.pdf_reports`.
- ``web-2016``: a force's pillar page on the HMIC site, as text: "Kent PEEL 2016", the
  pillar word, the pillar's question, a "Last updated" line between it and the grade
  line, then the questions, each graded in its first sentence, one not inspected that
  year.
- ``web-overview``: a force's overview page ("Kent 2016", or "Kent 2018/19"): a verdict on
  each pillar standing alone ("The extent to which the force is effective at keeping
  people safe and reducing crime is good.", "...: not yet graded."), the effectiveness
  question "To be graded" or graded, and the efficiency question's page graded in its
  first sentence; the 2018/19 page words its verdicts its own way ("the extent to which
  the force operates efficiently and sustainably is good.").
- ``web-2018``: the 2018/19 pillar page: a grade carried over from the year before
  ("In 2017, we judged ... to be good at ..."), a question opening on its areas for
  improvement, "is judged to require improvement".
- ``pdf-2018``: text of an integrated 2018/19 report's PDF: three pillar questions
  with "Summary of findings" grade lines.
- ``html-2021``: a PEEL 2021/22 report page saved from the site (cookie banner, menu,
  breadcrumbs, in-page contents, footer), with the table of areas by grade, a grade
  line under each area heading and an ungraded area (the service to victims).
- ``html-2023``: a PEEL 2023–2025 report page: one title line, the table, areas whose
  grade the table alone gives.
- ``text-2023``: the opening of a PEEL 2023–2025 page copied as text, a paragraph a line,
  with no title: the table of areas by grade without its cells ("Area Grade" or "Area |
  Grade |", then a line per area ending on its grade, one with its grade cell empty), the
  force named only in the prose and the period only in "the PEEL Assessment Framework
  2023–2025".
- ``text-2021``: a 2021/22 report as text with its areas graded by the table alone, a
  title line naming no force ("An inspection of Police") and the force in the file name.

Each report also carries the trap: praise in a grade's words that is not a grade ("the
force provides a good service to ...") under an area graded otherwise, or ungraded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LAYOUTS", "Generated", "generate", "library", "write"]

LAYOUTS = (
    "pdf-2015",
    "pdf-2015.pdf",
    "web-2016",
    "web-overview",
    "web-2018",
    "pdf-2018",
    "html-2021",
    "html-2023",
    "text-2023",
    "text-2021",
)
FOUR = ("Outstanding", "Good", "Requires improvement", "Inadequate")
FIVE = ("Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate")

#: (official name, short name as the web pages head it, a file-name slug)
FORCES = (
    ("Dyfed-Powys Police", "Dyfed-Powys", "dyfed-powys"),
    ("Avon and Somerset Constabulary", "Avon and Somerset", "avon-and-somerset"),
    ("Thames Valley Police", "Thames Valley", "thames-valley"),
    ("Greater Manchester Police", "Greater Manchester", "greater-manchester"),
    ("Metropolitan Police Service", "Metropolitan", "metropolitan"),
    ("Devon and Cornwall Police", "Devon and Cornwall", "devon-and-cornwall"),
    ("City of London Police", "City of London", "city-of-london"),
    (
        "Hampshire and Isle of Wight Constabulary",
        "Hampshire and Isle of Wight",
        "hampshire-and-isle-of-wight",
    ),
    ("North Wales Police", "North Wales", "north-wales"),
    ("Durham Constabulary", "Durham", "durham"),
    ("West Mercia Police", "West Mercia", "west-mercia"),
    ("British Transport Police", "British Transport Police", "british-transport-police"),
)
_MONTHS = "January February March April May June July August September October November December".split()

# Questions as each year's layout words them: (key, heading).
Q2015 = (
    (
        "preventing",
        "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?",
    ),
    ("investigating", "How effective is the force at investigating crime and managing offenders?"),
    (
        "vulnerability",
        "How effective is the force at protecting from harm those who are vulnerable, and supporting victims?",
    ),
    ("soc", "How effective is the force at tackling serious and organised crime?"),
)
Q2016 = (
    (
        "preventing",
        "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?",
    ),
    ("investigating", "How effective is the force at investigating crime and reducing re-offending?"),
    (
        "vulnerability",
        "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?",
    ),
    ("soc", "How effective is the force at tackling serious and organised crime?"),
)
Q2018 = (
    ("effectiveness", "How effectively does the force reduce crime and keep people safe?"),
    ("efficiency", "How efficiently does the force operate and how sustainable are its services?"),
    ("legitimacy", "How legitimately does the force treat the public and its workforce?"),
)
A2021 = (
    ("victims", "Providing a service to the victims of crime"),
    ("public", "Treatment of the public"),
    ("preventing", "Preventing crime and anti-social behaviour"),
    ("responding", "Responding to the public"),
    ("investigating", "Investigating crime"),
    ("vulnerability", "Protecting vulnerable people"),
    ("offenders", "Managing offenders and suspects"),
    ("workforce", "Building, supporting and protecting the workforce"),
    ("planning", "Strategic planning, organisational management and value for money"),
)
A2023 = (
    ("victims", "Providing a service to victims of crime"),
    ("powers", "Police powers and public treatment"),
    ("preventing", "Preventing and deterring crime and anti-social behaviour, and reducing vulnerability"),
    ("responding", "Responding to the public"),
    ("investigating", "Investigating crime"),
    ("vulnerability", "Protecting vulnerable people"),
    ("offenders", "Managing offenders and suspects"),
    ("workforce", "Developing a positive workplace"),
    ("leadership", "Leadership and force management"),
)
#: The table names some areas more briefly than their headings.
_TABLE_NAME = {"Preventing crime and anti-social behaviour": "Preventing crime"}

#: What an area's grade makes the force, in the words of a first sentence.
_GRADE_ADJ = {
    "Outstanding": "outstanding",
    "Good": "good",
    "Adequate": "adequate",
    "Requires improvement": "judged to require improvement",
    "Inadequate": "inadequate",
}


@dataclass
class Generated:
    """One generated report and the truth about it.

    ``grades`` maps each graded area's heading (as the report writes it; "Overall" for the
    pillar's own grade) to the grade it states, ``None`` for an area it leaves ungraded;
    ``carried`` maps a heading to the period a carried-over grade comes from.
    ``content`` is text, or bytes for HTML; a ``.pdf`` layout is written by :func:`write`.
    """

    layout: str
    name: str
    content: str | bytes
    force: str
    year: int
    period: str
    programme: str
    pillar: str
    grades: dict[str, str | None]
    carried: dict[str, str] = field(default_factory=dict)


def _pick(rng: random.Random, scale: tuple[str, ...]) -> str:
    return rng.choice(scale)


def _filler(rng: random.Random, topic: str, n: int = 2) -> str:
    """A few plain sentences about ``topic``, none of them a grade."""
    pool = [
        f"Inspectors looked at how officers and staff approach {topic}.",
        f"Leaders have set out plans for {topic} and review them each quarter.",
        f"The workforce told us that training on {topic} had helped them in their daily work.",
        f"Partner organisations described regular meetings about {topic}.",
        f"Some records about {topic} were incomplete, and supervisors did not always check them.",
        f"Data on {topic} is gathered every month and shared with local commanders.",
        f"The force provides a good service to some people in matters of {topic}, though not to all.",
    ]
    return " ".join(rng.sample(pool, n))


def _topic(heading: str) -> str:
    words = heading.rstrip("?").split(" at ", 1)[-1].split(",")[0]
    return words.lower().removeprefix("how ").strip()


def _date(rng: random.Random, year: int) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"


# -- layouts ------------------------------------------------------------------------------------


def _pdf_2015(rng: random.Random, force: tuple[str, str, str], year: int) -> Generated:
    name, _, slug = force
    overall = _pick(rng, FOUR)
    questions = Q2015 if year == 2015 else Q2016
    grades: dict[str, str | None] = {"Overall": overall}
    month = _MONTHS[rng.randint(1, 4)]
    head = "How effective is the force at keeping people safe and reducing crime?"
    lines = [
        f"PEEL: Police effectiveness {year}",
        f"An inspection of {name}",
        f"{month} {year + 1}",
        "Contents",
        f"{head}\t3",
        "Overall judgment\t3",
        "Introduction\t5",
    ]
    for n, (_, q) in enumerate(questions):
        lines += [f"{q}\t{7 + 4 * n}", f"Summary of findings\t{7 + 4 * n}"]
    lines.append("Annex A – About the data\t30")
    body = [f"{head}", "Overall judgment", overall]
    body.append(
        f"{name} is judged to be {overall.lower()} at keeping people safe and reducing crime."
        if overall != "Requires improvement"
        else f"{name} requires improvement in how it keeps people safe and reduces crime."
    )
    body += ["Introduction", _filler(rng, "this inspection", 3)]
    for n, (_, q) in enumerate(questions):
        topic = _topic(q)
        grade: str | None = _pick(rng, FOUR)
        body += [q, "Summary of findings"]
        style = n % 3
        if style == 0 and grade is not None:
            body += [grade, f"{_filler(rng, topic, 1)} {_filler(rng, topic, 1)}"]
        elif style == 1 and grade in {"Good", "Outstanding", "Inadequate"}:
            body.append(f"{name} is {grade.lower()} at {topic}. {_filler(rng, topic, 2)}")
        else:
            grade = None  # a question the report leaves ungraded: the trap stands alone
            body.append(_filler(rng, topic, 3))
        grades[q] = grade
        body += ["Areas for improvement", f"- The force should review how it approaches {topic}."]
    body += ["Annex A – About the data", _filler(rng, "the data used", 2)]
    text = "\n\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n\n" + "\n\n".join(body) + "\n"
    return Generated(
        "pdf-2015",
        f"peel-{year}-effectiveness-{slug}.txt",
        text,
        name,
        year,
        str(year),
        "PEEL",
        "Police effectiveness",
        grades,
    )


def _web_2016(rng: random.Random, force: tuple[str, str, str], year: int) -> Generated:
    name, short, slug = force
    overall = _pick(rng, FOUR)
    grades: dict[str, str | None] = {}
    head = "How effective is the force at keeping people safe and reducing crime?"
    lines = [
        "Skip to content",
        f"{short} PEEL {year}",
        "Effectiveness",
        head,
        f"Last updated {_date(rng, year + 1)}",
    ]
    lines += [overall, f"{name} is {_GRADE_ADJ[overall]} at keeping people safe and reducing crime."]
    lines.append(_filler(rng, "keeping people safe", 2))
    grades[head] = overall
    skipped = rng.randrange(len(Q2016))
    for n, (_, q) in enumerate(Q2016):
        topic = _topic(q)
        lines.append(q)
        if n == skipped and year >= 2017:
            lines.append(
                f"This question was not inspected in {year}. The grade and findings from last year's inspection still stand."
            )
            grades[q] = None
            continue
        grade = _pick(rng, FOUR)
        lines.append(f"{name} is {_GRADE_ADJ[grade]} at {topic}. {_filler(rng, topic, 2)}")
        lines += [
            "Areas for improvement",
            f"- The force should make sure that its work on {topic} is consistent.",
        ]
        grades[q] = grade
    text = "\n".join(lines) + "\n"  # as copied from the page: a paragraph a line
    return Generated(
        "web-2016",
        f"{slug}-{year}-effectiveness.txt",
        text,
        name,
        year,
        str(year),
        "PEEL",
        "Police effectiveness",
        grades,
    )


_ORDINAL = {2014: "first", 2015: "second", 2016: "third", 2017: "fourth", 2018: "fifth"}


def _web_overview(rng: random.Random, force: tuple[str, str, str], year: int) -> Generated:
    name, short, slug = force
    period = "2018/19" if year == 2018 else str(year)
    subject = rng.choice(("the force", "the constabulary", name))
    if year == 2018:
        pillars = (
            (
                "effectiveness",
                f"the extent to which {subject} is effective at reducing crime and keeping people safe",
            ),
            ("efficiency", f"the extent to which {subject} operates efficiently and sustainably"),
            ("legitimacy", f"the extent to which {subject} treats the public and its workforce legitimately"),
        )
    else:
        pillars = tuple(
            (key, f"The extent to which {subject} is {adj} at keeping people safe and reducing crime")
            for key, adj in (
                ("effectiveness", "effective"),
                ("efficiency", "efficient"),
                ("legitimacy", "legitimate"),
            )
        )
    verdicts: dict[str, str | None] = {key: _pick(rng, FOUR) for key, _ in pillars}
    if year != 2018 and rng.random() < 0.5:
        verdicts["effectiveness"] = None  # published later in the year
    lines = [
        "Skip to content",
        f"{short} {period}",
        f"Read more about {short}",
        f"This is the {_ORDINAL[year]} PEEL assessment of {name} that we publish on these pages. "
        "It tells you how the force is doing in several areas of its work.",
    ]
    grades: dict[str, str | None] = {}
    for key, what in pillars:
        grade = verdicts[key]
        if grade is None:
            lines.append(f"{what}: not yet graded.")
        elif grade == "Requires improvement":
            lines.append(f"{what} requires improvement.")
        else:
            lines.append(f"{what} is {grade.lower()}.")
        grades[what[:1].upper() + what[1:]] = grade
    lines += ["HMI's observations", _filler(rng, "the force's work this year", 3)]
    if year != 2018:
        head = "How effective is the force at keeping people safe and reducing crime?"
        effectiveness = next(w for k, w in pillars if k == "effectiveness")
        grades.pop(effectiveness[:1].upper() + effectiveness[1:])
        grades[head] = verdicts["effectiveness"]
        lines += (
            [head, "To be graded"]
            if verdicts["effectiveness"] is None
            else [head, f"Last updated {_date(rng, year + 1)}", _filler(rng, "neighbourhood policing", 2)]
        )
        head = "How efficient is the force at keeping people safe and reducing crime?"
        efficiency = next(w for k, w in pillars if k == "efficiency")
        grades.pop(efficiency[:1].upper() + efficiency[1:])
        grades[head] = verdicts["efficiency"]
        lines += [head, f"Last updated {_date(rng, year)}", _filler(rng, "demand", 2)]
    return Generated(
        "web-overview",
        f"{slug}-{year}.txt",
        "\n\n".join(lines) + "\n",
        name,
        year,
        period,
        "PEEL",
        "",
        grades,
    )


def _web_2018(rng: random.Random, force: tuple[str, str, str], _: int) -> Generated:
    name, short, slug = force
    overall = _pick(rng, FOUR)
    carried = _pick(rng, ("Outstanding", "Good", "Inadequate"))
    head = "How effectively does the force reduce crime and keep people safe?"
    q1, q2, q3 = Q2016[0][1], Q2016[1][1], Q2016[2][1]
    q3_grade = "Requires improvement"
    lines = [
        f"{short} PEEL 2018",
        head,
        f"Last updated {_date(rng, 2019)}",
        overall,
        f"{name} is {_GRADE_ADJ[overall]} at reducing crime and keeping people safe.",
        f"In 2017, we judged {name} to be {carried.lower()} at preventing crime and tackling anti-social behaviour.",
        q1,
        "This question was not subject to detailed inspection in 2018/19, and our judgment from the 2017 "
        "effectiveness inspection has been carried over.",
        q2,
        "Areas for improvement",
        "- The force should reduce the number of investigations that wait for allocation.",
        _filler(rng, "investigations", 2),
        q3,
        f"{name} is judged to require improvement at protecting those who are vulnerable from harm.",
        "The force provides a good service to victims of domestic abuse when they first call.",
    ]
    grades: dict[str, str | None] = {head: overall, q1: carried, q2: None, q3: q3_grade}
    return Generated(
        "web-2018",
        f"{slug}-2018.txt",
        "\n\n".join(lines) + "\n",
        name,
        2018,
        "2018",
        "PEEL",
        "Police effectiveness",  # the pillar's own question under the title names it
        grades,
        {q1: "2017"},
    )


def _pdf_2018(rng: random.Random, force: tuple[str, str, str], _: int) -> Generated:
    name, _, slug = force
    grades: dict[str, str | None] = {}
    lines = [
        "PEEL: Police effectiveness, efficiency and legitimacy 2018/19",
        f"An inspection of {name}",
        f"{_MONTHS[rng.randint(4, 10)]} 2019",
        "Contents",
    ]
    lines += [f"{q}\t{4 + 6 * n}" for n, (_, q) in enumerate(Q2018)]
    body = []
    for _, q in Q2018:
        grade = _pick(rng, FOUR)
        grades[q] = grade
        body += [q, "Summary of findings", grade, _filler(rng, _topic(q), 2)]
        body += ["Areas for improvement", "- The force should check how its plans are carried out."]
    text = "\n\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n\n" + "\n\n".join(body) + "\n"
    return Generated(
        "pdf-2018",
        f"{slug}-integrated.txt",
        text,
        name,
        2018,
        "2018/19",
        "PEEL",
        "Police effectiveness, efficiency and legitimacy",
        grades,
    )


def _areas_html(rng: random.Random, name: str, areas, lines_under: bool) -> tuple[str, dict[str, str | None]]:
    grades: dict[str, str | None] = {}
    by_grade: dict[str, list[str]] = {g: [] for g in FIVE}
    for key, heading in areas:
        if key == "victims":
            grades[heading] = None
            continue
        grade = _pick(rng, FIVE)
        grades[heading] = grade
        by_grade[grade].append(_TABLE_NAME.get(heading, heading))
    head = "".join(f"<th scope='col'>{g}</th>" for g in FIVE)
    cells = "".join("<td>" + "".join(f"<p>{a}</p>" for a in by_grade[g]) + "</td>" for g in FIVE)
    parts = [
        "<h2 id='summary'>Overall summary</h2>",
        "<h3>Our judgments</h3>",
        f"<p>Our inspection assessed how good {name} is in {len(areas)} areas of policing.</p>",
        f"<table class='grades'><thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>",
        f"<p>We also inspected the service {name} gives to victims of crime. We don't grade this area.</p>",
        "<h3>HM Inspector's observations</h3>",
        f"<p>{_filler(rng, 'the year ahead', 2)}</p>",
    ]
    for _, heading in areas:
        grade = grades[heading]
        topic = heading.lower()
        parts.append(f"<h2>{heading}</h2>")
        if grade is not None and lines_under:
            parts.append(f"<p class='grade grade-{grade.lower().replace(' ', '-')}'>{grade}</p>")
        parts.append(f"<p>{_filler(rng, topic, 3)}</p>")
        parts.append("<h3>Areas for improvement</h3>")
        parts.append(f"<ul><li>The force should improve how it records {topic}.</li></ul>")
        if rng.random() < 0.4:
            parts += ["<h3>Innovative practice</h3>", f"<p>{_filler(rng, 'a local scheme', 1)}</p>"]
    return "\n".join(parts), grades


_FRAME_TOP = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} - HMICFRS</title>
<script>var x = 1;</script><style>.grade{{color:red}}</style></head><body>
<div id="cookie-banner" class="cookie-banner"><p>We use cookies to collect information about how you use this
website. Are you happy to accept cookies?</p><button>Accept</button><button>Reject</button></div>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><a href="/">HM Inspectorate of Constabulary and Fire &amp; Rescue Services</a>
<nav class="main-menu"><ul><li><a href="/police">Police</a></li><li><a href="/fire">Fire</a></li>
<li><a href="/publications">Publications</a></li></ul></nav></header>
<div class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/publications">Publications</a></div>
<main id="main"><article>"""
_FRAME_BOTTOM = """</article></main>
<aside class="related"><h2>Related publications</h2><ul><li><a href="/x">Another report</a></li></ul></aside>
<footer class="site-footer"><p>© Crown copyright. All content is available under the Open Government
Licence.</p><ul><li><a href="/privacy">Privacy</a></li><li><a href="/cookies">Cookies</a></li></ul></footer>
</body></html>"""


def _html_2021(rng: random.Random, force: tuple[str, str, str], _: int) -> Generated:
    name, _, slug = force
    body, grades = _areas_html(rng, name, A2021, lines_under=True)
    toc = "".join(f"<li><a href='#a{n}'>{h}</a></li>" for n, (_, h) in enumerate(A2021))
    html = (
        _FRAME_TOP.format(title=f"PEEL 2021/22: An inspection of {name}")
        + f"<h1>PEEL 2021/22</h1><p>Police effectiveness, efficiency and legitimacy</p>"
        f"<p>An inspection of {name}</p><p>Published on: {rng.randint(1, 28)} {_MONTHS[rng.randint(0, 11)]} 2022</p>"
        f"<p><a href='#'>Print this document</a></p><nav class='contents'><h2>Contents</h2><ul>{toc}</ul></nav>"
        + body
        + _FRAME_BOTTOM
    )
    return Generated(
        "html-2021",
        f"{slug}-peel-2021-22.html",
        html.encode("utf-8"),
        name,
        2021,
        "2021/22",
        "PEEL",
        "Police effectiveness, efficiency and legitimacy",
        grades,
    )


def _html_2023(rng: random.Random, force: tuple[str, str, str], _: int) -> Generated:
    name, _, _ = force
    body, grades = _areas_html(rng, name, A2023, lines_under=False)
    html = (
        _FRAME_TOP.format(title=f"PEEL 2023–2025: An inspection of {name}")
        + f"<h1>PEEL 2023–2025: An inspection of {name}</h1>"
        f"<p>Published on: {rng.randint(1, 28)} {_MONTHS[rng.randint(0, 11)]} 2024</p>" + body + _FRAME_BOTTOM
    )
    return Generated(
        "html-2023",
        f"report-{rng.randint(100, 999)}.html",
        html.encode("utf-8"),
        name,
        2023,
        "2023/25",
        "PEEL",
        "",
        grades,
    )


def _text_2023(rng: random.Random, force: tuple[str, str, str], _: int) -> Generated:
    name, _, _ = force
    pipes = rng.random() < 0.5
    grades: dict[str, str | None] = {}
    rows = ["Area | Grade |" if pipes else "Area Grade"]
    areas = [heading for key, heading in A2023 if key != "victims"]
    blank = rng.randrange(len(areas))
    for n, heading in enumerate(areas):
        if n == blank:
            rows.append(f"{heading} | " if pipes else heading)
            if not pipes:
                break  # without its cells a row with no grade ends the table
            continue
        grade = _pick(rng, FIVE)
        grades[heading] = grade
        rows.append(f"{heading} | {grade} |" if pipes else f"{heading} {grade}")
    lines = [
        "Overall summary",
        "Our judgments",
        f"Our inspection looked at how good {name} is in nine areas of policing. We grade eight of them as follows:",
        *rows,
        f"We also looked at the service {name} gives to victims of crime. We do not grade this area.",
        "PEEL 2023–2025",
        "We judge each force against the characteristics of good performance in the PEEL Assessment "
        "Framework 2023–2025, and we link our judgments to causes of concern and areas for improvement.",
        "HM Inspector's summary",
        _filler(rng, "the force's performance", 2),
    ]
    return Generated(
        "text-2023",
        f"report-{rng.randint(100, 999)}.txt",
        "\n".join(lines) + "\n",
        name,
        2023,
        "2023/25",
        "PEEL",
        "",
        grades,
    )


def _text_2021(rng: random.Random, force: tuple[str, str, str], _: int) -> Generated:
    name, _, slug = force
    grades: dict[str, str | None] = {}
    table_rows: dict[str, list[str]] = {g: [] for g in FIVE}
    for key, heading in A2021:
        if key == "victims":
            continue
        grade = _pick(rng, FIVE)
        grades[heading] = grade
        table_rows[grade].append(heading)
    depth = max(len(v) for v in table_rows.values())
    rows = ["\t".join(FIVE)]
    for i in range(depth):
        rows.append("\t".join(table_rows[g][i] if i < len(table_rows[g]) else "–" for g in FIVE))
    parts = [
        "PEEL 2021/22",
        "Police effectiveness, efficiency and legitimacy",
        "An inspection of Police",
        "Overall summary",
        "Our judgments",
        "Our inspection assessed how good the force is in ten areas of policing. The table shows our grades.",
        "\n".join(rows),
        "HM Inspector's observations",
        f"{_filler(rng, 'the coming year', 3)} I have written to {name} about our findings.",
        "About the data",
        _filler(rng, "the figures", 2),
    ]
    return Generated(
        "text-2021",
        f"peel-2021-22-{slug}.txt",
        "\n\n".join(parts) + "\n",
        name,
        2021,
        "2021/22",
        "PEEL",
        "Police effectiveness, efficiency and legitimacy",
        grades,
    )


_MAKERS = {
    "pdf-2015": _pdf_2015,
    "pdf-2015.pdf": _pdf_2015,
    "web-2016": _web_2016,
    "web-overview": _web_overview,
    "web-2018": _web_2018,
    "pdf-2018": _pdf_2018,
    "html-2021": _html_2021,
    "html-2023": _html_2023,
    "text-2023": _text_2023,
    "text-2021": _text_2021,
}


def generate(layout: str, seed: int = 0) -> Generated:
    """One report in ``layout`` for a force and grades chosen by ``seed``."""
    if layout not in _MAKERS:
        raise ValueError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    rng = random.Random(f"{layout}:{seed}")
    force = FORCES[seed % len(FORCES)]
    year = rng.choice((2015, 2016, 2017)) if layout in {"pdf-2015", "pdf-2015.pdf", "web-2016"} else 0
    if layout == "web-2016":
        year = rng.choice((2016, 2017))
    if layout == "web-overview":
        year = rng.choice((2015, 2016, 2017, 2018))
    generated = _MAKERS[layout](rng, force, year)
    if layout == "pdf-2015.pdf":
        generated.layout = layout
        generated.name = generated.name.replace(".txt", ".pdf")
    return generated


def library(per_layout: int = 6, layouts: tuple[str, ...] = LAYOUTS) -> list[Generated]:
    """``per_layout`` reports in each layout, forces and grades varying."""
    return [generate(layout, seed) for layout in layouts for seed in range(per_layout)]


def write(generated: Generated, folder: Path) -> Path:
    """Write a report into ``folder`` (a ``.pdf`` layout through tests/pdf_reports.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / generated.name
    if generated.name.endswith(".pdf"):
        from pdf_reports import write_report_pdf

        assert isinstance(generated.content, str)
        write_report_pdf(generated.content, path, report_id=path.stem, two_column=None)
    elif isinstance(generated.content, bytes):
        path.write_bytes(generated.content)
    else:
        path.write_text(generated.content, encoding="utf-8")
    return path
