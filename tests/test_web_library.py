"""The web app over a library of reports: report, force and year selectors (only with
several reports), filters in every tab and endpoint, Compare, the grades matrix and text
repeated across reports folded into one card.

The library is the bundled report and two variants from ``tests/variant_reports.py``,
indexed with the hash embedder: what is tested is which reports answer, not ranking.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest

from fakes import HashEmbedder, refusal, serving
from peel_search.index.build import build_index
from peel_search.ingest.questions import GradedArea, GradesMatrix, GradesRow, QuestionColumn
from peel_search.retrieve.search_index import SearchIndex
from peel_search.types import Chunk, CompareResult, CompareRow, Copy, Hit, ReportMeta, Variant
from peel_search.web import render as ui_render
from peel_search.web.ui import Handlers, build_app
from variant_reports import BUNDLED, VariantSpec, make_variant

BUNDLED_ID = "peel-2015-effectiveness-west-midlands"
KENT_ID = "peel-2016-effectiveness-kent"
THRIVE = "THRIVE threat risk harm investigation vulnerability engagement"
quiet = lambda message: None  # noqa: E731


def one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message, message


def _plain(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))


# -- pure rendering --------------------------------------------------------------------------------


def _hit(report_id: str = "a", copies: tuple[Copy, ...] = (), variants: tuple[Variant, ...] = ()) -> Hit:
    text = "The force uses THRIVE to assess risk."
    chunk = Chunk("c1", report_id, "text", text, ("Q",), 3, 1, 0, len(text), ((0, len(text)),))
    reports = tuple(dict.fromkeys([report_id, *(c.report_id for c in copies)]))
    return Hit(
        1,
        chunk,
        0.5,
        "PEEL 2015, A Police — Q — p. 3, ¶ 1",
        text,
        (0, len(text)),
        tuple(c.id for c in copies),
        copies,
        reports,
        variants,
    )


def test_a_card_counts_other_reports_not_copies_and_lists_repeats_apart():
    copies = (
        Copy("c2", "b", "PEEL 2016, <B> Police — Q — p. 4, ¶ 1"),
        Copy("c3", "c", "PEEL 2017, C Police — Q — p. 5, ¶ 2"),
        Copy("c4", "c", "PEEL 2017, C Police — Overview — p. 2, ¶ 4"),
        Copy("c5", "a", "PEEL 2015, A Police — Overview — p. 1, ¶ 2"),
    )
    html = ui_render.hit_card(_hit("a", copies), set(), {}, lambda label: "Other")
    details = re.search(r'<details class="ps-copies">.*?</details>', html)
    assert details, html
    assert "<summary>Also in 2 other reports</summary>" in details.group()  # b and c, not 3 copies
    assert _plain(details.group()).count("Police — ") == 3 and "&lt;B&gt; Police" in details.group()
    repeats = re.search(r'<details class="ps-copies ps-repeats">.*?</details>', html)
    assert repeats and "Repeated in 1 other place in this report" in repeats.group()
    assert "A Police — Overview" in _plain(repeats.group())
    same_report = ui_render.copies_html(_hit("a", copies[3:]))
    assert "Also in" not in same_report and "Repeated in 1 other place in this report" in same_report
    assert ui_render.copies_html(_hit()) == "" and "ps-copies" not in ui_render.hit_card(
        _hit(), set(), {}, lambda label: "Other"
    )


def test_a_card_says_what_the_same_wording_says_elsewhere():
    variants = (
        Variant("d1", "d", "Durham Constabulary 2016", "PEEL 2016, Durham — Q — p. 9, ¶ 1", ("inadequate",)),
    )
    html = ui_render.hit_card(_hit("a", (), variants), set(), {}, lambda label: "Other")
    assert "Same wording in Durham Constabulary 2016, which says inadequate — PEEL 2016, Durham" in _plain(
        html
    )
    assert "<details" not in html.split("ps-variants")[1].split("</ul>")[0]  # shown, not folded away


def test_the_matrix_links_each_grade_to_its_sentence_and_citation():
    columns = (
        QuestionColumn("overall", "Overall", (("a", "Overall"), ("b", "Overall"))),
        QuestionColumn("offenders", "Managing offenders", (("b", "Managing offenders"),)),
    )
    rows = (
        GradesRow(
            "a", "A Police 2015", (GradedArea("Overall", "Good", "A is <good>.", ("Overall",), 3), None)
        ),
        GradesRow(
            "b",
            "B Police 2021/22",
            (
                GradedArea("Overall", None),
                GradedArea("Managing offenders", "Adequate", "B is adequate.", ("Managing offenders",), 9),
            ),
        ),
    )
    citations = {
        ("a", "Overall"): "PEEL 2015, A Police — Overall — p. 3",
        ("b", "Managing offenders"): "PEEL 2021/22, B Police — Managing offenders — p. 9",
    }
    html = ui_render.matrix_html(GradesMatrix(columns, rows), citations)
    cells = re.findall(r'<details class="ps-matrix-grade">(.*?)</details>', html)
    assert len(cells) == 3
    good = cells[0]
    assert (
        '<summary title="Show the sentence this grade comes from"><span class="ps-grade ps-grade-good">'
        in good
    )
    assert "“A is &lt;good&gt;.”" in good and "PEEL 2015, A Police — Overall — p. 3" in _plain(good)
    assert "ps-grade-adequate" in cells[2] and "Managing offenders — p. 9" in _plain(cells[2])
    assert "does not state a grade" in cells[1]
    assert html.count('class="ps-matrix-empty"') == 1  # report a has no "Managing offenders"
    assert re.findall(r'<th scope="row">([^<]+)</th>', html) == ["A Police 2015", "B Police 2021/22"]


def test_compare_html_puts_reports_side_by_side_and_says_where_one_has_nothing():
    result = CompareResult(
        "risk",
        (
            CompareRow(
                ReportMeta("a", "a.txt", "A Police", "PEEL", "Police effectiveness", "2015", 2015), _hit("a")
            ),
            CompareRow(
                ReportMeta("b", "b.txt", "B Police", period="2016"),
                None,
                "nothing in this report answers this",
            ),
        ),
    )
    html = ui_render.compare_html(result, {"risk"}, {}, lambda label: "Other")
    cells = re.findall(r'<section class="ps-compare-cell" data-report="(\w)">(.*?)</section>', html)
    assert [c[0] for c in cells] == ["a", "b"]
    assert "A Police 2015 (effectiveness)" in cells[0][1] and 'class="ps-card"' in cells[0][1]
    assert '<div class="ps-compare-none">Nothing in this report answers this.</div>' in cells[1][1]
    assert 'class="ps-card"' not in cells[1][1]


# -- a small library, indexed with the hash embedder --------------------------------------------


def _build(root: Path, variants: list[Any]) -> SearchIndex:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    shutil.copy(BUNDLED, corpus / BUNDLED.name)
    for v in variants:
        (corpus / v.name).write_text(v.text, encoding="utf-8")
    build_index(corpus, root / "index", progress=quiet, embedder=HashEmbedder())
    loaded = SearchIndex.load(root / "index", corpus)
    loaded.use_embedder(HashEmbedder())
    return loaded


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> SearchIndex:
    variants = [
        make_variant(VariantSpec("Kent Police", 2016, fmt="2016", grades={"overall": "Inadequate"})),
        make_variant(VariantSpec("Merseyside Police", 2021, fmt="2021", drop=("serious_organised_crime",))),
    ]
    return _build(tmp_path_factory.mktemp("weblib"), variants)


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> SearchIndex:
    return _build(tmp_path_factory.mktemp("webone"), [])


@pytest.fixture(scope="module")
def handlers(library) -> Handlers:
    return Handlers(library)


def _component(app: gr.Blocks, elem_id: str) -> Any:
    return next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def _tab(app: gr.Blocks, tab_id: str) -> Any:
    return next(b for b in app.blocks.values() if isinstance(b, gr.Tab) and b.id == tab_id)


def test_selectors_and_compare_show_only_with_several_reports(library, single):
    many = build_app(library)
    assert _component(many, "ps-scope").visible and _tab(many, "compare").visible
    reports = _component(many, "ps-scope-reports")
    assert [value for _, value in reports.choices] == [m.report_id for m in library.metas]
    assert [v for _, v in _component(many, "ps-scope-forces").choices] == [
        "West Midlands Police",
        "Kent Police",
        "Merseyside Police",
    ]
    assert [v for _, v in _component(many, "ps-scope-years").choices] == ["2015", "2016", "2021"]
    one = build_app(single)
    assert not _component(one, "ps-scope").visible and not _tab(one, "compare").visible
    h = Handlers(single)
    assert "ps-matrix" not in h.grades_view() and 'class="ps-judgments"' in h.grades_view()
    assert len(h.map_rows()[0]) == 5  # no report column


def test_the_header_names_the_library(library, single):
    from peel_search.web.ui import _header

    assert "3 reports on 3 forces, 2015–2021" in _header(library)
    assert "PEEL: Police effectiveness 2015 — West Midlands Police" in _header(single)


def test_filters_narrow_every_tab(handlers, library):
    everywhere = handlers.api_search(THRIVE, 30)
    assert len({r for h in everywhere["hits"] for r in h["reports"]}) == 3
    kent = handlers.api_search(THRIVE, 10, forces=["kent"])
    assert kent["hits"] and {h["report_id"] for h in kent["hits"]} == {KENT_ID}
    assert all(h["citation"].split(" — ")[0].endswith("2016, Kent Police") for h in kent["hits"])
    by_year = handlers.api_search(THRIVE, 10, years="2015")
    assert {h["report_id"] for h in by_year["hits"]} == {BUNDLED_ID}
    by_id = handlers.api_search(THRIVE, 10, reports=[BUNDLED_ID, KENT_ID])
    assert {h["report_id"] for h in by_id["hits"]} <= {BUNDLED_ID, KENT_ID}
    html = handlers.ask(THRIVE, 5, None, "", "", None, ["Kent Police"], None)
    assert html.count('class="ps-card"') == 5 and _plain(html).count("Kent Police —") >= 5
    assert "West Midlands Police —" not in _plain(html)

    passages = handlers.api_browse([], "missing", "", forces="Kent")
    assert passages and {p["report_id"] for p in passages} == {KENT_ID}
    browse_html = handlers.browse([], "missing", "", None, "Kent", None)
    assert browse_html.count('class="ps-card"') == len(passages)

    kent_entities = {e["filter"]: e["passages"] for e in handlers.api_entities("places", forces="Kent")}
    all_entities = {e["filter"]: e["passages"] for e in handlers.api_entities("places")}
    assert kent_entities and all(n <= all_entities[f] for f, n in kent_entities.items())
    table, _ = handlers.facets("Places", None, ["Kent Police"], None)
    assert sum(r[2] for r in table) == sum(kent_entities.values())

    assert {s["report_id"] for s in handlers.api_sections(years=["2021"])} == {library.metas[2].report_id}
    assert {j["report_id"] for j in handlers.api_judgments(forces="Kent")} == {KENT_ID}
    claim = handlers.check_claim("missing children", 3, None, ["Kent"], None)
    assert "Kent Police —" in _plain(claim) and "West Midlands Police —" not in _plain(claim)


def test_choosing_reports_redraws_the_tabs(handlers, library):
    status, grades, area, table, chart, rows = handlers.scope_changed(None, ["Kent"], None, "All")
    assert status == ""
    assert 'class="ps-judgments"' in grades and "Inadequate" in grades  # one report: its table
    assert {label for label, _ in area["choices"]} and all("Kent" in label for label, _ in area["choices"])
    assert table and len(chart) <= 15
    assert rows and {r[1] for r in rows} == {"Kent Police 2016"}
    everything = handlers.scope_changed([], [], [], "All")
    assert 'class="ps-matrix"' in everything[1] and len(everything[5]) > len(rows)
    # a choice that matches no report: one message, and the tabs emptied, not left stale
    status, grades, area, table, chart, rows_none = handlers.scope_changed(None, ["Kent"], ["2015"], "All")
    assert "No report matches all of force Kent and year 2015" in refusal(status)
    assert "peel-search" not in status and "No report in scope" in grades
    assert area["choices"] == [] and table == [] and len(chart) == 0 and rows_none == []
    # the map's rows keep their numbers, so clicking one still opens its section
    kent_row = next(r for r in rows if r[2].strip().startswith("How effective"))
    html = handlers.select_section(gr.SelectData(None, {"index": [0, 2], "value": "", "row_value": kent_row}))
    assert 'class="ps-card"' in html and "Kent Police" in html


def test_evidence_for_one_report_of_the_library(handlers, library):
    said = refusal(handlers.show_evidence("vulnerable"))
    assert re.search("matches a judgment in 3 reports", said, re.I)
    one_line(said)
    html = handlers.show_evidence("vulnerable", None, ["Kent"], None)
    assert "Summary of findings" in html and "Kent Police" in html and "West Midlands Police —" not in html
    (label, key), *_ = [c for c in handlers.scope_changed(None, ["Merseyside"], None)[2]["choices"]]
    assert key.startswith(library.metas[2].report_id) and "Merseyside" in label
    assert "Merseyside Police" in _plain(handlers.show_evidence(key))
    evidence = handlers.api_evidence("overall", "", 3, forces="Kent")["evidence"]
    assert evidence["judgment"]["report_id"] == KENT_ID and evidence["judgment"]["grade"] == "Inadequate"
    assert all(h["report_id"] == KENT_ID for h in evidence["supporting"])


BAD_SCOPES = [
    ({"forces": ["Atlantis Constabulary"]}, "no report about a force named like 'Atlantis Constabulary'"),
    ({"years": "1999"}, "no report from 1999: the index has reports from 2015, 2016, 2021"),
    ({"years": "last year"}, "a year is four digits"),
    ({"reports": ["nope"]}, "no report 'nope' in the index"),
    ({"forces": "Kent", "years": "2015"}, "no report matches all of"),
    ({"forces": {"a": 1}}, "a report filter must be text or a list"),
]


@pytest.mark.parametrize(("scope", "message"), BAD_SCOPES)
@pytest.mark.parametrize("endpoint", ["search", "compare", "grades", "browse", "evidence", "ask", "map"])
def test_a_bad_report_force_or_year_gives_a_one_line_message(handlers, endpoint, scope, message):
    calls = {
        "search": lambda: handlers.api_search("risk", 3, **scope),
        "compare": lambda: handlers.api_compare("risk", **scope),
        "grades": lambda: handlers.api_grades(**scope),
        "browse": lambda: handlers.api_browse(["GPE:Wolverhampton"], **scope),
        "evidence": lambda: handlers.api_evidence("overall", **scope),
        "ask": lambda: handlers.ask(
            "risk", 3, None, "", "", scope.get("reports"), scope.get("forces"), scope.get("years")
        ),
        "map": lambda: handlers.scope_changed(scope.get("reports"), scope.get("forces"), scope.get("years")),
    }
    if endpoint == "ask":  # shown in the page, where the results would be
        said = refusal(calls[endpoint]())
    elif endpoint == "map":  # once, in the status line over the tabs
        said = refusal(calls[endpoint]()[0])
    else:
        with pytest.raises(gr.Error) as err:
            calls[endpoint]()
        said = err.value.message
    assert message.casefold() in said.casefold() and "peel-search" not in said
    one_line(said)


def test_compare_gives_one_row_per_report(handlers, library):
    out = handlers.api_compare(THRIVE)
    assert [r["report"]["report_id"] for r in out["rows"]] == [m.report_id for m in library.metas]
    for row in out["rows"]:
        assert row["hit"]["report_id"] == row["report"]["report_id"]
        assert row["hit"]["citation"].split(" — ")[0].endswith(", " + row["report"]["force"])
    two = handlers.api_compare(THRIVE, forces=["Kent", "Merseyside"])
    assert [r["report"]["force"] for r in two["rows"]] == ["Kent Police", "Merseyside Police"]
    nothing = handlers.api_compare("what is the capital city of Peru?")
    assert all(r["hit"] is None and r["note"] for r in nothing["rows"])
    html = handlers.compare(THRIVE)
    assert html.count('class="ps-compare-cell"') == 3 and html.count('class="ps-card"') == 3
    empty = handlers.compare("what is the capital city of Peru?")
    assert empty.count('class="ps-compare-none"') == 3 and 'class="ps-card"' not in empty
    assert re.search("the query is empty", refusal(handlers.compare("  ")), re.I)


def test_grades_matrix_in_the_evidence_tab_and_as_json(handlers, library):
    html = handlers.grades()
    assert 'class="ps-matrix"' in html
    assert re.findall(r'<th scope="row">([^<]+)</th>', html) == [m.label for m in library.metas]
    sources = re.findall(r'<div class="ps-matrix-source">(.*?)</div></details>', html)
    assert sources and all("ps-sentence" in s and "ps-cite" in s for s in sources)
    assert any("Kent Police — " in _plain(s) and "“" in s for s in sources)
    data = handlers.api_grades()
    assert data["columns"][0]["key"] == "overall"
    kent = next(r for r in data["rows"] if r["report_id"] == KENT_ID)
    overall = kent["cells"][0]
    assert overall["grade"] == "Inadequate" and overall["sentence"]
    assert overall["citation"].split(" — ")[0].endswith("2016, Kent Police")
    assert f"p. {overall['page']}" in overall["citation"]
    merseyside = data["rows"][2]
    assert merseyside["cells"][0]["grade"] is None  # the 2021 format grades no overall judgment
    organised = [c["key"] for c in data["columns"]].index("serious_organised_crime")
    assert merseyside["cells"][organised] is None and kent["cells"][organised]["grade"]  # left out
    json.dumps(data)


def test_text_repeated_across_reports_is_one_card_naming_the_others(handlers):
    result = handlers.api_search(THRIVE, 5)
    shared = next(h for h in result["hits"] if len(h["reports"]) > 1)
    assert len(shared["copies"]) >= len(shared["reports"]) - 1
    html = handlers.ask(THRIVE, 5)
    n = len(shared["reports"]) - 1
    assert f"<summary>Also in {n} other report{'s' if n > 1 else ''}</summary>" in html
    listed = re.search(r'<details class="ps-copies">.*?</details>', html).group()
    for copy in shared["copies"]:
        assert copy["citation"] in _plain(listed)


def test_reports_endpoint(handlers, library):
    reports = handlers.api_reports()
    assert [r["report_id"] for r in reports] == [m.report_id for m in library.metas]
    assert {r["force"] for r in reports} == {"West Midlands Police", "Kent Police", "Merseyside Police"}


# -- the live server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(library) -> Iterator[str]:
    with serving(library) as url:
        yield url


def test_compare_through_gradio_client(served, library):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(served, verbose=False)
    named = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/compare", "/grades", "/reports", "/search"} <= set(named)
    out = client.submit(query=THRIVE, api_name="/compare").result(timeout=60)
    assert [r["report"]["report_id"] for r in out["rows"]] == [m.report_id for m in library.metas]
    narrowed = client.submit(query=THRIVE, forces=["Kent"], api_name="/compare").result(timeout=60)
    assert [r["report"]["force"] for r in narrowed["rows"]] == ["Kent Police"]
    found = client.submit(query=THRIVE, k=5, years=["2021"], api_name="/search").result(timeout=60)
    assert {h["report_id"] for h in found["hits"]} == {library.metas[2].report_id}
    with pytest.raises(AppError, match="no report about a force named like"):
        client.submit(query=THRIVE, forces=["Atlantis"], api_name="/compare").result(timeout=60)


def test_json_routes_take_report_filters(served, library):
    get = httpx.get(f"{served}/api/search", params=[("q", THRIVE), ("k", "5"), ("force", "Kent")], timeout=60)
    assert get.status_code == 200 and {h["report_id"] for h in get.json()["hits"]} == {KENT_ID}
    both = httpx.get(
        f"{served}/api/search",
        params=[("q", THRIVE), ("k", "10"), ("year", "2015"), ("year", "2016")],
        timeout=60,
    ).json()
    assert {h["report_id"] for h in both["hits"]} <= {BUNDLED_ID, KENT_ID}
    post = httpx.post(
        f"{served}/api/search", json={"query": THRIVE, "k": 3, "forces": "Merseyside"}, timeout=60
    )
    assert post.status_code == 200 and {h["report_id"] for h in post.json()["hits"]} == {
        library.metas[2].report_id
    }

    compared = httpx.get(f"{served}/api/compare", params={"q": THRIVE}, timeout=60)
    assert compared.status_code == 200
    assert [r["report"]["report_id"] for r in compared.json()["rows"]] == [m.report_id for m in library.metas]
    posted = httpx.post(
        f"{served}/api/compare", json={"query": THRIVE, "reports": [KENT_ID, BUNDLED_ID]}, timeout=60
    ).json()
    assert [r["report"]["report_id"] for r in posted["rows"]] == [BUNDLED_ID, KENT_ID]

    reports = httpx.get(f"{served}/api/reports", timeout=60).json()["reports"]
    assert [r["report_id"] for r in reports] == [m.report_id for m in library.metas]


@pytest.mark.parametrize(
    ("method", "route", "params", "message"),
    [
        (
            "get",
            "/api/search",
            {"q": "risk", "force": "Atlantis"},
            "no report about a force named like 'Atlantis'",
        ),
        (
            "get",
            "/api/compare",
            {"q": "risk", "force": "Atlantis"},
            "no report about a force named like 'Atlantis'",
        ),
        ("get", "/api/compare", {"q": "risk", "year": "20x5"}, "a year is four digits"),
        ("get", "/api/compare", {"q": ""}, "the query is empty"),
        ("post", "/api/search", {"query": "risk", "forces": 7.5}, "a report filter must be text or a list"),
        ("post", "/api/compare", {"query": "risk", "k": 3}, "send a JSON object with query"),
        ("post", "/api/compare", {"query": "risk", "reports": ["nope"]}, "no report 'nope' in the index"),
    ],
)
def test_bad_filters_over_http_give_a_one_line_400(served, method, route, params, message):
    if method == "get":
        response = httpx.get(f"{served}{route}", params=params, timeout=60)
    else:
        response = httpx.post(f"{served}{route}", json=params, timeout=60)
    assert response.status_code == 400, response.text[:300]
    error = response.json()["error"]
    assert message in error, error
    one_line(error)
