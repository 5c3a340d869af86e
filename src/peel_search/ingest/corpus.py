"""The corpus folder: which report files to read, and reading them safely.

Every file is reported by name with what was done with it; one bad file never
stops the others. A folder with nothing usable is a :class:`CorpusError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError
from ..types import Span
from .html import UnreadableHtmlError, extract_html
from .metadata import OVERRIDES_FILE, parse_overrides
from .pdf import MAX_PDF_BYTES, UnreadablePdfError, extract_pdf

SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
#: Reports larger than this are refused: a PEEL report is a few hundred kB of text.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """A report file that will be indexed."""

    path: Path
    report_id: str
    sha256: str
    text: str
    encoding: str
    #: "text", "pdf" or "html"; for a PDF, ``text`` is what :mod:`.pdf` extracted (a ``\f``
    #: after each page), ``sha256`` the PDF's, and ``page_numbers`` each page's number to
    #: cite; for a web page, ``text`` is what :mod:`.html` extracted and ``headings`` the
    #: spans of the page's headings in it.
    source_format: str = "text"
    page_numbers: tuple[int | None, ...] = ()
    headings: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class CorpusNote:
    """What happened to one file that was skipped or read with a fallback."""

    name: str
    message: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def report_id_for(path: Path) -> str:
    """A stable id from the file name: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "report"


def candidate_files(corpus_dir: Path) -> list[Path]:
    """The report files in ``corpus_dir``, sorted by name (hidden files skipped)."""
    if not corpus_dir.exists():
        raise CorpusError(
            f"corpus folder {corpus_dir} does not exist: pass --corpus DIR with your report .txt, .pdf or .html files"
        )
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"{corpus_dir} is not a folder: pass --corpus DIR, a folder of report .txt, .pdf or .html files"
        )
    return sorted(p for p in _visible_files(corpus_dir) if p.suffix.lower() in SUFFIXES)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (with or without a BOM), UTF-16
    with a BOM, else Windows-1252 (what Word and PDF tools write), undecodable bytes replaced."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_corpus(corpus_dir: Path) -> tuple[list[CorpusFile], list[CorpusNote]]:
    """Read every usable report in ``corpus_dir``.

    Returns the files to index and a note for each file skipped or read with a
    fallback encoding. Raises :class:`CorpusError` when nothing is usable.
    """
    files: list[CorpusFile] = []
    notes: list[CorpusNote] = []
    seen: dict[str, str] = {}  # sha256 of the bytes, and of the text read -> first file name
    ids: set[str] = set()
    candidates = candidate_files(corpus_dir)
    for path in sorted(set(_visible_files(corpus_dir)) - set(candidates)):
        if path.name == OVERRIDES_FILE:
            continue
        notes.append(CorpusNote(path.name, f"skipped: only {', '.join(SUFFIXES)} files are read"))
    for path in candidates:
        is_pdf = path.suffix.lower() == ".pdf"
        try:
            size = path.stat().st_size
            limit = MAX_PDF_BYTES if is_pdf else MAX_BYTES
            if size > limit:
                notes.append(CorpusNote(path.name, f"skipped: {size} bytes is larger than {limit}"))
                continue
            data = path.read_bytes()
        except OSError as exc:
            notes.append(CorpusNote(path.name, f"skipped: cannot read it ({exc.strerror or exc})"))
            continue
        if not data.strip():
            notes.append(CorpusNote(path.name, "skipped: the file is empty"))
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen:
            notes.append(CorpusNote(path.name, f"skipped: the same text as {seen[sha]}"))
            continue
        page_numbers: tuple[int | None, ...] = ()
        headings: tuple[Span, ...] = ()
        is_html = path.suffix.lower() in HTML_SUFFIXES
        if is_html:
            try:
                page = extract_html(data)
            except UnreadableHtmlError as exc:
                notes.append(CorpusNote(path.name, f"skipped: {exc}"))
                continue
            text, encoding, headings = page.text, "html", page.headings
        elif is_pdf:
            try:
                extracted = extract_pdf(data)
            except UnreadablePdfError as exc:
                notes.append(CorpusNote(path.name, f"skipped: {exc}"))
                continue
            text, encoding, page_numbers = extracted.text, "pdf", extracted.page_numbers
        else:
            text, encoding = _decode(data)
        if (
            not is_pdf
            and not is_html
            and encoding != "utf-16"
            and (b"\x00" in data[:8192] or _binary_share(data) > 0.1)
        ):
            notes.append(CorpusNote(path.name, "skipped: this is a binary file, not text"))
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text_sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if text_sha in seen:
            notes.append(CorpusNote(path.name, f"skipped: the same text as {seen[text_sha]}"))
            continue
        if sum(ch.isalpha() for ch in text) < 20:
            notes.append(CorpusNote(path.name, "skipped: no readable text in it"))
            continue
        if encoding not in ("utf-8", "pdf", "html"):
            notes.append(CorpusNote(path.name, f"read as {encoding}: it is not valid UTF-8"))
        report_id = report_id_for(path)
        while report_id in ids:
            report_id += "-2"
        ids.add(report_id)
        seen[sha] = seen[text_sha] = path.name
        files.append(
            CorpusFile(
                path=path,
                report_id=report_id,
                sha256=sha,
                text=text,
                encoding=encoding,
                source_format="pdf" if is_pdf else "html" if is_html else "text",
                page_numbers=page_numbers,
                headings=headings,
            )
        )
    if not files:
        detail = (
            "; ".join(f"{n.name}: {n.message}" for n in notes) or "no .txt, .md, .pdf or .html files in it"
        )
        raise CorpusError(
            f"nothing to index in {corpus_dir} ({detail}): add a report's text as a .txt file, its .pdf, "
            "or its web page saved as .html"
        )
    return files, notes


def _visible_files(corpus_dir: Path) -> list[Path]:
    return [p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith(".")]


def _binary_share(data: bytes) -> float:
    sample = data[:8192]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control / max(1, len(sample))


def corpus_fingerprint(corpus_dir: Path) -> list[tuple[str, str]]:
    """``(file name, sha256)`` of each candidate file and of ``reports.toml``, cheap
    enough to check on every load."""
    found = [(p.name, file_sha256(p)) for p in candidate_files(corpus_dir)]
    overrides = corpus_dir / OVERRIDES_FILE
    if overrides.is_file():
        found.append((OVERRIDES_FILE, file_sha256(overrides)))
    return found


def read_overrides(
    corpus_dir: Path, files: list[CorpusFile]
) -> tuple[dict[str, dict[str, object]], list[CorpusNote]]:
    """The metadata overrides in ``corpus_dir/reports.toml`` by report file name, and a
    note for each problem in it. A file that is not TOML is noted and ignored whole:
    the reports are still indexed, with the metadata their title pages give."""
    path = corpus_dir / OVERRIDES_FILE
    if not path.is_file():
        return {}, []
    try:
        overrides, problems = parse_overrides(path.read_text(encoding="utf-8"), {f.path.name for f in files})
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, [
            CorpusNote(OVERRIDES_FILE, f"ignored: it is not valid TOML ({reason}); fix it and re-index")
        ]
    return overrides, [CorpusNote(OVERRIDES_FILE, f"ignored {p}") for p in problems]
