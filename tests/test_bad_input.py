"""Bad input at every entry point: one table of inputs, each with its expected outcome, run
through the Python API, the command line, the web app's handlers and its live JSON endpoints.

An outcome is either a clean refusal (a :class:`QueryError` in Python, exit code 2 with one
line on stderr from the CLI, ``gr.Error`` from a handler, an ``AppError`` through
``gradio_client``) carrying the same message everywhere, or a well-formed result (possibly
empty, with a notice saying why). Never a traceback, a hang or a dead server.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from fakes import refusal, serving
from peel_search.errors import QueryError
from peel_search.retrieve.request import MAX_QUERY_CHARS
from peel_search.types import SearchResult
from peel_search.web.ui import Handlers

pytestmark = pytest.mark.models


@pytest.fixture(scope="module", autouse=True)
def one_thread_per_query():
    """As the server runs queries (see ``server.serve``): one torch thread each. On a busy
    machine, OpenMP threads waiting for a core make a query many times slower."""
    import torch

    from peel_search.models import set_query_threads

    before = torch.get_num_threads()
    set_query_threads(1)
    yield
    set_query_threads(before)


MB = 1024 * 1024
EMPTY = "the query is empty"
BAD_K = "k must be a whole number of at least 1"
CUT = rf"the query was cut to its first \d+ characters \(the limit is {MAX_QUERY_CHARS}\)"
NO_MATCH = "no passage matches all the filters"


@dataclass(frozen=True)
class Case:
    """One input and its outcome: ``error`` (a regex for the one-line message), or a result
    with at most ``k`` hits, no hits at all when ``empty``, and a notice matching ``notice``."""

    id: str
    query: str = "how does the force assess risk?"
    k: Any = 5
    entities: tuple[str, ...] = ()
    section: str | None = None
    judgment: str | None = None
    error: str | None = None
    empty: bool = False
    notice: str | None = None


CASES = [
    # -- the query ---------------------------------------------------------------------------
    Case("empty", "", error=EMPTY),
    Case("whitespace only", " \t\n\r\u00a0\u3000 ", error=EMPTY),
    Case("1 MB of words", "risk assessment " * (MB // 16), notice=CUT),
    Case("1 MB without a space", "x" * MB, notice=CUT),
    Case("just over the limit", "risk " * (MAX_QUERY_CHARS // 5 + 1), notice=CUT),
    Case("punctuation only", "?!.,;:-–—()[]{}'\"…"),
    Case("stopwords only", "the of and to a in is it that"),
    Case("NUL inside", "risk\x00assessment"),
    Case("control characters only", "\x00\x01\x07\x08\x1b\x7f\x9f", error=EMPTY),
    Case("terminal escape codes", "\x1b[31mrisk\x1b[0m \x1b]0;title\x07"),
    Case("lone surrogates inside", "risk \ud800 assessment \udfff"),
    Case("lone surrogates only", "\udfff\udc80\ud800", error=EMPTY),  # no high-low pair
    Case("right-to-left script", "كيف تقيم الشرطة المخاطر؟"),
    Case("bidi override", "\u202eksir\u202c \u2067risk\u2069"),
    Case("zero-width inside", "ri\u200bsk\u200d assess\ufeffment"),
    Case("zero-width only", "\u200b\u200c\u200d\u2060\ufeff", error=EMPTY),
    Case("emoji", "🚓 risk to 👮‍♀️ missing children 🧒🏽"),
    Case("emoji only", "🚓🚨👮"),
    Case("mixed scripts", "risk риск 風險 خطر κίνδυνος जोखिम"),
    Case("combining marks", "ri\u0301\u0301\u0301sk" + "\u0300" * 200),
    Case("a file path", "/etc/passwd"),
    Case("a relative path", "../../index/manifest.json"),
    Case("a Windows path", "..\\..\\.env"),
    Case("a URL", "http://127.0.0.1:7860/gradio_api/file=/etc/passwd"),
    Case("HTML and script", "<script>alert(1)</script><img src=x onerror=alert(2)>"),
    Case("SQL injection", "'; DROP TABLE chunks; --"),
    Case("template and format strings", "{0} %s %(x)s ${HOME} {{7*7}}"),
    Case("an option name", "--help"),
    # -- entity filters ----------------------------------------------------------------------
    Case("entity: quote or 1==1", entities=('" or 1==1',), empty=True, notice=NO_MATCH),
    Case("entity: SQL tautology", entities=("GPE:Wolverhampton' OR '1'='1",), empty=True, notice=NO_MATCH),
    Case("entity: label without text", entities=("ORG:",), error="has no text after the label"),
    Case("entity: label and spaces", entities=("GPE:   ",), error="has no text after the label"),
    Case("entity: unknown label", entities=("NOSUCH:thing",), error="unknown entity label 'NOSUCH'"),
    Case("entity: empty", entities=("",), error="an entity filter is empty"),
    Case("entity: colon only", entities=(":",), empty=True, notice=NO_MATCH),
    Case("entity: NUL inside", entities=("GPE:Wolver\x00hampton",), empty=True, notice=NO_MATCH),
    Case("entity: lower-case label", entities=("gpe:Wolverhampton",)),
    Case("entity: valid", entities=("GPE:Wolverhampton",)),
    # -- section and judgment filters --------------------------------------------------------
    Case("section: unknown", section="no such heading anywhere", error="no section heading contains"),
    Case("section: quote or 1==1", section='" or 1==1 --', error="no section heading contains"),
    Case("section: regex", section=".*", error="no section heading contains"),
    Case("section: control characters only", section="\x00\x01", error="the section filter is empty"),
    Case("section: 1 MB", section="x" * MB, error="no section heading contains"),
    Case("section: valid", section="digital evidence"),
    Case("judgment: unknown", judgment="tea and biscuits", error="no judgment area matches"),
    Case("judgment: stopwords only", judgment="the of", error="the judgment filter is empty"),
    # -- k -----------------------------------------------------------------------------------
    Case("k zero", k=0, error=BAD_K),
    Case("k negative", k=-3, error=BAD_K),
    Case("k huge", k=10**12),
    Case("k not a number", k="ten", error=BAD_K),
    Case("k fractional", k=2.5, error=BAD_K),
    Case("k not a number (nan)", k=math.nan, error=BAD_K),
    Case("k infinite", k=math.inf, error=BAD_K),
    Case("k scientific notation", k="1e3", error=BAD_K),
]
IDS = [c.id for c in CASES]


def check_result(case: Case, result: dict[str, Any], size: int) -> None:
    """A well-formed result for ``case``: the shape of ``SearchResult.to_dict()``."""
    assert set(result) >= {"query", "in_report", "notices", "hits"}
    assert isinstance(result["in_report"], bool)
    assert len(result["query"]) <= MAX_QUERY_CHARS
    assert not re.search(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]", result["query"])
    hits = result["hits"]
    k = case.k if isinstance(case.k, int) else int(case.k)
    assert len(hits) <= min(k, size)
    if case.empty:
        assert hits == []
    else:
        assert hits, "expected passages"
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert all(h["citation"] and h["text"] for h in hits)
    if case.notice:
        assert any(re.fullmatch(case.notice, n) for n in result["notices"]), result["notices"]
    json.dumps(result)


def one_line(message: str) -> str:
    assert "\n" not in message.strip() and "Traceback" not in message
    return message


# -- the Python API -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_python_api(index, case):
    kwargs = {"k": case.k, "entities": case.entities, "section": case.section, "judgment": case.judgment}
    if case.error:
        with pytest.raises(QueryError, match=case.error) as err:
            index.search(case.query, **kwargs)
        one_line(str(err.value))
        return
    result = index.search(case.query, **kwargs)
    assert isinstance(result, SearchResult)
    check_result(case, result.to_dict(), index.size)


@pytest.mark.parametrize("query", [None, 42, b"risk", ["risk"], {"q": "risk"}])
def test_python_api_refuses_a_query_that_is_not_text(index, query):
    with pytest.raises(QueryError, match="the query must be text"):
        index.search(query)  # type: ignore[arg-type]


@pytest.mark.parametrize("k", [None, True, [5], "5.0"])
def test_python_api_refuses_k_that_is_not_a_whole_number(index, k):
    with pytest.raises(QueryError, match=BAD_K):
        index.search("risk", k=k)


def test_python_api_browse_and_entity_counts(index):
    with pytest.raises(QueryError, match="unknown entity label"):
        index.entity_counts("' OR 1=1")
    with pytest.raises(QueryError, match="only common words"):
        index.browse(entities=["GPE:Wolverhampton"], query="the of and")
    assert index.browse(entities=['" or 1==1']) == []
    with pytest.raises(QueryError, match="only common words"):
        index.browse(query="\x00\u200b🚓 " * 10)


# -- the command line (in-process; the index is the session's, handed over by ``_open``) --------


@pytest.fixture
def cli(monkeypatch, index, capsys):
    from peel_search import cli as cli_module

    monkeypatch.setattr(cli_module, "_open", lambda args: index)

    def run(case: Case) -> tuple[int, str, str]:
        argv = ["search", "--format", "json", "--k", str(case.k)]
        for spec in case.entities:
            argv += ["--entity", spec]
        if case.section is not None:
            argv += ["--section", case.section]
        if case.judgment is not None:
            argv += ["--judgment", case.judgment]
        code = cli_module.main([*argv, "--", case.query])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_command_line(cli, index, case):
    code, out, err = cli(case)
    assert "Traceback" not in err
    if case.error:
        assert code == 2
        assert out == ""
        (line,) = err.splitlines()
        assert line.startswith("peel-search: ") and re.search(case.error, line)
        return
    assert code == 0, err
    check_result(case, json.loads(out), index.size)
    assert all(line.startswith("peel-search: ") for line in err.splitlines())
    if case.notice:
        assert re.search(case.notice, err)


def test_command_line_queries_file_through_the_installed_script(tmp_path, built_index_dir, corpus_copy):
    """The real script, with the real index load: every query of the table that a text file can
    hold (lines cannot hold line breaks or lone surrogates) in one ``--queries`` file; one JSON
    line back for each, an error line for each refused one, exit code 2 because some were."""
    cases = [
        c
        for c in CASES
        if c.query.strip(" \t\u00a0\u3000")
        and not re.search(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029\ud800-\udfff]", c.query)
        and c == Case(c.id, c.query, error=c.error, notice=c.notice)
    ]
    assert len(cases) >= 20
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(c.query for c in cases) + "\n", encoding="utf-8")
    script = Path(sys.executable).parent / "peel-search"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(
        [
            str(script),
            *("search", "--queries", str(path), "--k", "3"),
            *("--index", str(built_index_dir), "--corpus", str(corpus_copy)),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == (2 if any(c.error for c in cases) else 0), proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == len(cases)
    for case, row in zip(cases, rows, strict=True):
        if case.error:
            assert re.search(case.error, row["error"]) and row["hits"] == [], case.id
        else:
            assert "error" not in row, (case.id, row)
            check_result(Case(case.id, case.query, k=3, notice=case.notice), row, 10**6)


# -- the web app's handlers, called directly ------------------------------------------------


@pytest.fixture(scope="module")
def handlers(index) -> Handlers:
    return Handlers(index)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_search_handler(handlers, index, case):
    args = (case.query, case.k, list(case.entities), case.section or "", case.judgment or "")
    if case.error:
        with pytest.raises(gr.Error, match=case.error) as err:
            handlers.api_search(*args)
        one_line(err.value.message)
        assert re.search(case.error, refusal(handlers.ask(*args)), re.I)
        return
    check_result(case, handlers.api_search(*args), index.size)
    html = handlers.ask(*args)
    assert "<script" not in html and "<img" not in html
    if case.notice and case.notice == CUT:
        assert "The query was cut" in html


OTHER_ENDPOINTS = [
    # (endpoint, kwargs, error regex or None for a well-formed result)
    ("evidence", {"area": "", "claim": ""}, "give a judgment area"),
    ("evidence", {"area": '" or 1==1', "claim": ""}, "no judgment area matches"),
    ("evidence", {"area": "vulnerable", "claim": "", "k": 0}, BAD_K),
    ("evidence", {"area": "vulnerable", "claim": "", "k": "many"}, BAD_K),
    ("evidence", {"area": "", "claim": "\ud800\u200b"}, EMPTY),
    ("evidence", {"area": "x" * MB, "claim": ""}, "no judgment area matches"),
    ("evidence", {"area": "vulnerable", "claim": "🚓 " * 1000, "k": 2}, None),
    ("entities", {"label": "NOSUCH"}, "unknown entity type"),
    ("entities", {"label": "' OR 1=1 --"}, "unknown entity type"),
    ("entities", {"label": "\x00"}, "unknown entity type"),
    ("entities", {"label": "places"}, None),
    ("browse", {"entities": [], "query": "", "section": ""}, "choose one or more entities"),
    ("browse", {"entities": ["ORG:"]}, "has no text after the label"),
    ("browse", {"entities": ['" or 1==1']}, None),
    ("browse", {"entities": ["GPE:Wolverhampton"], "query": "the of and"}, "only common words"),
    ("browse", {"entities": [], "query": "risk " * (MB // 5)}, None),
    ("browse", {"entities": [], "section": "../../etc"}, "no section heading contains"),
    ("browse", {"entities": "GPE:Wolverhampton"}, None),
]
OTHER_IDS = [f"{e}-{i}" for i, (e, _, _) in enumerate(OTHER_ENDPOINTS)]


@pytest.mark.parametrize(("endpoint", "kwargs", "error"), OTHER_ENDPOINTS, ids=OTHER_IDS)
def test_other_handlers(handlers, endpoint, kwargs, error):
    fn = getattr(handlers, f"api_{endpoint}")
    if error:
        with pytest.raises(gr.Error, match=error) as err:
            fn(**kwargs)
        one_line(err.value.message)
    else:
        json.dumps(fn(**kwargs))


# -- the live app, through gradio_client ----------------------------------------------------


@pytest.fixture(scope="module")
def server(index) -> Iterator[str]:
    with serving(index) as url:
        yield url


@pytest.fixture(scope="module")
def client(server) -> Any:
    from gradio_client import Client

    return Client(server, verbose=False)


class RawError(Exception):
    pass


def _call_raw(url: str, api_name: str, data: list[Any]) -> Any:
    """Gradio's REST API without gradio_client, for what the client cannot send: the body is
    JSON with ``\\ud800``-style escapes, which a lone surrogate needs (httpx refuses to
    encode one as UTF-8)."""
    import httpx

    with httpx.Client(timeout=60) as http:
        body = json.dumps({"data": data})  # ensure_ascii: surrogates become escapes; NaN stays
        start = http.post(
            f"{url}/gradio_api/call/{api_name}", content=body, headers={"Content-Type": "application/json"}
        )
        start.raise_for_status()
        stream = http.get(f"{url}/gradio_api/call/{api_name}/{start.json()['event_id']}")
    event, payload = "", ""
    for line in stream.text.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            payload = line.split(":", 1)[1].strip()
        if event in ("complete", "error") and payload:
            break
    if event == "error":
        raise RawError(payload)
    assert event == "complete", stream.text[:300]
    return json.loads(payload)[0]


def _needs_raw(kwargs: dict[str, Any]) -> bool:
    """Lone surrogates, NaN or infinity: values gradio_client will not send."""
    text = json.dumps(kwargs, ensure_ascii=False)
    return bool(re.search(r"[\ud800-\udfff]|\bNaN\b|\bInfinity\b", text))


def _predict(client: Any, api_name: str, **kwargs: Any) -> Any:
    """A call with a deadline (a hang fails the test instead of stalling the suite); what the
    client will not send goes by :func:`_call_raw`."""
    if _needs_raw(kwargs):
        params = client.view_api(print_info=False, return_format="dict")["named_endpoints"][api_name]
        names = [p["parameter_name"] for p in params["parameters"]]
        defaults = {p["parameter_name"]: p.get("parameter_default") for p in params["parameters"]}
        data = [kwargs.get(n, defaults[n]) for n in names]
        return _call_raw(client.src.rstrip("/"), api_name.lstrip("/"), data)
    return client.submit(api_name=api_name, **kwargs).result(timeout=60)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_search_endpoint(client, index, case):
    from gradio_client.exceptions import AppError

    kwargs = {
        "query": case.query,
        "k": case.k,
        "entities": list(case.entities),
        "section": case.section or "",
        "judgment": case.judgment or "",
    }
    if case.error:
        with pytest.raises((AppError, RawError), match=case.error) as err:
            _predict(client, "/search", **kwargs)
        one_line(str(err.value))
        return
    check_result(case, _predict(client, "/search", **kwargs), index.size)


@pytest.mark.parametrize(("endpoint", "kwargs", "error"), OTHER_ENDPOINTS, ids=OTHER_IDS)
def test_other_endpoints(client, endpoint, kwargs, error):
    from gradio_client.exceptions import AppError

    if error:
        with pytest.raises((AppError, RawError), match=error):
            _predict(client, f"/{endpoint}", **kwargs)
    else:
        json.dumps(_predict(client, f"/{endpoint}", **kwargs))


def test_the_app_still_answers_after_all_that(client):
    result = _predict(client, "/search", query="what does THRIVE stand for", k=1)
    assert "THRIVE (Threat, Risk, Harm" in result["hits"][0]["text"]


# -- the plain JSON route (/api/search) -----------------------------------------------------


def _post_json(url: str, fields: dict[str, Any]) -> Any:
    """POST with ``\\ud800``-style escapes (a lone surrogate cannot be UTF-8 encoded)."""
    import httpx

    body = json.dumps(fields)  # ensure_ascii; NaN stays NaN, which json.loads reads back
    return httpx.post(
        f"{url}/api/search", content=body, headers={"Content-Type": "application/json"}, timeout=60
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_json_route(server, index, case):
    fields = {
        "query": case.query,
        "k": case.k,
        "entities": list(case.entities),
        "section": case.section or "",
        "judgment": case.judgment or "",
    }
    response = _post_json(server, fields)
    if case.error:
        assert response.status_code == 400, response.text[:300]
        message = response.json()["error"]
        assert re.search(case.error, message), message
        one_line(message)
        return
    assert response.status_code == 200, response.text[:300]
    check_result(case, response.json(), index.size)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ('"just a string"', 400),
        ("[1, 2]", 400),
        ('{"query": "risk", "limit": 5}', 400),
        ("\xff\xfe garbage", 400),
        ("", 400),
    ],
)
def test_json_route_refuses_malformed_bodies(server, body, status):
    import httpx

    response = httpx.post(
        f"{server}/api/search", content=body.encode("latin-1"), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    one_line(response.json()["error"])


def test_json_route_refuses_an_oversized_body_before_reading_it(server):
    import httpx

    from peel_search.web.server import MAX_BODY_BYTES

    response = httpx.post(f"{server}/api/search", content=b"x" * (MAX_BODY_BYTES + 1), timeout=60)
    assert response.status_code == 413 and "shorter query" in response.json()["error"]


def test_json_route_get_takes_repeated_entity_filters(server):
    import httpx

    params = [("q", "neighbourhood policing"), ("k", "3"), ("entity", "GPE:Wolverhampton")]
    result = httpx.get(f"{server}/api/search", params=params, timeout=60).json()
    assert result["hits"] and all("Wolverhampton" in h["text"] for h in result["hits"])
    bad = httpx.get(f"{server}/api/search", params={"q": "risk", "k": "-1"}, timeout=60)
    assert bad.status_code == 400 and "k must be" in bad.json()["error"]


def test_figures_route_answers_json_or_csv_and_refuses_a_bad_measure(server):
    import httpx

    rows = httpx.get(f"{server}/api/figures", params={"measure": "rate"}, timeout=60).json()
    assert rows and {r["measure"] for r in rows} == {"rate"} and all(r["citation"] for r in rows)
    csv_text = httpx.get(
        f"{server}/api/figures", params={"subject": "organised crime", "format": "csv"}, timeout=60
    )
    assert (
        csv_text.headers["content-type"].startswith("text/csv") and "organised crime groups" in csv_text.text
    )
    bad = httpx.get(f"{server}/api/figures", params={"measure": "speed"}, timeout=60)
    assert bad.status_code == 400 and bad.json()["error"].startswith("no measure 'speed'")
    bad = httpx.get(f"{server}/api/figures", params={"format": "xml"}, timeout=60)
    assert bad.status_code == 400 and "json or csv" in bad.json()["error"]
