"""Citations stay verbatim: every chunk's text is the source at its spans, normalised by
the one public function, :func:`peel_search.ingest.text.normalise_for_citation`.

The invariant is checked over every chunk of every report in ``REPORTS`` (the bundled
report, the tiny test report and, once ``tests/variant_reports.py`` exists, five generated
variants), and over generated reports with Hypothesis.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peel_search.ingest.chunk import chunk_report
from peel_search.ingest.parse import parse_report
from peel_search.ingest.text import marker_spans, normalise_for_citation
from peel_search.types import Chunk, Report, Span

DATA = Path(__file__).parent / "data"
BUNDLED = Path(__file__).resolve().parent.parent / "corpus" / "peel-2015-effectiveness-west-midlands.txt"

try:
    from variant_reports import library as _variant_library  # written alongside these tests
except ModuleNotFoundError as error:
    if error.name != "variant_reports":
        raise
    _variant_library = None

VARIANTS = 5


@functools.cache
def _variants() -> tuple[str, ...]:
    assert _variant_library is not None
    return tuple(v.text for v in _variant_library(VARIANTS))


#: ``(report id, loader)``: add a report here and every test below runs over it.
REPORTS: list[tuple[str, Callable[[], str]]] = [
    ("peel-2015-effectiveness-west-midlands", lambda: BUNDLED.read_text(encoding="utf-8")),
    ("tiny-report", lambda: (DATA / "tiny-report.txt").read_text(encoding="utf-8")),
]
if _variant_library is not None:
    REPORTS += [(f"variant-{i}", functools.partial(lambda i: _variants()[i], i)) for i in range(VARIANTS)]


@pytest.fixture(scope="module", params=REPORTS, ids=[name for name, _ in REPORTS])
def parsed(request) -> tuple[Report, list[Chunk]]:
    name, load = request.param
    report = parse_report(load(), name)
    return report, chunk_report(report)


def chunk_markers(chunk: Chunk, report: Report) -> tuple[Span, ...]:
    """The marker spans the chunk records; the parser's markers inside its spans until
    :class:`Chunk` carries them."""
    recorded = getattr(chunk, "markers", None)
    return tuple(recorded) if recorded is not None else marker_spans(report.markers, chunk.spans)


# -- the invariant ----------------------------------------------------------------------------


def verbatim_problems(report: Report, chunks: Sequence[Chunk]) -> list[str]:
    """Every way ``chunks`` fail to be verbatim citations of ``report.source`` (empty: none)."""
    source = report.source
    problems: list[str] = []
    for n, c in enumerate(chunks):
        where = f"chunk {n} ({c.kind} {c.label or ' › '.join(c.section)[-50:]!r}, spans {c.spans})"
        spans = list(c.spans)
        if not spans or any(not 0 <= a < b <= len(source) for a, b in spans):
            problems.append(f"{where}: an empty or out-of-range span")
            continue
        if any(b > a2 for (_, b), (a2, _) in itertools.pairwise(spans)):
            problems.append(f"{where}: spans out of source order or overlapping")
            continue
        if (c.start, c.end) != (spans[0][0], spans[-1][1]):
            problems.append(f"{where}: start/end {(c.start, c.end)} are not the first and last span's")
        expected = normalise_for_citation(source, spans, chunk_markers(c, report), c.kind)
        if c.text != expected:
            problems.append(f"{where}: text {c.text[:80]!r} is not the source's {expected[:80]!r}")

    owned = sorted((a, b, n) for n, c in enumerate(chunks) for a, b in c.spans)
    for (_, b, n), (a2, _, n2) in itertools.pairwise(owned):
        if a2 < b:
            problems.append(f"chunks {n} and {n2} overlap at {a2}:{b}")
    # Between a passage's spans lies only white space, dropped residue, footnote markers
    # and footnotes (a page's footnotes stand between a paragraph and its continuation):
    # never text of another body passage.
    body = [(a, b, n) for a, b, n in owned if chunks[n].kind != "footnote"]
    for n, c in enumerate(chunks):
        for (_, gap_start), (gap_end, _) in itertools.pairwise(c.spans):
            inside = [m for a, b, m in body if m != n and a < gap_end and b > gap_start]
            if inside:
                problems.append(f"chunk {n} encloses text of chunks {sorted(set(inside))}")
    return problems


def test_every_chunk_is_its_sources_text_normalised(parsed):
    report, chunks = parsed
    assert chunks
    assert verbatim_problems(report, chunks) == []


def test_no_two_chunks_share_source_text(parsed):
    _, chunks = parsed
    owned = sorted((a, b) for c in chunks for a, b in c.spans)
    assert all(b <= a2 for (_, b), (a2, _) in itertools.pairwise(owned))


def test_the_check_needs_only_the_source_and_the_chunk(parsed):
    """What a third party runs: the source text and the chunk's own fields."""
    report, chunks = parsed
    for c in chunks:
        assert c.text == normalise_for_citation(report.source, c.spans, chunk_markers(c, report), c.kind)
        # The markers a chunk needs are exactly the parser's inside its spans.
        assert chunk_markers(c, report) == marker_spans(report.markers, c.spans)


def test_the_check_catches_a_changed_text(parsed):
    report, chunks = parsed
    c = chunks[len(chunks) // 2]
    assert verbatim_problems(report, [dataclasses.replace(c, text=c.text + " x")])
    assert verbatim_problems(report, [dataclasses.replace(c, spans=(*c.spans[::-1], (0, 1)))])


# -- the bundled report's hard cases ----------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> tuple[Report, list[Chunk]]:
    report = parse_report(BUNDLED.read_text(encoding="utf-8"), "peel-2015-effectiveness-west-midlands")
    return report, chunk_report(report)


def test_a_footnote_continued_before_its_body_reads_in_source_order(bundled):
    _, chunks = bundled
    (fn,) = [c for c in chunks if c.label == "Footnote 2"]
    assert fn.text.startswith("2015 (available from: www.justiceinspectorates.gov.uk/")
    assert fn.text.endswith("a separate report was published in December")
    assert fn.start == fn.spans[0][0]


def test_figure_labels_keep_source_order(bundled):
    _, chunks = bundled
    (fig,) = [c for c in chunks if c.label == "Figure 7"]
    assert fig.text.split("\n\n") == [
        "Other 13%",
        "Violent criminal activity 6%",
        "Sexual offences 7%",
        "Organised theft 19%",
        "Drug activity 54%",
        "Figure 7: Force organised crime groups by the predominant crime type, as at 30 June 2015",
        "Source: HMIC data collection",
    ]


def test_a_table_note_after_prose_stands_with_the_prose(bundled):
    _, chunks = bundled
    (fig,) = [c for c in chunks if c.label == "Figure 2"]
    assert fig.text.endswith("Source: Home Office data, HMIC data return")
    (note,) = [c for c in chunks if "*Anti-social behaviour data is from" in c.text]
    assert note.kind == "text"
    assert note.text.startswith("HMIC has chosen these types of crime")


@pytest.mark.parametrize(
    ("needle", "marker"),
    [
        ("published in December 2015. The following", " 10"),
        ("by force, as at 30 June 2015", " 12"),
        ("for mapping organised crime groups", " 17"),
        ("(excluding fraud)\n\n", "$^{4\\,5\\,6}$"),
    ],
)
def test_bare_and_latex_markers_are_removed_by_the_public_normalisation(bundled, needle, marker):
    report, chunks = bundled
    (c,) = [c for c in chunks if needle in c.text]
    markers = chunk_markers(c, report)
    assert any(report.source[a:b].strip() == marker.strip() for a, b in markers)
    assert c.text == normalise_for_citation(report.source, c.spans, markers, c.kind)
    if marker.strip().isdigit():  # only a bare number needs its position to be known
        assert c.text != normalise_for_citation(report.source, c.spans, (), c.kind)


# -- the function on its own ------------------------------------------------------------------


def test_normalise_for_citation_contract():
    source = "Outcomes $^{4\\,5}$ here.³ Wales¹⁴\n  went   on.\n\nIn 2015. 10 The next.\n\n^{*}Note."
    at = source.index(" 10 ")
    assert normalise_for_citation(source, [(0, len(source))], [(at, at + 3)]) == (
        "Outcomes here. Wales went on. In 2015. The next. *Note."
    )
    first, second = (0, source.index("\n\n")), (source.index("In 2015"), source.index("\n\n^"))
    assert normalise_for_citation(source, [first, second]) == (
        "Outcomes here. Wales went on.\n\nIn 2015. 10 The next."
    )
    items = "- First item\n  wrapped.\n- Second."
    assert normalise_for_citation(items, [(0, len(items))]) == "- First item wrapped.\n- Second."
    table = "A \tB\n\nC\t D  E\n"
    assert normalise_for_citation(table, [(0, len(table))], kind="table") == "A\tB\nC\tD E"
    assert normalise_for_citation(table, [(0, len(table))], kind="figure") == "A B C D E"
    assert normalise_for_citation("  \n ³ ", [(0, 6)]) == ""


@pytest.mark.parametrize(
    "spans",
    [[(5, 9), (0, 4)], [(0, 6), (4, 9)], [(3, 3)], [(0, 99)], [(-1, 3)]],
    ids=["out of order", "overlapping", "empty", "past the end", "before the start"],
)
def test_normalise_for_citation_refuses_bad_spans(spans):
    with pytest.raises(ValueError):
        normalise_for_citation("abcd efghi", spans)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_WORDS = ["force", "Victim", "crime", "partners", "2015", "percent", "(IOM)", "e.g.", "data", "anti-social"]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def marked_text(draw):
    """``(source, marker spans, the words without markers)``: words with footnote markers
    in every form, and white space of every kind between them."""
    source, markers, kept = "", [], []
    for word in draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30)):
        source += draw(st.sampled_from([" ", " ", "\n", "\t", "  \n "])) if source else ""
        source += word
        kept.append(word)
        number = str(draw(st.integers(1, 60)))
        form = draw(st.sampled_from(["none", "none", "superscript", "latex", "bare"]))
        if form == "superscript":
            source += number.translate(_SUPERSCRIPT)
        elif form == "latex":
            source += "$^{" + "\\,".join(number) + "}$"
        elif form == "bare":
            markers.append((len(source), len(source) + 1 + len(number)))
            source += " " + number
    return source, markers, kept


@SETTINGS
@given(marked_text())
def test_markers_and_only_markers_are_removed_and_white_space_folded(data):
    source, markers, kept = data
    assert normalise_for_citation(source, [(0, len(source))], markers, "figure") == " ".join(kept)


@SETTINGS
@given(marked_text(), st.data())
def test_a_passage_of_several_spans_joins_their_pieces_in_order(data, draw):
    source, markers, _ = data
    cuts = sorted(draw.draw(st.sets(st.integers(0, len(source)), max_size=4)) | {0, len(source)})
    spans = [(a, b) for a, b in itertools.pairwise(cuts) if a < b]
    pieces = [normalise_for_citation(source, [span], markers, "figure") for span in spans]
    assert normalise_for_citation(source, spans, markers, "figure") == "\n\n".join(p for p in pieces if p)
    # markers outside the spans change nothing
    for span in spans:
        inside = [m for m in markers if m[0] < span[1] and m[1] > span[0]]
        assert normalise_for_citation(source, [span], inside, "figure") == pieces[spans.index(span)]


# -- generated reports ------------------------------------------------------------------------

_SENTENCES = [
    "The force works closely with local partners on shared problems.",
    "Victims receive a good service from officers and staff.",
    "HMIC found that the force understands the threat from organised crime.",
    "Neighbourhood teams meet every week to review the most prolific offenders.",
    "It has improved its response to anti-social behaviour since 2014.",
]


@st.composite
def prose(draw, min_size=1):
    return " ".join(draw(st.lists(st.sampled_from(_SENTENCES), min_size=min_size, max_size=6)))


@st.composite
def verbatim_reports(draw):
    """Report text with the shapes that once broke verbatim citations: markers in every
    form, figures with labels before or after the caption, table notes after prose, a
    paragraph broken by a page of footnotes, a footnote continued before its body."""
    number = 0
    parts: list[str] = []
    footnotes: list[str] = []

    def footnote(body: str) -> int:
        nonlocal number
        number += 1
        footnotes.append(str(number).translate(_SUPERSCRIPT) + " " + body)
        return number

    for topic in draw(
        st.lists(st.sampled_from(["victims", "gangs", "crime"]), min_size=1, max_size=2, unique=True)
    ):
        parts.append(f"How effective is the force at tackling {topic}?")
        for shape in draw(st.lists(st.integers(0, 7), min_size=1, max_size=6)):
            if shape == 0:
                parts.append(draw(prose()))
            elif shape == 1:
                n = footnote("A footnote about the data used here.")
                parts.append(draw(prose()).rstrip(".") + str(n).translate(_SUPERSCRIPT) + ".")
            elif shape == 2:
                n = footnote("Outcomes are described in the annex.")
                parts.append(draw(prose()).rstrip(".") + " $^{" + str(n) + "}$.")
            elif shape == 3:
                n = footnote("The full report was published in December 2015.")
                parts.append(f"It was published in December 2015. {n} The following is a summary.")
            elif shape == 4:
                labels = ["Drug activity 54%", "Organised theft 19%", "Other 13%"]
                caption = f"Figure {len(parts)}: Organised crime groups by type"
                figure = [caption, *labels] if draw(st.booleans()) else [*labels, caption]
                parts.extend([*figure, "Source: HMIC data collection"])
            elif shape == 5:
                parts.extend(
                    [
                        f"Figure {len(parts)}: Rates per 1,000 population",
                        "Rate\tForce\tEngland\nCrime\t63.3\t63.0",
                    ]
                )
                if draw(st.booleans()):
                    parts.append(draw(prose()))
                parts.append("^{*}The rate is per 1,000 households, not population.")
            elif shape == 6:
                n = footnote("A note at the foot of the page.")
                parts.append(
                    draw(prose()).rstrip(".") + str(n).translate(_SUPERSCRIPT) + " and the force works with"
                )
                parts.append(footnotes.pop())
                parts.append("local partners on shared problems.")
            else:
                footnote("A separate report was published in December")
                parts.append("2015 (available from: www.justiceinspectorates.gov.uk/hmic/x/).")
                parts.append(footnotes.pop())
        parts.extend(footnotes)
        footnotes.clear()
    return "\n\n".join(parts) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verbatim_reports())
def test_generated_reports_chunk_into_verbatim_citations(text):
    report = parse_report(text, "generated")
    chunks = chunk_report(report)
    assert verbatim_problems(report, chunks) == []


_PIECES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "\n",
            "\n\n",
            "\t",
            " ",
            ".",
            "Contents\n\n",
            "Introduction\t10\n",
            "How well does the force work?",
            "Summary of findings",
            "Figure 1: x",
            "Source: y",
            "³",
            "¹⁴",
            "$^{4\\,5\\,6}$",
            "^{*}",
            "^{*}Note.",
            "- item",
            "12",
            "Drug activity 54%",
            "www.example.org/x",
            "available from:",
            "lower case start",
            "A\tB\nC\tD",
            "28",
        ]
    ),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_text_chunks_into_verbatim_citations(text):
    report = parse_report(text, "arbitrary")
    assert verbatim_problems(report, chunk_report(report)) == []
