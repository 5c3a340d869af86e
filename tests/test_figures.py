"""The figures the reports state, for users: selection by measure, subject and report,
the CLI's ``figures`` in each format, the Figures tab's handler and its JSON endpoint.
The rows of the pure renderers are made here; the rest reads the real bundled report."""

from __future__ import annotations

import csv
import io
import json

import gradio as gr
import pytest

from fakes import refusal
from peel_search.cli import main
from peel_search.errors import QueryError
from peel_search.render import render_figures
from peel_search.retrieve.export import FIGURE_COLUMNS, figures_table, to_csv
from peel_search.retrieve.figures import MEASURES, StatedFigure, parse_measure
from peel_search.types import Figure
from peel_search.web.render import figures_html
from peel_search.web.ui import Handlers

#: The bundled report's count of organised crime groups, as it states it.
OCG_SENTENCE = "monitoring 68 organised crime groups"


def _stated(value="12.5", measure="rate", subject="crimes <recorded>", per="1,000 population", label=""):
    figure = Figure(
        "r1", value, float(value.rstrip("%")), measure, subject, f"{value} {subject}", per=per,
        area="Testshire Police", period="12 months to 31 March 2015", label=label,
    )  # fmt: skip
    return StatedFigure(
        figure, "Testshire 2015", "p1", "Report — Section — p. 3, ¶ 2", "Report — Section in full — p. 3, ¶ 2"
    )


# -- pure parts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "measure"),
    [
        ("", ""),
        ("all", ""),
        ("Rate", "rate"),
        ("rates", "rate"),
        ("percent", "percentage"),
        ("counts", "count"),
    ],
)
def test_measures_are_read_in_any_case_and_number(given, measure):
    assert parse_measure(given) == measure


def test_an_unknown_measure_names_the_valid_ones():
    with pytest.raises(QueryError, match="no measure 'speed': choose one of count, rate, percentage"):
        parse_measure("speed")
    assert set(MEASURES) == {"count", "rate", "percentage", "change", "amount", "duration", "ratio"}


def test_text_lists_each_figure_with_its_measure_period_and_citation():
    text = render_figures([_stated(), _stated("40%", "percentage", "victims satisfied", per="")])
    lines = text.splitlines()
    assert lines[0] == "2 figures:"
    assert (
        lines[2]
        == "[rate per 1,000 population] 12.5  crimes <recorded> (Testshire Police, 12 months to 31 March 2015)"
    )
    assert lines[3] == "  Report — Section — p. 3, ¶ 2"
    assert lines[4].startswith("[percentage] 40%  victims satisfied")
    assert render_figures([]) == "No figure matches."


def test_csv_has_a_row_per_figure_with_the_full_citation():
    rows = list(csv.reader(io.StringIO(to_csv(figures_table([_stated(label="Row, with comma")])))))
    assert tuple(rows[0]) == FIGURE_COLUMNS
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["measure"] == "rate" and row["value"] == "12.5" and row["per"] == "1,000 population"
    assert row["label"] == "Row, with comma" and row["citation"] == "Report — Section in full — p. 3, ¶ 2"
    assert row["passage_id"] == "p1" and row["period"] == "12 months to 31 March 2015"


def test_the_tab_table_escapes_and_cites_each_row():
    html = figures_html([_stated()], "measure=rate")
    assert "crimes &lt;recorded&gt;" in html and "<recorded>" not in html
    assert "1 figure<" in html and "Report" in html and "p. 3, ¶ 2" in html
    assert 'href="api/figures?measure=rate&amp;format=csv"' in html
    assert "No figure matches" in figures_html([]) and refusal(figures_html([])) == ""


# -- on the bundled report -----------------------------------------------------------------------


@pytest.mark.models
def test_figures_filter_by_measure_subject_and_report(index):
    every = index.figures()
    assert len(every) >= 80 and all(r.citation and r.passage_id for r in every)
    rates = index.figures(measure="rate")
    assert rates and {r.figure.measure for r in rates} == {"rate"} and len(rates) < len(every)
    ocg = index.figures(subject="organised crime groups", measure="count")
    assert [r.figure.value for r in ocg] == ["68"]
    assert OCG_SENTENCE in ocg[0].figure.context and "p. 33" in ocg[0].citation
    assert index.figures(subject="unicorns") == []
    with pytest.raises(QueryError, match="no measure"):
        index.figures(measure="speed")


@pytest.mark.models
def test_the_figures_tab_filters_and_cites(index):
    h = Handlers(index)
    shown = h.show_figures("count", "organised crime groups")
    assert refusal(shown) == "" and "1 figure<" in shown and ">68<" in shown and "p. 33" in shown
    assert "format=csv" in shown and "measure=count" in shown
    assert "No figure matches" in h.show_figures("", "unicorns")
    assert refusal(h.show_figures("speed", "")).startswith("No measure 'speed': choose one of count")
    assert "no-such-report" in refusal(h.show_figures("", "", ["no-such-report"]))
    rows = h.api_figures("rate")
    json.dumps(rows)
    assert rows and {r["measure"] for r in rows} == {"rate"} and all(r["citation"] for r in rows)
    with pytest.raises(gr.Error, match="no measure"):
        h.api_figures("speed")


@pytest.mark.models
def test_cli_figures_in_each_format(capsys, index_copy):
    folder, corpus = index_copy
    dirs = ["--index", str(folder), "--corpus", str(corpus)]
    assert main(["figures", "--measure", "count", "--subject", "organised crime groups", *dirs]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "1 figure:" and "[count] 68  organised crime groups" in out
    assert "p. 33" in out and err == ""
    assert main(["figures", "--measure", "rate", "--format", "json", *dirs]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["measure"] for r in rows} == {"rate"} and all(r["per"] for r in rows)
    assert main(["figures", "--format", "csv", "--subject", "organised crime groups", *dirs]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "68" in {r["value"] for r in table} and all(r["citation"] for r in table)
    assert main(["figures", "--measure", "speed", *dirs]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and err.startswith("peel-search: no measure 'speed'") and "Traceback" not in err
    )
