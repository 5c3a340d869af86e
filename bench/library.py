"""Libraries of reports for the benchmarks: the bundled report plus generated variants.

The variants come from ``tests/variant_reports.py`` (the bundled West Midlands 2015 report
rewritten for other forces, years, formats and grades), always the same ones for a given
count. A library of ``n`` reports is the bundled report and the first ``n - 1`` variants;
``extra_report(n)`` is the next variant, one that a library of ``n`` does not hold.

Library indexes that are worth keeping between runs live under ``bench/.cache/``
(git-ignored), one folder per size, each with ``corpus/`` and ``index/``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
BUNDLED_ID = "peel-2015-effectiveness-west-midlands"


@cache
def _variant_reports() -> Any:
    """The test suite's variant generator (tests/ is not a package: import it by path)."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import variant_reports

    return variant_reports


def library_texts(reports: int) -> dict[str, str]:
    """``{file name: text}`` of a library of ``reports`` reports, the bundled one first."""
    if reports < 1:
        raise ValueError(f"a library holds at least one report, not {reports}")
    generator = _variant_reports()
    texts = {generator.BUNDLED.name: generator.BUNDLED.read_text(encoding="utf-8")}
    for variant in generator.library(reports - 1):
        texts[variant.name] = variant.text
    return texts


def extra_report(reports: int) -> tuple[str, str]:
    """``(file name, text)`` of the variant a library of ``reports`` reports would take next."""
    variant = _variant_reports().library(reports)[-1]
    return variant.name, variant.text


def write_text_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that; True if written.

    Leaving unchanged files alone keeps an index built from the folder fresh."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def write_corpus(folder: Path, reports: int) -> list[Path]:
    """Make ``folder`` hold exactly a library of ``reports`` reports (other ``.txt`` and
    ``.md`` files are removed); returns the report files, the bundled one first."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = library_texts(reports)
    for stray in folder.iterdir():
        if stray.is_file() and stray.suffix in {".txt", ".md"} and stray.name not in texts:
            stray.unlink()
    paths = []
    for name, text in texts.items():
        write_text_if_changed(folder / name, text)
        paths.append(folder / name)
    return paths


def library_folders(reports: int) -> tuple[Path, Path]:
    """``(index folder, corpus folder)`` of the cached library of ``reports`` reports,
    their parent made (and ``bench/.cache/`` git-ignored); neither is written."""
    folder = CACHE / f"library-{reports}"
    folder.mkdir(parents=True, exist_ok=True)
    write_text_if_changed(CACHE / ".gitignore", "# made by bench/library.py: nothing here is source\n*\n")
    return folder / "index", folder / "corpus"


def cached_library(reports: int, notify: Callable[[str], None]) -> tuple[Path, Path]:
    """``(index folder, corpus folder)`` of a library of ``reports`` reports under
    ``bench/.cache/``, the index brought up to date first.

    The update is a `build_index` every time, not a load: a load does not notice that
    the pipeline's code changed since the build, and a build does, re-indexing only the
    reports it must (when nothing changed, it takes seconds)."""
    from peel_search.index.build import build_index

    index, corpus = library_folders(reports)
    write_corpus(corpus, reports)
    result = build_index(corpus, index)
    notify(f"library index {index}: {len(result.processed)} report(s) indexed, {len(result.reused)} reused")
    return index, corpus


def disk_usage(folder: Path) -> tuple[int, int]:
    """``(bytes allocated, files)`` under ``folder``, each hard-linked file counted once."""
    seen: set[tuple[int, int]] = set()
    allocated = 0
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            info = os.stat(os.path.join(dirpath, name))
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            allocated += info.st_blocks * 512
    return allocated, len(seen)
