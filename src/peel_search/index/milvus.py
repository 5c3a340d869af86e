"""Milvus collections that mirror an index folder: the store behind backend ``milvus``.

What a first stage needs to find candidate passages goes to Milvus; everything else
(passage text, citations, sentence spans, the re-ranking vectors) stays in the index
folder, read by the app process. Three collections, named from a prefix so that two
indexes can share one server:

    <prefix>_passages   one row per passage: its vector, its BM25 terms (Milvus's BM25
                        function turns them into a sparse vector), and the filter fields
    <prefix>_sentences  one row per sentence in context: its vector, the passage that
                        owns it, and the same filter fields
    <prefix>_reports    the ledger: per report, the part key its rows were made from

Filter fields: ``report_id``, ``force``, ``year`` (0 when unknown), ``section`` (the
heading path as :func:`section_key` joins it) and ``entity_keys`` (see
:func:`passage_entity_keys`).

BM25 sees the terms peel-search's own English analyzer makes of the passage
(:func:`bm25_terms`: stop words out, Snowball stems cut to a prefix), not the raw
text: Milvus's built-in analyzers stem differently (and Milvus Lite has no stemmer at
all), and the same terms on both backends keep their rankings alike. Milvus's
``standard`` tokenizer then only has to split them on spaces.

:func:`sync` is incremental by report, like the index build: a report whose part key
is in the ledger is left alone; a changed or removed report's rows are deleted and,
if it is still in the index, written again. A report enters the ledger only once all
its rows are in, so a sync that is interrupted is completed by the next one.

pymilvus is imported inside the functions that talk to Milvus: importing peel_search
stays fast, and the package is only needed by those who choose this backend.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexCorruptError, IndexUnusableError
from ..types import Chunk, Entity
from . import store
from .lexical import index_terms
from .represent import lexical_text

#: Bumped whenever a collection's fields or the way rows are made from the index
#: change: collections made under another version are dropped and written again.
SCHEMA_VERSION = 1
DEFAULT_PREFIX = "peel"
#: The most hits one Milvus search may return (its ``topk`` limit).
MAX_TOPK = 16_384
#: Rows per insert call: well under gRPC's message limit with 384-dimension vectors.
INSERT_BATCH = 500
#: BM25 parameters, the same as the index's own BM25 (``LexicalIndex.build``).
BM25_K1 = 1.2
BM25_B = 0.75
#: Field limits. Milvus caps an ARRAY at 4,096 elements and a VARCHAR at 65,535 bytes.
ID_LENGTH = 128
REPORT_LENGTH = 512
SECTION_LENGTH = 8_192
TERMS_LENGTH = 65_535
KEY_LENGTH = 1_024
MAX_KEYS = 4_096
#: The ledger row that records how the collections were made (never a report id:
#: report ids are file names, which hold no "/").
SCHEMA_ROW = "peel-search/schema"
LEDGER_DIM = 2

Progress = Callable[[str], None]
INSTALL = "pip install pymilvus milvus-lite"


def entity_key(label: str, text: str) -> str:
    """The key a passage carries for an entity: ``LABEL:text``, whitespace collapsed and
    case folded; the label may be empty (an entity filter without a label matches any)."""
    return f"{label}:{' '.join(text.split()).casefold()}"


def section_key(path: Sequence[str]) -> str:
    """A heading path as one string, the form Milvus filters on."""
    return " › ".join(path)


def passage_entity_keys(entities: Iterable[Entity]) -> list[str]:
    """Every key an entity filter may ask a passage for: per entity, its surface text and
    its canonical name, each with its label and without one. Sorted, distinct, each
    within the field's limits."""
    keys: set[str] = set()
    for e in entities:
        for text in (e.text, e.canonical):
            if text.strip():
                keys.update((entity_key(e.label, text), entity_key("", text)))
    fitting = sorted(k for k in keys if len(k.encode("utf-8")) <= KEY_LENGTH)
    return fitting[:MAX_KEYS]


def bm25_terms(text: str) -> str:
    """The terms BM25 matches, as text Milvus's ``standard`` tokenizer splits back into
    exactly these terms (a decimal point would split "3.5", so it becomes "_")."""
    return " ".join(t.replace(".", "_") for t in index_terms(text))


@dataclass(frozen=True, slots=True)
class Collections:
    """The names of one index's collections."""

    passages: str
    sentences: str
    reports: str

    @classmethod
    def named(cls, prefix: str = DEFAULT_PREFIX) -> Collections:
        return cls(f"{prefix}_passages", f"{prefix}_sentences", f"{prefix}_reports")

    def all(self) -> tuple[str, str, str]:
        return (self.passages, self.sentences, self.reports)


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync did: the reports written (added or changed), those removed, how many
    were already in place, the rows written, and whether the collections were made
    afresh (first sync, or another schema, version or dimension)."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    passages: int
    sentences: int
    recreated: bool


def is_lite(uri: str) -> bool:
    """Whether ``uri`` names a Milvus Lite file rather than a server."""
    return not uri.lower().startswith(("http://", "https://", "tcp://", "unix:"))


def connect(uri: str, token: str = "", timeout: float = 10.0) -> Any:
    """A ``MilvusClient`` for ``uri``: a file path ending in ``.db`` starts Milvus Lite in
    this process, ``http://host:19530`` reaches a server.

    Raises :class:`IndexUnusableError` when pymilvus (or, for a file, milvus-lite) is not
    installed, the file name is not usable, or the server cannot be reached.
    """
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise IndexUnusableError("the milvus backend needs the pymilvus package", INSTALL) from exc
    if is_lite(uri):
        uri = _lite_path(uri)
    try:
        return MilvusClient(uri=uri, token=token, timeout=timeout)
    except Exception as exc:
        if is_lite(uri) and "milvus-lite" in str(exc).lower():
            raise IndexUnusableError("Milvus Lite is not installed", INSTALL) from exc
        if is_lite(uri) and _held_elsewhere(Path(uri)):
            raise IndexUnusableError(
                f"the Milvus Lite file {uri} is open in another process (Milvus Lite serves one)",
                "stop that process, or share a Milvus server: --milvus-uri http://host:19530",
            ) from exc
        raise IndexUnusableError(
            f"cannot reach Milvus at {uri} ({first_line(exc)})", "start it or check --milvus-uri"
        ) from exc


def _lite_path(uri: str) -> str:
    path = Path(uri).expanduser()
    if path.suffix != ".db":
        raise IndexUnusableError(
            f"{uri} is neither a Milvus Lite file nor a server URI",
            "give a file ending in .db (e.g. ./milvus.db) or http://host:19530",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def _held_elsewhere(path: Path) -> bool:
    """Whether another process holds the lock Milvus Lite takes on its folder."""
    lock = path / "LOCK"
    if not lock.is_file():
        return False
    with lock.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def first_line(exc: BaseException) -> str:
    """The start of an exception's message, to quote inside a one-line error."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


# -- schemas ------------------------------------------------------------------------------


def _filter_fields(schema: Any) -> None:
    from pymilvus import DataType

    schema.add_field("report_id", DataType.VARCHAR, max_length=REPORT_LENGTH)
    schema.add_field("force", DataType.VARCHAR, max_length=REPORT_LENGTH)
    schema.add_field("year", DataType.INT64)
    schema.add_field("section", DataType.VARCHAR, max_length=SECTION_LENGTH)
    schema.add_field(
        "entity_keys",
        DataType.ARRAY,
        element_type=DataType.VARCHAR,
        max_capacity=MAX_KEYS,
        max_length=KEY_LENGTH,
    )
    schema.add_field("part_key", DataType.VARCHAR, max_length=ID_LENGTH)


def passage_schema(dim: int) -> Any:
    """Passages: id, vector, BM25 terms and their sparse vector, the filter fields."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=ID_LENGTH)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field(
        "terms",
        DataType.VARCHAR,
        max_length=TERMS_LENGTH,
        enable_analyzer=True,
        analyzer_params={"tokenizer": "standard"},
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    _filter_fields(schema)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["terms"],
            output_field_names=["sparse"],
        )
    )
    return schema


def sentence_schema(dim: int) -> Any:
    """Sentences in context: id (``<chunk id>:<n>``), vector, owning passage, filter fields."""
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=ID_LENGTH)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("chunk_id", DataType.VARCHAR, max_length=ID_LENGTH)
    _filter_fields(schema)
    return schema


def ledger_schema() -> Any:
    """The ledger: per report id, its part key and row counts. Milvus wants a vector in
    every collection, so each row carries a constant one."""
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=REPORT_LENGTH)
    schema.add_field("part_key", DataType.VARCHAR, max_length=ID_LENGTH * 4)
    schema.add_field("passages", DataType.INT64)
    schema.add_field("sentences", DataType.INT64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=LEDGER_DIM)
    return schema


def _index_params(client: Any, kind: str, lite: bool) -> Any:
    """Exact search on Milvus Lite (small by design); the server's own choice
    (``AUTOINDEX``, a graph) on a server, where the collections are large."""
    params = client.prepare_index_params()
    params.add_index(field_name="vector", index_type="FLAT" if lite else "AUTOINDEX", metric_type="IP")
    if kind == "passages":
        bm25 = {"bm25_k1": BM25_K1, "bm25_b": BM25_B}
        params.add_index(
            field_name="sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            # pymilvus sends these as keys of their own, which Milvus reads; Milvus Lite
            # reads only the older form, a JSON "params" key, which Milvus reads too.
            params={**bm25, "params": bm25},
        )
    if kind != "reports":
        # Milvus Lite has no scalar index on an ARRAY field (it scans it instead).
        for name in ("report_id", "section") if lite else ("report_id", "section", "entity_keys"):
            params.add_index(field_name=name, index_type="INVERTED")
    return params


def fingerprint(manifest: store.Manifest) -> str:
    """What the collections' rows depend on beyond each report's part key."""
    return json.dumps(
        {"schema": SCHEMA_VERSION, "model": manifest.embedding_model, "dim": manifest.embedding_dim},
        sort_keys=True,
    )


def _shape(description: dict[str, Any]) -> dict[str, Any]:
    """Field names, types and vector dimensions of a described collection."""
    return {
        f["name"]: (int(f["type"]), int(f.get("params", {}).get("dim", 0) or 0))
        for f in description.get("fields", [])
    }


def _expected_shapes(dim: int) -> dict[str, dict[str, Any]]:
    """The shape each collection should have (from the schemas, not from Milvus)."""
    schemas = {"passages": passage_schema(dim), "sentences": sentence_schema(dim), "reports": ledger_schema()}
    return {kind: _shape(schema.to_dict()) for kind, schema in schemas.items()}


def _collections_fit(client: Any, names: Collections, manifest: store.Manifest) -> bool:
    """Whether all three collections exist with the expected fields and fingerprint."""
    if not all(client.has_collection(n) for n in names.all()):
        return False
    expected = _expected_shapes(manifest.embedding_dim)
    for kind, name in zip(("passages", "sentences", "reports"), names.all(), strict=True):
        if _shape(client.describe_collection(name)) != expected[kind]:
            return False
    client.load_collection(names.reports)
    row = client.get(names.reports, ids=[SCHEMA_ROW], output_fields=["part_key"])
    return bool(row) and row[0]["part_key"] == fingerprint(manifest)


def _create_collections(client: Any, names: Collections, manifest: store.Manifest, lite: bool) -> None:
    dim = manifest.embedding_dim
    for name in names.all():
        if client.has_collection(name):
            client.drop_collection(name)
    schemas = (passage_schema(dim), sentence_schema(dim), ledger_schema())
    for kind, name, schema in zip(("passages", "sentences", "reports"), names.all(), schemas, strict=True):
        client.create_collection(name, schema=schema, consistency_level="Strong")
        # An empty collection's indexes are ready at once: not waiting for them saves
        # pymilvus's half-second poll per index.
        client.create_index(name, _index_params(client, kind, lite), sync=False)
        client.load_collection(name)
    client.upsert(names.reports, [_ledger_row(SCHEMA_ROW, fingerprint(manifest), 0, 0)])


def _ledger_row(report_id: str, key: str, passages: int, sentences: int) -> dict[str, Any]:
    return {
        "id": report_id,
        "part_key": key,
        "passages": passages,
        "sentences": sentences,
        "vector": [0.0] * LEDGER_DIM,
    }


# -- rows from the index folder -----------------------------------------------------------


@dataclass(frozen=True)
class _Report:
    """One report as the index folder holds it: what its rows are made from."""

    report_id: str
    key: str
    part: Path
    rows: list[dict[str, Any]]
    meta: dict[str, Any]


def _reports_in(folder: Path, manifest: store.Manifest) -> dict[str, _Report]:
    """Every report of the index, with its passages in position order."""
    rows_by_report: dict[str, list[dict[str, Any]]] = {}
    for row in store.read_jsonl(folder / store.CHUNKS):
        rows_by_report.setdefault(row["report_id"], []).append(row)
    try:
        metas = {r["report_id"]: r for r in json.loads((folder / store.REPORTS).read_text(encoding="utf-8"))}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"{folder / store.REPORTS} cannot be read ({exc})", store.REBUILD) from exc
    out: dict[str, _Report] = {}
    for entry in manifest.corpus:
        rid = str(entry.get("report_id", ""))
        out[rid] = _Report(
            rid,
            str(entry.get("key", "")),
            folder / str(entry.get("part", "")),
            rows_by_report.get(rid, []),
            metas.get(rid, {}),
        )
    return out


def _vectors(report: _Report, name: str, count: int) -> np.ndarray:
    """One of a part's vector files, checked against the number of rows it must hold."""
    try:
        matrix = np.load(report.part / name, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{report.part / name} cannot be read ({exc})", store.REBUILD) from exc
    if matrix.ndim != 2 or len(matrix) != count:
        raise IndexCorruptError(
            f"{report.part / name} holds {len(matrix)} vectors where {count} were expected", store.REBUILD
        )
    return np.asarray(matrix, dtype=np.float32)


def _filter_values(report: _Report, chunk: Chunk) -> dict[str, Any]:
    year = report.meta.get("year")
    return {
        "report_id": report.report_id,
        "force": str(report.meta.get("force") or "")[:REPORT_LENGTH],
        "year": int(year) if isinstance(year, int) else 0,
        "section": section_key(chunk.section),
        "entity_keys": passage_entity_keys(chunk.entities),
        "part_key": report.key,
    }


def passage_rows(report: _Report) -> Iterator[dict[str, Any]]:
    """The passages collection's rows for one report."""
    dense = _vectors(report, store.DENSE, len(report.rows))
    for row, vector in zip(report.rows, dense, strict=True):
        chunk = store.chunk_from_row(row)
        terms = bm25_terms(lexical_text(chunk)).encode("utf-8")[:TERMS_LENGTH].decode("utf-8", "ignore")
        yield {"id": chunk.id, "vector": vector.tolist(), "terms": terms, **_filter_values(report, chunk)}


def sentence_rows(report: _Report) -> Iterator[dict[str, Any]]:
    """The sentences collection's rows for one report: passage ``i`` owns as many
    consecutive window vectors as it has sentences."""
    windows = _vectors(report, store.WINDOWS, sum(len(r["sentences"]) for r in report.rows))
    at = 0
    for row in report.rows:
        chunk = store.chunk_from_row(row)
        fields = _filter_values(report, chunk)
        for n in range(len(row["sentences"])):
            yield {"id": f"{chunk.id}:{n}", "vector": windows[at].tolist(), "chunk_id": chunk.id, **fields}
            at += 1


# -- sync ---------------------------------------------------------------------------------


def sync(
    index_folder: Path,
    uri: str,
    *,
    client: Any = None,
    prefix: str = DEFAULT_PREFIX,
    progress: Progress | None = None,
) -> SyncResult:
    """Make the Milvus collections named by ``prefix`` mirror the index in ``index_folder``.

    ``uri`` is a ``.db`` file for Milvus Lite or ``http://host:19530`` for a server;
    ``client``, when given, is an open connection to it. Only reports whose part key
    changed, or that are new or gone, are written or deleted; collections made by another
    schema version, embedding model or dimension are dropped and made again.

    Raises :class:`IndexUnusableError` (or a subclass) when the index folder or Milvus
    cannot be used.
    """
    client = client if client is not None else connect(uri)
    say = progress or (lambda message: None)
    folder = Path(index_folder)
    manifest = store.read_manifest(folder)
    names = Collections.named(prefix)
    recreated = not _collections_fit(client, names, manifest)
    if recreated:
        say(f"creating the Milvus collections {', '.join(names.all())}")
        _create_collections(client, names, manifest, is_lite(uri))
    for name in names.all():
        client.load_collection(name)
    stored = _ledger(client, names)
    reports = _reports_in(folder, manifest)
    wanted = {rid: r.key for rid, r in reports.items()}
    stale = sorted(rid for rid, key in stored.items() if wanted.get(rid) != key)
    _delete_reports(client, names, stale)
    written = sorted(rid for rid in wanted if stored.get(rid) != wanted[rid])
    counts = [0, 0]
    for n, rid in enumerate(written, start=1):
        say(f"Milvus: writing {rid} ({n}/{len(written)})")
        passages, sentences = _write_report(client, names, reports[rid])
        counts[0] += passages
        counts[1] += sentences
    if stale or written:
        for name in names.all():
            client.flush(name)
    removed = tuple(rid for rid in stale if rid not in wanted)
    return SyncResult(tuple(written), removed, len(wanted) - len(written), counts[0], counts[1], recreated)


def _ledger(client: Any, names: Collections) -> dict[str, str]:
    """``{report id: part key}`` of every report whose rows are all in Milvus."""
    rows = client.query(names.reports, filter='id != ""', output_fields=["part_key"], limit=MAX_TOPK)
    if len(rows) == MAX_TOPK:  # a library this large is read page by page
        rows = []
        iterator = client.query_iterator(
            names.reports, batch_size=1000, filter="", output_fields=["part_key"]
        )
        try:
            while batch := iterator.next():
                rows.extend(batch)
        finally:
            iterator.close()
    return {r["id"]: r["part_key"] for r in rows if r["id"] != SCHEMA_ROW}


def report_filter(report_ids: Sequence[str]) -> str:
    """A filter expression selecting the rows of these reports."""
    return f"report_id in [{', '.join(string_literal(r) for r in report_ids)}]"


def string_literal(value: str) -> str:
    """``value`` as a double-quoted string in a Milvus filter expression."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def _delete_reports(client: Any, names: Collections, report_ids: Sequence[str]) -> None:
    """Take reports out of the ledger first, then delete their rows: a report in the
    ledger always has all its rows."""
    for start in range(0, len(report_ids), 100):
        batch = list(report_ids[start : start + 100])
        client.delete(names.reports, ids=batch)
        client.delete(names.passages, filter=report_filter(batch))
        client.delete(names.sentences, filter=report_filter(batch))


def _write_report(client: Any, names: Collections, report: _Report) -> tuple[int, int]:
    """Write one report's rows (after clearing any a broken sync left), then its ledger row.

    Rows are upserted by id, so two app processes syncing one server at the same time
    write the same rows twice rather than two copies of them.
    """
    client.delete(names.passages, filter=report_filter([report.report_id]))
    client.delete(names.sentences, filter=report_filter([report.report_id]))
    passages = _upsert(client, names.passages, passage_rows(report))
    sentences = _upsert(client, names.sentences, sentence_rows(report))
    client.upsert(names.reports, [_ledger_row(report.report_id, report.key, passages, sentences)])
    return passages, sentences


def _upsert(client: Any, collection: str, rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` in batches of :data:`INSERT_BATCH`; how many were written."""
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == INSERT_BATCH:
            count += int(client.upsert(collection, batch)["upsert_count"])
            batch = []
    if batch:
        count += int(client.upsert(collection, batch)["upsert_count"])
    return count


def row_counts(client: Any, names: Collections) -> dict[str, int]:
    """Rows in each collection (the ledger without its schema row), as Milvus counts them."""
    counts = {}
    for name in names.all():
        result = client.query(name, filter="", output_fields=["count(*)"])
        counts[name] = int(result[0]["count(*)"])
    counts[names.reports] -= 1
    return counts
