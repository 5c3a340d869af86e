"""The ``peel-search`` command end to end on the real report: in-process against a private copy
of the built index, plus real subprocess runs of the installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fakes import HIT_FIELDS
from peel_search.cli import main

pytestmark = pytest.mark.models

SCRIPT = Path(sys.executable).parent / "peel-search"
THRIVE = "what does THRIVE stand for"


@pytest.fixture
def dirs(index_copy):
    folder, corpus = index_copy
    return ["--index", str(folder), "--corpus", str(corpus)]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err):
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("peel-search: ")
    assert "Traceback" not in err


# -- each command -----------------------------------------------------------------------------


def test_index_says_it_is_up_to_date(capsys, dirs):
    code, out, err = run(capsys, "index", *dirs)
    assert code == 0
    assert out == ""
    assert "up to date" in err


def test_search_text_output(capsys, dirs):
    code, out, err = run(capsys, "search", THRIVE, "--k", "3", *dirs)
    assert code == 0
    assert err == ""
    heads = [line for line in out.splitlines() if line[:3] in {"1. ", "2. ", "3. "}]
    assert [h[:3] for h in heads] == ["1. ", "2. ", "3. "]
    assert heads[0].startswith(
        "1. PEEL Police effectiveness 2015, West Midlands Police — How effective is the force at "
        "investigating crime…? › How well does the force initially investigate and allocate cases? — p. 22, ¶ "
    )
    first_body = out.split("\n2. ")[0]
    assert "»" in first_body and "«" in first_body
    marked = first_body[first_body.index("»") + 1 : first_body.index("«")]
    assert "THRIVE (Threat, Risk, Harm" in " ".join(marked.split())
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_search_json_output(capsys, dirs):
    code, out, _err = run(capsys, "search", THRIVE, "--k", "2", "--format", "json", *dirs)
    assert code == 0
    data = json.loads(out)
    assert data["query"] == THRIVE
    assert data["in_report"] is True
    assert len(data["hits"]) == 2
    for hit in data["hits"]:
        assert set(hit) >= HIT_FIELDS
        assert hit["best_sentence"] in hit["text"]
        assert f"p. {hit['page']}," in hit["citation"]
        assert isinstance(hit["section"], list)
        for e in hit["entities"]:
            assert hit["text"][e["start"] : e["end"]] == e["text"]
    assert "THRIVE (Threat, Risk, Harm" in data["hits"][0]["text"]


def test_search_with_filters(capsys, dirs):
    code, out, _ = run(
        capsys,
        "search",
        "gangs",
        "--entity",
        "GPE:Wolverhampton",
        "--section",
        "partners to prevent serious",
        "--format",
        "json",
        *dirs,
    )
    assert code == 0
    hits = json.loads(out)["hits"]
    assert hits
    for hit in hits:
        assert any(e["label"] == "GPE" and e["text"] == "Wolverhampton" for e in hit["entities"])
        assert any("partners to prevent serious" in h for h in hit["section"])


@pytest.mark.parametrize("fmt", [None, "jsonl"])
def test_queries_file_gives_one_json_line_per_question(capsys, dirs, tmp_path, fmt):
    questions = [THRIVE, "how are phones examined?", "IOM"]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join([questions[0], "", questions[1], "   ", questions[2]]) + "\n", encoding="utf-8")
    extra = ["--format", fmt] if fmt else []
    code, out, _ = run(capsys, "search", "--queries", path, "--k", "2", *extra, *dirs)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    rows = [json.loads(line) for line in lines]
    assert [r["query"] for r in rows] == questions
    assert all(len(r["hits"]) == 2 for r in rows)


def test_judgments(capsys, dirs):
    code, out, _ = run(capsys, "judgments", *dirs)
    assert code == 0
    assert out.count("Grade: Good") == 3
    assert out.count("Grade: Requires improvement") == 1
    assert out.count("Grade: not stated in the report") == 1
    assert (
        "“Overall West Midlands Police is judged to be good at keeping people safe and reducing crime.”"
        in out
    )
    assert out.splitlines()[0].split()[:2] == ["Report", "Overall"]  # the matrix, one row
    code, out, _ = run(capsys, "judgments", "--format", "json", *dirs)
    data = json.loads(out)
    (row,) = data["rows"]
    assert [c["grade"] for c in row["cells"]] == ["Good", "Good", None, "Requires improvement", "Good"]
    rows = data["judgments"]
    assert [r["grade"] for r in rows] == ["Good", "Good", None, "Requires improvement", "Good"]
    assert all(
        r["citation"].startswith("PEEL Police effectiveness 2015, West Midlands Police — ") for r in rows
    )


def test_entities_by_label(capsys, dirs):
    code, out, _ = run(capsys, "entities", "--label", "ORG", *dirs)
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["LABEL", "ENTITY", "PASSAGES"]
    assert rows and all(r.startswith("ORG ") for r in rows)
    assert any("Victim Support" in r for r in rows)
    code, out, _ = run(capsys, "entities", "--label", "org", "--format", "json", *dirs)
    data = json.loads(out)
    assert {d["label"] for d in data} == {"ORG"}
    counts = [d["passages"] for d in data]
    assert counts == sorted(counts, reverse=True)
    assert {"West Midlands Police", "Victim Support"} <= {d["text"] for d in data}


def test_sections(capsys, dirs):
    code, out, _ = run(capsys, "sections", *dirs)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "PEEL: Police effectiveness 2015 — West Midlands Police"
    assert "      How well does the force gather digital evidence?  (p. 24, 5 passages)" in lines
    assert "  Annex A – HMIC judgments  (p. 42, 0 passages)" in lines
    code, out, _ = run(capsys, "sections", "--format", "json", *dirs)
    (report,) = json.loads(out)
    assert [s["heading"] for s in report["sections"] if s["level"] == 1][-1] == "Annex A – HMIC judgments"


# -- errors -----------------------------------------------------------------------------------


def test_empty_query_is_a_usage_error(capsys, dirs):
    code, out, err = run(capsys, "search", "   ", *dirs)
    assert code == 2
    assert out == ""
    assert_one_error_line(err)
    assert "empty" in err


def test_unknown_entity_label_is_a_usage_error(capsys, dirs):
    code, out, err = run(capsys, "search", "gangs", "--entity", "NOSUCH:thing", *dirs)
    assert code == 2
    assert out == ""
    assert_one_error_line(err)
    assert "NOSUCH" in err and "GPE" in err and "ORG" in err


def test_unknown_label_for_entities_command(capsys, dirs):
    code, _, err = run(capsys, "entities", "--label", "NOSUCH", *dirs)
    assert code == 2
    assert_one_error_line(err)


@pytest.mark.parametrize("k", ["abc", "0", "-1", "2.5"])
def test_bad_k_is_a_usage_error(capsys, dirs, k):
    code, out, err = run(capsys, "search", "victims", "--k", k, *dirs)
    assert code == 2
    assert out == ""
    assert_one_error_line(err)


@pytest.mark.parametrize(
    "argv",
    [
        ["search"],
        ["search", "a question", "--queries", "questions.txt"],
        ["search", "--queries", "no-such-file.txt"],
        ["search", "victims", "--format", "xml"],
        ["frobnicate"],
        ["search", "victims", "--section", "no such heading anywhere"],
    ],
)
def test_other_usage_errors(capsys, dirs, argv):
    code, out, err = run(capsys, *argv, *dirs)
    assert code == 2
    assert out == ""
    assert_one_error_line(err)


def test_no_command_prints_help(capsys):
    code, _out, err = run(capsys)
    assert code == 2
    assert "usage: peel-search" in err


def test_version(capsys):
    import peel_search

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"peel-search {peel_search.__version__}"


def test_help_returns_zero_with_usage(capsys):
    assert main(["search", "--help"]) == 0
    assert "usage: peel-search search" in capsys.readouterr().out


def test_missing_corpus_and_no_index_is_one_line_failure(capsys, tmp_path):
    code, out, err = run(
        capsys, "search", "victims", "--index", tmp_path / "no-index", "--corpus", tmp_path / "no-corpus"
    )
    assert code == 1
    assert out == ""
    assert "no-corpus" in err and "does not exist" in err
    assert_one_error_line(err)


# -- the installed script ---------------------------------------------------------------------


def _script(*argv, **kwargs):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [str(SCRIPT), *map(str, argv)], capture_output=True, text=True, env=env, timeout=300, **kwargs
    )


def test_script_search_json(dirs):
    proc = _script("search", THRIVE, "--k", "2", "--format", "json", *dirs)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["query"] == THRIVE
    assert "THRIVE (Threat, Risk, Harm" in data["hits"][0]["text"]
    assert "Traceback" not in proc.stderr


def test_script_empty_query_exits_2_with_one_line(dirs):
    proc = _script("search", "", *dirs)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_error_line(proc.stderr)


def test_module_entry_point_runs(dirs):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "peel_search.cli", "judgments", "--format", "json", *dirs],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["columns"]) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "--port must be from 1 to 65535"),
        (["--port", "70000"], "--port must be from 1 to 65535"),
        (["--allow-origin", "evil.example"], "--allow-origin takes an origin"),
        (["--allow-origin", "https://ok.example/path"], "--allow-origin takes an origin"),
        (["--allow-origin", "*"], "--allow-origin takes an origin"),
    ],
)
def test_serve_refuses_bad_settings_before_loading_anything(capsys, tmp_path, args, message):
    code, _, err = run(capsys, "serve", "--index", str(tmp_path / "none"), *args)
    assert code == 2 and message in err
    assert_one_error_line(err)
    assert not (tmp_path / "none").exists()  # refused before any index was built
