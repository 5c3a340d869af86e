"""The web app: every handler called directly, then the app served in-process and driven
through its named endpoints with gradio_client."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator

import gradio as gr
import pytest

from fakes import refusal, serving
from peel_search.errors import BusyError
from peel_search.types import Chunk, Entity, Hit, SearchResult
from peel_search.web import render as ui_render
from peel_search.web.page import Admission
from peel_search.web.server import gradio_settings
from peel_search.web.ui import QUEUE_SIZE, Handlers, build_app

THRIVE_QUESTION = "what does THRIVE stand for"
THRIVE_TEXT = "THRIVE (Threat, Risk, Harm"
ENDPOINTS = (
    "/search",
    "/compare",
    "/judgments",
    "/grades",
    "/evidence",
    "/entities",
    "/browse",
    "/sections",
    "/figures",
    "/reports",
)


def _plain(html: str) -> str:
    """The text a reader sees: tags dropped, entities unescaped."""
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))


def _hit(text: str, best: tuple[int, int] = (0, 0), **chunk: object) -> Hit:
    fields: dict[str, object] = {
        "id": "c1",
        "report_id": "r",
        "kind": "text",
        "text": text,
        "section": ("A", "B"),
        "page": 3,
        "paragraph": 2,
        "start": 0,
        "end": len(text),
        "spans": ((0, len(text)),),
    }
    fields.update(chunk)
    return Hit(1, Chunk(**fields), 0.5, "Report, Force — A › B — p. 3, ¶ 2", text[best[0] : best[1]], best)


# -- pure rendering (no models) --------------------------------------------------------------


def test_report_text_is_escaped():
    hit = _hit(
        '<script>alert("x")</script> & risk',
        (0, 8),
        entities=(Entity("<b>ORG</b>", "ORG", 0, 3, ""),),
        footnotes=(1,),
    )
    html = ui_render.hit_card(hit, {"risk"}, {}, lambda label: "Organisations", [(1, "<img src=x>")])
    assert "<script>" not in html and "<img" not in html and "<b>ORG" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x&gt;" in html
    assert '<mark class="ps-term">risk</mark>' in html


def test_citation_html_keeps_the_exact_citation_text():
    citation = "PEEL 2015, West Midlands Police — Intro › Part — p. 10, ¶ 2"
    assert _plain(ui_render.citation_html(citation)) == citation
    assert 'data-cite="PEEL 2015, West Midlands Police — Intro › Part — p. 10, ¶ 2"' in ui_render.copy_button(
        citation
    )


def test_copy_button_escapes_quotes_in_the_citation():
    html = ui_render.copy_button('A "quoted" <heading>')
    assert 'data-cite="A &quot;quoted&quot; &lt;heading&gt;"' in html


def test_passage_marks_best_sentence_and_terms():
    text = "First sentence. The force assesses risk well. Last one."
    html = ui_render.passage_html(text, (16, 45), {"risk"})
    assert html == (
        'First sentence. <span class="ps-best">The force assesses '
        '<mark class="ps-term">risk</mark> well.</span> Last one.'
    )
    assert ui_render.passage_html(text, (5, 500), set()) == text


def test_weak_result_says_so_plainly_above_the_hits():
    hit = _hit("Something nearby.", (0, 17))
    weak = ui_render.result_html(SearchResult("q", (hit,), False, ("the query was cut",)), set(), {}, str)
    strong = ui_render.result_html(SearchResult("q", (hit,), True), set(), {}, str)
    assert ui_render.NOT_ANSWERED in weak and ui_render.NOT_ANSWERED not in strong
    assert weak.index("The query was cut") < weak.index(ui_render.NOT_ANSWERED) < weak.index("ps-card")
    empty = ui_render.result_html(
        SearchResult("q", (), False, ("no passage matches all the filters",)), set(), {}, str
    )
    assert "No passage matches all the filters." in empty and "ps-card" not in empty


def test_judgments_table_colours_each_grade():
    rows = [
        {"area": "Overall", "grade": "Good", "sentence": "It is <good>.", "citation": "R — A — p. 3"},
        {"area": "Q2", "grade": None, "sentence": "", "citation": "R — Q2 — p. 20"},
        {"area": "Q3", "grade": "Requires improvement", "sentence": "RI.", "citation": "R — Q3 — p. 30"},
    ]
    html = ui_render.judgments_table(rows)
    assert 'class="ps-grade ps-grade-good">Good<' in html
    assert 'class="ps-grade ps-grade-ri">Requires improvement<' in html
    assert "does not state a grade" in html and "&lt;good&gt;" in html


# -- handlers, called directly ------------------------------------------------------------------


@pytest.fixture(scope="module")
def handlers(index) -> Handlers:
    return Handlers(index)


@pytest.mark.models
def test_build_app_returns_blocks_without_launching(index):
    app = build_app(index)
    assert isinstance(app, gr.Blocks) and not app.is_running
    names = {f"/{fn.api_name}" for fn in app.fns.values() if fn.api_visibility == "public"}
    assert names == set(ENDPOINTS)
    assert app._queue.max_size == QUEUE_SIZE


@pytest.mark.models
def test_ask_returns_cited_cards(handlers, index):
    html = handlers.ask(THRIVE_QUESTION, 5)
    first = index.search(THRIVE_QUESTION, k=5).hits[0]
    assert html.count('class="ps-card"') == 5
    assert ui_render.citation_html(first.citation) in html
    assert (
        THRIVE_TEXT in _plain(html)
        and 'class="ps-best"' in html
        and '<mark class="ps-term">THRIVE</mark>' in html
    )
    assert "Threat, Risk, Harm, Investigation, Vulnerability, Engagement" in html  # the acronym's chip


@pytest.mark.models
def test_ask_with_filters(handlers):
    html = handlers.ask("partnership working", 30, ["GPE:Wolverhampton"], "", "")
    assert 0 < html.count('class="ps-card"') <= 8
    html = handlers.ask("digital evidence", 3, [], "How well does the force gather digital evidence?", "")
    assert html.count("How well does the force gather digital evidence?") >= 3
    html = handlers.ask("risk", 5, None, None, "vulnerable")
    assert html.count('class="ps-card"') == 5


@pytest.mark.models
def test_ask_shows_the_weak_evidence_flag_as_search_reports_it(handlers, index):
    question = "how many cats live at the Birmingham zoo"
    html = handlers.ask(question, 3)
    assert (ui_render.NOT_ANSWERED in html) == (not index.search(question, k=3).in_report)


@pytest.mark.models
def test_ask_shows_notices(handlers):
    html = handlers.ask("risk " * 400, 2)
    assert "The query was cut" in html


@pytest.mark.models
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 5), "the query is empty"),
        (("   \x00 ", 5), "the query is empty"),
        ((None, 5), "the query is empty"),
        (("risk", 0), "k must be a whole number"),
        (("risk", "ten"), "k must be a whole number"),
        (("risk", 5, ["NOPE:thing"]), "unknown entity label"),
        (("risk", 5, [], "no such heading anywhere"), "no section heading contains"),
        (("risk", 5, [], "", "tea and biscuits"), "no judgment area matches"),
    ],
)
def test_ask_bad_input_gives_a_message(handlers, args, message):
    assert re.search(message, refusal(handlers.ask(*args)), re.I)


def test_admission_turns_away_what_it_cannot_hold():
    gate = Admission(running=1, waiting=1)
    entered = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with gate:
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(10)
    waiter = threading.Thread(target=lambda: gate.__enter__() or gate.__exit__())
    waiter.start()  # the one waiting place: blocked until the holder leaves
    time.sleep(0.1)
    with pytest.raises(BusyError, match="busy"), gate:
        pass
    release.set()
    holder.join(10)
    waiter.join(10)
    assert not waiter.is_alive()
    with gate:  # both places free again
        pass


@pytest.mark.models
def test_ask_outside_the_queue_says_busy_when_full(index):
    full = Handlers(index, running=1, waiting=0)
    with full.admission:
        html = full.ask("risk", 3)
    assert "busy" in refusal(html).lower()
    assert "ps-card" in full.ask("risk", 3)


@pytest.mark.models
def test_evidence_for_a_judgment(handlers):
    assert "Choose a question" in handlers.show_evidence(None)
    html = handlers.show_evidence(
        "How effective is the force at tackling serious and organised crime, "
        "including its arrangements for fulfilling its national policing responsibilities?"
    )
    for part in (
        "Summary of findings",
        "Areas for improvement",
        "Strongest supporting passages",
        "ps-grade-good",
    ):
        assert part in html
    html = handlers.show_evidence("vulnerable")
    assert "Requires improvement" in html and "lists no areas for improvement" in html
    assert re.search("no judgment area matches", refusal(handlers.show_evidence("nothing like this")), re.I)


@pytest.mark.models
def test_check_claim(handlers):
    html = handlers.check_claim("the force is slow to arrest domestic abuse suspects")
    assert html.count('class="ps-card"') == 6 and "domestic abuse" in _plain(html).lower()
    assert re.search("the query is empty", refusal(handlers.check_claim("  ")), re.I)


@pytest.mark.models
def test_facets(handlers):
    rows, chart = handlers.facets("Places")
    assert rows and {r[0] for r in rows} == {"Places"}
    assert ["Places", "Wolverhampton", 8, ""] in rows
    assert list(chart.columns) == ["entity", "passages"] and len(chart) <= 15
    terms, _ = handlers.facets("Policing terms")
    assert [
        "Policing terms",
        "THRIVE",
        1,
        "Threat, Risk, Harm, Investigation, Vulnerability, Engagement",
    ] in terms
    everything, _ = handlers.facets("All")
    assert len(everything) > len(rows)
    with pytest.raises(gr.Error, match="unknown entity type"):
        handlers.facets("spaceships")


@pytest.mark.models
def test_browse_lists_passages_in_report_order(handlers, index):
    assert "Choose one or more entities" in handlers.browse(None, "", "")
    html = handlers.browse(["GPE:Wolverhampton"], "", "")
    cards = html.split('class="ps-card"')[1:]
    assert len(cards) == 8 and all("Wolverhampton" in c for c in cards)
    narrowed = handlers.browse(["GPE:Wolverhampton"], "shoplifting", "")
    assert (
        0 < narrowed.count('class="ps-card"') < 8 and '<mark class="ps-term">shoplifters</mark>' in narrowed
    )
    in_section = handlers.browse(
        ["GPE:Wolverhampton"], "", "How well does the force gather digital evidence?"
    )
    assert in_section.count('class="ps-card"') == 1
    assert "No passage mentions all of these" in handlers.browse(
        ["GPE:Wolverhampton", "GPE:Solihull"], "", ""
    )
    assert re.search("unknown entity label", refusal(handlers.browse(["XYZ:Wolverhampton"], "", "")), re.I)
    assert re.search(
        "only common words", refusal(handlers.browse(["GPE:Wolverhampton"], "the of and", "")), re.I
    )


@pytest.mark.models
def test_clicking_an_entity_row_adds_it(handlers):
    event = gr.SelectData(
        None, {"index": [2, 1], "value": "Wolverhampton", "row_value": ["Places", "Wolverhampton", 8, ""]}
    )
    assert handlers.add_entity(None, event) == ["GPE:Wolverhampton"]
    assert handlers.add_entity(["GPE:Wolverhampton"], event) == ["GPE:Wolverhampton"]
    unknown = gr.SelectData(None, {"index": [0, 0], "value": "x", "row_value": ["Nope", "x", 1, ""]})
    assert handlers.add_entity(["ORG:HMIC"], unknown) == ["ORG:HMIC"]


@pytest.mark.models
def test_report_map(handlers):
    rows = handlers.map_rows()
    digital = next(r for r in rows if r[1].strip() == "How well does the force gather digital evidence?")
    assert digital[2:4] == [24, 5]
    overall = next(r for r in rows if r[1].strip() == "Overall judgment")
    assert overall[4] == "Good"
    html = handlers.select_section(gr.SelectData(None, {"index": [0, 1], "value": "", "row_value": digital}))
    assert html.count('class="ps-card"') == 5 and "p. 24" in html
    for bad in ("x", None, 10_000):
        assert re.search("no section number", refusal(handlers.section_passages(bad)), re.I)


@pytest.mark.models
def test_json_endpoints_directly(handlers):
    result = handlers.api_search(THRIVE_QUESTION, 3)
    assert THRIVE_TEXT in result["hits"][0]["text"] and len(result["hits"]) == 3
    assert all("footnote_texts" in h for h in result["hits"])
    json.dumps(
        [
            result,
            handlers.api_judgments(),
            handlers.api_evidence("overall", "risk"),
            handlers.api_entities("ORG"),
            handlers.api_browse(["Wolverhampton"]),
            handlers.api_sections(),
            handlers.api_figures("rate"),
        ]
    )
    assert handlers.api_evidence("", "risk")["evidence"] is None
    with pytest.raises(gr.Error, match="give a judgment area"):
        handlers.api_evidence("", "")
    with pytest.raises(gr.Error, match="entities must be a list"):
        handlers.api_browse(42)  # type: ignore[arg-type]
    with pytest.raises(gr.Error, match="choose one or more entities"):
        handlers.api_browse([], "", "")


def test_unexpected_errors_give_a_short_message_not_a_trace(caplog):
    class Broken:
        def search(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("secret internals")

    h = Handlers.__new__(Handlers)
    h.index = Broken()
    shown = h.ask("risk", 5)  # in the page, where the results would be
    assert "secret" not in shown and "Something went wrong" in refusal(shown)
    with pytest.raises(gr.Error) as err:  # through the API, an error
        h.api_search("risk", 5)
    assert "secret" not in str(err.value) and "Something went wrong" in str(err.value)
    assert "secret internals" in caplog.text


def test_gradio_settings_are_safe(tmp_path):
    class FakeIndex:
        folder = tmp_path / "index"

    options = gradio_settings(FakeIndex())
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["show_error"] is False and options["ssr_mode"] is False
    assert options["allowed_paths"] == [] and str((tmp_path / "index").resolve()) in options["blocked_paths"]
    assert options["run_history"] is False and options["enable_monitoring"] is False
    assert options["mcp_server"] is False and options["max_file_size"]
    assert gradio_settings(FakeIndex(), host="0.0.0.0", port=8000)["server_name"] == "0.0.0.0"


# -- the app served in-process, driven through gradio_client ------------------------------------


@pytest.fixture(scope="module")
def served(index) -> Iterator[tuple[str, gr.Blocks]]:
    app = build_app(index)
    with serving(index, app) as url:
        yield url, app
    assert not app.is_running


@pytest.fixture(scope="module")
def client(served):
    from gradio_client import Client

    return Client(served[0], verbose=False)


@pytest.mark.models
def test_served_on_localhost_with_named_endpoints(served, client):
    assert served[0].startswith("http://127.0.0.1:")
    named = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(named) == set(ENDPOINTS)


@pytest.mark.models
def test_search_endpoint(client):
    result = client.predict(query=THRIVE_QUESTION, k=5, api_name="/search")
    assert THRIVE_TEXT in result["hits"][0]["text"]
    assert result["hits"][0]["citation"] and result["in_report"] in (True, False)
    filtered = client.predict("partnership", 10, ["GPE:Wolverhampton"], "", "", api_name="/search")
    assert filtered["hits"] and all("Wolverhampton" in h["text"] for h in filtered["hits"])


@pytest.mark.models
def test_judgments_endpoint(client):
    rows = client.predict(api_name="/judgments")
    grades = {r["area"]: r["grade"] for r in rows}
    assert grades["Overall"] == "Good"
    vulnerable = next(r for r in rows if "vulnerable" in r["area"])
    assert vulnerable["grade"] == "Requires improvement" and vulnerable["citation"]


@pytest.mark.models
def test_evidence_endpoint(client):
    out = client.predict(
        area="vulnerable",
        claim="the force is slow to arrest domestic abuse suspects",
        k=3,
        api_name="/evidence",
    )
    assert out["evidence"]["judgment"]["grade"] == "Requires improvement"
    assert out["evidence"]["summary"] and len(out["evidence"]["supporting"]) <= 3
    assert out["claim"]["hits"]


@pytest.mark.models
def test_entities_and_browse_endpoints(client):
    places = client.predict(label="places", api_name="/entities")
    assert {p["group"] for p in places} == {"Places"}
    wolverhampton = next(p for p in places if p["name"] == "Wolverhampton")
    hits = client.predict(entities=[wolverhampton["filter"]], api_name="/browse")
    assert len(hits) == wolverhampton["passages"] == 8
    assert all("Wolverhampton" in h["text"] for h in hits)
    assert [h["start"] for h in hits] == sorted(h["start"] for h in hits)
    plain = client.predict(entities=["Wolverhampton"], api_name="/browse")
    assert [h["id"] for h in plain] == [h["id"] for h in hits]


@pytest.mark.models
def test_sections_endpoint(client):
    sections = client.predict(api_name="/sections")
    digital = next(s for s in sections if s["heading"] == "How well does the force gather digital evidence?")
    assert digital["page"] == 24 and digital["passages"] == 5


@pytest.mark.models
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "", "api_name": "/search"}, "the query is empty"),
        ({"query": "risk", "k": 0, "api_name": "/search"}, "k must be a whole number"),
        ({"area": "tea", "api_name": "/evidence"}, "no judgment area matches"),
        ({"label": "spaceships", "api_name": "/entities"}, "unknown entity type"),
        ({"entities": ["FOO:bar"], "api_name": "/browse"}, "unknown entity label"),
    ],
)
def test_bad_input_through_the_api_gives_the_message(client, kwargs, message, capfd, caplog):
    from gradio_client.exceptions import AppError

    caplog.set_level("INFO", logger="peel_search.web")
    with pytest.raises(AppError, match=message):
        client.predict(**kwargs)
    assert "Traceback" not in capfd.readouterr().err  # the server's log: one line, no trace
    assert any(message in r.getMessage() and not r.exc_info for r in caplog.records)


@pytest.mark.models
def test_index_and_repo_files_are_not_served(served, index):
    import httpx

    url = served[0]
    manifest = index.folder.resolve() / "manifest.json"
    assert manifest.exists()
    for path in (
        f"/gradio_api/file={manifest}",
        f"/file={manifest}",
        "/gradio_api/file=/etc/passwd",
        f"/gradio_api/file={index.folder.resolve().parent}",
        "/gradio_api/file=pyproject.toml",
    ):
        response = httpx.get(url + path)
        assert response.status_code in (403, 404), path
    assert httpx.get(url + "/").status_code == 200
