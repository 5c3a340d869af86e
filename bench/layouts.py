"""Metadata and grades read back from generated reports of every year's layout.

    .venv/bin/python bench/layouts.py [--per-layout 6] [--real DIR]

For each layout of tests/layout_reports.py, writes ``--per-layout`` reports into a
temporary corpus folder, reads them as the index does (ingest/corpus.py: text, PDF and
HTML through the one parser) and prints, per layout: reports whose force, year, period,
programme and pillar are all right (and each field's count), stated grades found, and
grades given wrongly (a different grade, or one where the report states none).

Then compares the two HTML extractors on the generated web pages: selectolax (what
ingest/html.py uses) and trafilatura (if installed): headings kept as lines of their own,
grade lines kept, the grades table kept as rows, the site's frame dropped, grades found
when the extracted text is parsed, and time per page.

``--real DIR``: also print what is read from the reports in DIR (your own files; nothing
is compared, there is no truth for them).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from layout_reports import LAYOUTS, Generated, library, write  # noqa: E402
from peel_search.ingest.corpus import read_corpus  # noqa: E402
from peel_search.ingest.html import extract_html  # noqa: E402
from peel_search.ingest.judgments import _same_area  # noqa: E402
from peel_search.ingest.metadata import read_metadata  # noqa: E402
from peel_search.ingest.parse import parse_report  # noqa: E402
from peel_search.ingest.questions import question_topics  # noqa: E402
from peel_search.types import Judgment, Report  # noqa: E402

FIELDS = ("force", "year", "period", "programme", "pillar")


def _find(judgments: list[Judgment], heading: str) -> Judgment | None:
    exact = next((j for j in judgments if j.area == heading), None)
    return exact or next((j for j in judgments if heading != "Overall" and _same_area(j.area, heading)), None)


def score_grades(g: Generated, judgments: list[Judgment]) -> tuple[int, int, int, list[str]]:
    """(stated grades, found, wrong, what went wrong)."""
    stated = found = wrong = 0
    problems = []
    matched: set[int] = set()
    for heading, truth in g.grades.items():
        j = _find(judgments, heading)
        if j is not None:
            matched.add(id(j))
        got = j.grade if j is not None else None
        if truth is not None:
            stated += 1
            if got == truth:
                found += 1
                if heading in g.carried and j is not None and j.carried_from != g.carried[heading]:
                    problems.append(
                        f"{heading[:50]}: carried from {j.carried_from!r}, not {g.carried[heading]!r}"
                    )
            elif got is None:
                problems.append(f"{heading[:50]}: {truth} not found")
            else:
                wrong += 1
                problems.append(f"{heading[:50]}: {got} given, the report says {truth}")
        elif got is not None:
            wrong += 1
            problems.append(f"{heading[:50]}: {got} given where the report states none")
    for j in judgments:
        if id(j) not in matched and j.grade is not None:
            wrong += 1
            problems.append(f"{j.area[:50]}: {j.grade} given to an area the report does not grade")
    return stated, found, wrong, problems


def _parse(f) -> Report:
    return parse_report(
        f.text,
        f.report_id,
        page_numbers=f.page_numbers if f.source_format == "pdf" else None,
        headings=f.headings,
    )


def run_layouts(per_layout: int, verbose: bool) -> bool:
    print(
        f"{'layout':14} {'reports':>7} {'meta ok':>8} "
        + " ".join(f"{f:>9}" for f in FIELDS)
        + f" {'stated':>7} {'found':>6} {'wrong':>6}"
    )
    all_right = True
    totals = [0, 0, 0, 0, 0]
    for layout in LAYOUTS:
        generated = library(per_layout, (layout,))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for g in generated:
                write(g, folder)
            files, notes = read_corpus(folder)
            by_name = {f.path.name: f for f in files}
            meta_ok = stated = found = wrong = 0
            field_ok = dict.fromkeys(FIELDS, 0)
            for g in generated:
                f = by_name.get(g.name)
                if f is None:
                    print(f"  {g.name}: not read ({[n.message for n in notes if n.name == g.name]})")
                    continue
                meta = read_metadata(f.text, g.name, f.report_id)
                truth = {
                    "force": g.force,
                    "year": g.year,
                    "period": g.period,
                    "programme": g.programme,
                    "pillar": g.pillar,
                }
                ok = {k: getattr(meta, k) == v for k, v in truth.items()}
                for k in FIELDS:
                    field_ok[k] += ok[k]
                meta_ok += all(ok.values())
                if verbose and not all(ok.values()):
                    print(
                        f"  {g.name}: "
                        + ", ".join(
                            f"{k}={getattr(meta, k)!r} (not {truth[k]!r})" for k in FIELDS if not ok[k]
                        )
                    )
                report = _parse(f)
                s, fo, w, problems = score_grades(g, list(report.judgments))
                stated, found, wrong = stated + s, found + fo, wrong + w
                if verbose:
                    for p in problems:
                        print(f"  {g.name}: {p}")
        n = len(generated)
        totals = [
            totals[0] + n,
            totals[1] + meta_ok,
            totals[2] + stated,
            totals[3] + found,
            totals[4] + wrong,
        ]
        all_right = all_right and meta_ok == n and wrong == 0 and found >= 0.95 * stated
        print(
            f"{layout:14} {n:7d} {meta_ok:8d} "
            + " ".join(f"{field_ok[k]:9d}" for k in FIELDS)
            + f" {stated:7d} {found:6d} {wrong:6d}"
        )
    n, meta_ok, stated, found, wrong = totals
    print(
        f"{'all':14} {n:7d} {meta_ok:8d} {'':49} {stated:7d} {found:6d} {wrong:6d}"
        f"   ({found / max(1, stated):.1%} of stated grades found)"
    )
    return all_right


# -- extractors ------------------------------------------------------------------------------


def trafilatura_text(html: bytes) -> tuple[str, tuple[tuple[int, int], ...]]:
    """trafilatura's Markdown made into the parser's text shape: headings on lines of their
    own (their spans returned), a Markdown table as tab-separated rows."""
    import trafilatura

    md = (
        trafilatura.extract(
            html.decode("utf-8"),
            output_format="markdown",
            include_tables=True,
            include_links=False,
            include_images=False,
            favor_recall=True,
            deduplicate=False,
        )
        or ""
    )
    blocks, headings, pos = [], [], 0
    for block in re.split(r"\n\s*\n", md):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("|") for line in lines):
            rows = [
                line.strip().strip("|").split("|") for line in lines if not re.fullmatch(r"[|\s:-]+", line)
            ]
            text = "\n".join("\t".join(c.strip() or "–" for c in row) for row in rows)
        elif lines[0].startswith("#"):
            text = lines[0].lstrip("#").strip()
            headings.append((pos + (2 if blocks else 0), pos + (2 if blocks else 0) + len(text)))
        else:
            text = "\n".join(lines)
        if blocks:
            pos += 2
        blocks.append(text)
        pos += len(text)
    return "\n\n".join(blocks) + "\n", tuple(headings)


def selectolax_text(html: bytes) -> tuple[str, tuple[tuple[int, int], ...]]:
    e = extract_html(html)
    return e.text, e.headings


_FRAME_WORDS = (
    "We use cookies",
    "Skip to main content",
    "Related publications",
    "Crown copyright",
    "Publications",
)


def compare_extractors(per_layout: int) -> None:
    pages = [g for g in library(per_layout, ("html-2021", "html-2023"))]
    engines = {"selectolax": selectolax_text}
    try:
        import trafilatura  # noqa: F401

        engines["trafilatura"] = trafilatura_text
    except ImportError:
        print("\n(trafilatura is not installed: pip install trafilatura to compare it)")
    print(f"\nHTML extractors on {len(pages)} generated report pages")
    print(
        f"{'extractor':12} {'headings':>9} {'grade lines':>12} {'table rows':>11} {'frame left':>11} "
        f"{'grades found':>13} {'wrong':>6} {'ms/page':>8}"
    )
    for name, extract in engines.items():
        heads = heads_kept = lines = lines_kept = rows = rows_kept = frame = stated = found = wrong = 0
        elapsed = 0.0
        for g in pages:
            html = g.content if isinstance(g.content, bytes) else g.content.encode()
            t0 = time.perf_counter()
            text, spans = extract(html)
            elapsed += time.perf_counter() - t0
            own = {text[s:e] for s, e in spans}
            expected_heads = [h for h in g.grades]
            heads += len(expected_heads)
            heads_kept += sum(h in own for h in expected_heads)
            paras = {p.strip() for p in text.split("\n\n")}
            graded_lines = [v for k, v in g.grades.items() if v] if g.layout == "html-2021" else []
            lines += len(graded_lines)
            lines_kept += min(
                len(graded_lines), sum(1 for p in text.split("\n\n") if p.strip() in set(graded_lines))
            )
            rows += 2
            rows_kept += (
                sum(1 for p in paras if p.split("\n")[0].startswith("Outstanding\tGood\tAdequate")) * 2
            )
            frame += sum(w in text for w in _FRAME_WORDS if w != "Publications")
            report = parse_report(text, "x", headings=spans)
            s, fo, w, _ = score_grades(g, list(report.judgments))
            stated, found, wrong = stated + s, found + fo, wrong + w
        print(
            f"{name:12} {heads_kept:4d}/{heads:<4d} {lines_kept:5d}/{lines:<6d} {rows_kept:5d}/{rows:<5d} "
            f"{frame:11d} {found:6d}/{stated:<6d} {wrong:6d} {1000 * elapsed / len(pages):8.1f}"
        )


def show_real(folder: Path) -> None:
    files, notes = read_corpus(folder)
    for n in notes:
        print(f"  {n.name}: {n.message}")
    for f in files:
        meta = read_metadata(f.text, f.path.name, f.report_id)
        report = _parse(f)
        print(f"{f.path.name}: {meta.force or '?'} | {meta.period or '?'} | {meta.pillar or '-'}")
        for j in report.judgments:
            if j.grade:
                carried = f" (carried from {j.carried_from})" if j.carried_from else ""
                print(f"    {j.grade:22} {j.source:16} {j.area[:70]}{carried}")


# -- real reports against a truth file -------------------------------------------------------

REAL_FIELDS = ("force", "year", "period", "programme", "pillar")


def _truth_matches(key: str, judgments: list[Judgment]) -> list[Judgment]:
    """The judgments a truth key names: a heading as written (or the same area worded a
    little differently), or ``topic:KEY`` for a grade stated with no heading of its own
    (an overview page's "The extent to which the force is effective ... is good"): every
    judgment whose heading's main topic is KEY."""
    if key.startswith("topic:"):
        topic = key.split(":", 1)[1]
        return [j for j in judgments if question_topics(j.area)[:1] == (topic,)]
    exact = [j for j in judgments if j.area == key]
    return exact or [j for j in judgments if j.area != "Overall" and _same_area(j.area, key)]


def score_real(truth: dict, meta: object, judgments: list[Judgment]) -> tuple[dict, list[str]]:
    """Counts for one real text against its truth, and a line for each thing wrong or missed.

    ``truth``: force, year, period, programme, pillar (``null``: not scored), ``grades``
    (key -> grade, or ``{"grade", "carried"}`` for a grade carried over from that period),
    ``not_stated`` (keys the text names without a grade), ``optional`` (stated loosely: not
    counted, but a different grade is wrong), ``skip`` (fields the text leaves open). Keys:
    a heading, or ``topic:KEY``.
    """
    counts = {"meta_ok": 1, "force_year_ok": 1, "stated": 0, "found": 0, "wrong": 0}
    lines: list[str] = []
    for field in REAL_FIELDS:
        want = truth.get(field)
        got = getattr(meta, field) or None
        if field in truth.get("skip", ()) or (field == "pillar" and want is None):
            continue
        if got != want:
            counts["meta_ok"] = 0
            if field in ("force", "year"):
                counts["force_year_ok"] = 0
            lines.append(f"{field}: read {got!r}, truth {want!r}")
    claimed: set[int] = set()

    def graded(key: str) -> list[Judgment]:
        found = _truth_matches(key, judgments)
        claimed.update(id(j) for j in found)
        return [j for j in found if j.grade is not None]

    for key, want in truth.get("grades", {}).items():
        grade, carried = (want["grade"], want.get("carried", "")) if isinstance(want, dict) else (want, "")
        counts["stated"] += 1
        got = graded(key)
        if any(j.grade != grade for j in got):
            counts["wrong"] += 1
            lines.append(f"WRONG {key[:60]}: {[j.grade for j in got]}, truth {grade}")
        elif got:
            counts["found"] += 1
            if carried and got[0].carried_from != carried:
                lines.append(f"carried {key[:50]}: from {got[0].carried_from!r}, truth {carried!r}")
        else:
            lines.append(f"missed {key[:60]}: {grade}{f' (carried from {carried})' if carried else ''}")
    for key in truth.get("not_stated", []):
        for j in graded(key):
            counts["wrong"] += 1
            lines.append(f"WRONG {key[:60]}: {j.grade} given, the text states none ({j.sentence[:60]!r})")
    for key, want in truth.get("optional", {}).items():
        grade = want["grade"] if isinstance(want, dict) else want
        for j in graded(key):
            if j.grade != grade:
                counts["wrong"] += 1
                lines.append(f"WRONG {key[:60]}: {j.grade}, the text says {grade}")
    for j in judgments:
        if j.grade is not None and id(j) not in claimed:
            counts["wrong"] += 1
            lines.append(f"WRONG unstated {j.area[:60]}: {j.grade} ({j.source}: {j.sentence[:60]!r})")
    return counts, lines


def run_real(folder: Path, split: str, blind: bool, verbose: bool) -> None:
    """Score the reports in ``folder`` against ``folder/truth.json``, the development and
    hold-out forces apart. ``blind``: copy each text under a name that says nothing (a
    report's file name is a source of its metadata of last resort)."""
    import json
    import shutil

    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["texts"]
    chosen = {n: t for n, t in sorted(truth.items()) if split == "all" or t.get("split", "dev") == split}
    totals: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for k, name in enumerate(chosen, 1):
            target = f"report-{k:03d}{Path(name).suffix}" if blind else name
            shutil.copy(folder / name, Path(tmp) / target)
            names[target] = name
        files, notes = read_corpus(Path(tmp))
        for n in notes:
            print(f"  {names.get(n.name, n.name)}: {n.message}")
        for f in files:
            name = names[f.path.name]
            t = chosen[name]
            meta = read_metadata(f.text, f.path.name, f.report_id)
            report = _parse(f)
            counts, lines = score_real(t, meta, list(report.judgments))
            bucket = totals.setdefault(
                t.get("split", "dev"),
                dict.fromkeys(("texts", "meta_ok", "force_year_ok", "stated", "found", "wrong"), 0),
            )
            bucket["texts"] += 1
            for k, v in counts.items():
                bucket[k] += v
            mark = "ok" if not lines else ("WRONG" if counts["wrong"] else "miss")
            print(
                f"{name:45} {mark:5} force/year {'ok' if counts['force_year_ok'] else 'NO':2} "
                f"grades {counts['found']}/{counts['stated']} wrong {counts['wrong']}"
            )
            for line in lines if verbose or counts["wrong"] or not counts["force_year_ok"] else ():
                print(f"    {line}")
    print()
    for split_name, b in totals.items():
        print(
            f"{split_name:8} texts {b['texts']:3}  force and year right {b['force_year_ok']}/{b['texts']}  "
            f"all metadata right {b['meta_ok']}/{b['texts']}  stated grades found {b['found']}/{b['stated']}  "
            f"wrong {b['wrong']}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-layout", type=int, default=6)
    parser.add_argument(
        "--real",
        type=Path,
        help="also read the reports in this folder; with a truth.json in it, score them against it",
    )
    parser.add_argument(
        "--split", default="all", choices=("dev", "holdout", "all"), help="with --real and truth.json"
    )
    parser.add_argument(
        "--blind", action="store_true", help="with --real: read each report under a neutral file name"
    )
    parser.add_argument("--real-only", action="store_true", help="skip the generated layouts")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    ok = True
    if not args.real_only:
        ok = run_layouts(args.per_layout, args.verbose)
        compare_extractors(args.per_layout)
    if args.real and (args.real / "truth.json").exists():
        print()
        run_real(args.real, args.split, args.blind, args.verbose)
    elif args.real:
        print()
        show_real(args.real)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
