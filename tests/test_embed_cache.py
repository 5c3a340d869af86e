"""The embedding cache: a build embeds only text it has not seen, and what it takes from
the cache is exactly what it would have computed.

Most tests use the hash embedder (exact, and fast); one compares a cached rebuild with
the real model's index built from scratch.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from fakes import HashEmbedder
from peel_search.index import store
from peel_search.index.build import build_index
from peel_search.index.embed_cache import (
    CACHE_FILE,
    SPAN_IN_CONTEXT,
    TEXT,
    EmbeddingCache,
    PassageVectors,
    default_cache_path,
)
from peel_search.index.represent import dense_text, sentence_windows

TINY = Path(__file__).parent / "data" / "tiny-report.txt"
ARRAYS = (store.DENSE, store.WINDOWS, store.SENTENCES, store.TOKENS, store.TOKEN_OFFSETS)
MODEL = HashEmbedder.name
DIM = HashEmbedder.dim
quiet = lambda message: None  # noqa: E731


class OtherModel(HashEmbedder):
    name = "another/embedding-model"


class Counting(HashEmbedder):
    """The hash embedder, keeping every text it was asked to embed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return super().encode(texts)

    def encode_tokens(self, texts):
        self.seen.extend(texts)
        return super().encode_tokens(texts)


class InContext(Counting):
    """A hash embedder that reads a span in its text's context, as the real one can: the
    span's vector depends on the whole text and on where the span is in it."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[tuple[str, tuple[int, int]]] = []

    def encode_in_context(self, texts, spans):
        self.read.extend(zip(texts, spans, strict=True))
        parts = np.vstack([self._vector(f"{a}:{b} in {t}") for t, (a, b) in zip(texts, spans, strict=True)])
        return HashEmbedder.encode(self, texts), parts


def _corpus(folder: Path, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / TINY.name).write_text(text if text is not None else TINY.read_text("utf-8"), encoding="utf-8")
    return folder


def _texts(index: Path) -> tuple[set[str], set[str]]:
    """The passage texts and the sentence texts (alone and in context) an index embedded."""
    passages, sentences = set(), set()
    for row in store.read_jsonl(index / store.CHUNKS):
        chunk = store.chunk_from_row(row)
        alone = [chunk.text[a:b] for a, b in row["sentences"]]
        passages.add(dense_text(chunk))
        sentences.update(alone, sentence_windows(alone))
    return passages, sentences


def _same_index(a: Path, b: Path, exact: bool = True) -> None:
    assert store.read_jsonl(a / store.CHUNKS) == store.read_jsonl(b / store.CHUNKS)
    parts_a, parts_b = store.part_folders(store.read_manifest(a)), store.part_folders(store.read_manifest(b))
    assert parts_a == parts_b
    for part in parts_a:
        for name in ARRAYS:
            x, y = np.load(a / part / name), np.load(b / part / name)
            assert x.dtype == y.dtype and x.shape == y.shape, (part, name)
            if exact or name == store.TOKEN_OFFSETS:
                assert np.array_equal(x, y), (part, name)
            elif name == store.TOKENS:  # float16 in the index: one rounding step apart at most
                assert np.allclose(x.astype(np.float32), y.astype(np.float32), rtol=0, atol=2e-3), (
                    part,
                    name,
                )
            else:
                assert np.allclose(x, y, rtol=0, atol=1e-5), (part, name)


# -- the cache file on its own ------------------------------------------------------------


def _passage(seed: int, pieces: int = 3) -> PassageVectors:
    rng = np.random.default_rng(seed)
    tokens = rng.standard_normal((pieces, DIM)).astype(np.float16)
    return PassageVectors(
        rng.standard_normal(DIM).astype(np.float32), tuple(f"w{i}" for i in range(pieces)), tokens
    )


def test_vectors_come_back_bit_for_bit(tmp_path):
    path = tmp_path / "cache" / CACHE_FILE
    sentence = np.random.default_rng(1).standard_normal(DIM).astype(np.float32)
    passage = _passage(2)
    with EmbeddingCache(path, MODEL, DIM) as cache:
        cache.add_vectors(TEXT, {"A sentence.": sentence})
        cache.add_passages({"A passage.": passage, "No content words.": _passage(3, pieces=0)})
    with EmbeddingCache(path, MODEL, DIM) as cache:
        found = cache.vectors(TEXT, ["A sentence.", "Not seen."])
        assert list(found) == ["A sentence."]
        assert found["A sentence."].dtype == np.float32
        assert found["A sentence."].tobytes() == sentence.tobytes()
        passages = cache.passages(["A passage.", "No content words.", "A sentence."])
        assert set(passages) == {"A passage.", "No content words."}
        got = passages["A passage."]
        assert got.pieces == passage.pieces
        assert got.pooled.tobytes() == passage.pooled.tobytes()
        assert got.tokens.dtype == np.float16 and got.tokens.tobytes() == passage.tokens.tobytes()
        assert passages["No content words."].tokens.shape == (0, DIM)
        # A text's vector is not a passage's, nor a span's, nor the other way round.
        assert cache.vectors(TEXT, ["A passage."]) == {}
        assert cache.vectors(SPAN_IN_CONTEXT, ["A sentence."]) == {}


def test_another_model_finds_nothing(tmp_path):
    path = tmp_path / CACHE_FILE
    vector = np.ones(DIM, dtype=np.float32)
    with EmbeddingCache(path, MODEL, DIM) as cache:
        cache.add_vectors(TEXT, {"text": vector})
        cache.add_passages({"text": _passage(4)})
    with EmbeddingCache(path, OtherModel.name, DIM) as other:
        assert other.vectors(TEXT, ["text"]) == {} and other.passages(["text"]) == {}
    with EmbeddingCache(path, MODEL, DIM * 2) as wider:  # same name, other dimension: blobs do not fit
        assert wider.vectors(TEXT, ["text"]) == {} and wider.passages(["text"]) == {}


def test_a_row_that_does_not_fit_is_a_miss(tmp_path):
    path = tmp_path / CACHE_FILE
    with EmbeddingCache(path, MODEL, DIM) as cache:
        cache.add_vectors(TEXT, {"short": np.ones(DIM, dtype=np.float32)})
        cache.add_passages({"cut": _passage(5)})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE vectors SET vector = substr(vector, 1, 100) WHERE pieces IS NULL")
        db.execute("UPDATE vectors SET tokens = substr(tokens, 1, 10) WHERE pieces IS NOT NULL")
    with EmbeddingCache(path, MODEL, DIM) as cache:
        assert cache.vectors(TEXT, ["short"]) == {} and cache.passages(["cut"]) == {}


def test_a_changed_byte_is_a_miss(tmp_path):
    path = tmp_path / CACHE_FILE
    with EmbeddingCache(path, MODEL, DIM) as cache:
        cache.add_vectors(TEXT, {"flipped": np.ones(DIM, dtype=np.float32)})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE vectors SET vector = zeroblob(length(vector))")
    with EmbeddingCache(path, MODEL, DIM) as cache:
        assert cache.vectors(TEXT, ["flipped"]) == {}


def test_a_damaged_file_is_set_aside_and_a_new_one_started(tmp_path):
    path = tmp_path / CACHE_FILE
    path.write_bytes(b"this is not an SQLite database" * 100)
    said: list[str] = []
    with EmbeddingCache(path, MODEL, DIM, warn=said.append) as cache:
        assert cache.usable
        assert cache.vectors(TEXT, ["anything"]) == {}
        cache.add_vectors(TEXT, {"anything": np.ones(DIM, dtype=np.float32)})
        assert set(cache.vectors(TEXT, ["anything"])) == {"anything"}
    assert len(said) == 1 and "set aside" in said[0]
    assert path.with_name(CACHE_FILE + ".damaged").read_bytes().startswith(b"this is not")


def test_a_cache_that_cannot_be_made_is_done_without(tmp_path):
    (tmp_path / "a file").write_text("in the way", encoding="utf-8")
    said: list[str] = []
    cache = EmbeddingCache(tmp_path / "a file" / CACHE_FILE, MODEL, DIM, warn=said.append)
    assert not cache.usable and len(said) == 1
    cache.add_vectors(TEXT, {"text": np.ones(DIM, dtype=np.float32)})
    assert cache.vectors(TEXT, ["text"]) == {} and cache.passages(["text"]) == {}
    cache.close()


# -- in a build ---------------------------------------------------------------------------


def test_the_cache_sits_beside_the_index_and_survives_a_rebuild(tmp_path):
    corpus, index = _corpus(tmp_path / "corpus"), tmp_path / "out" / "index"
    first = build_index(corpus, index, progress=quiet, embedder=HashEmbedder())
    assert default_cache_path(index) == tmp_path / "out" / ".index.cache" / CACHE_FILE
    assert default_cache_path(index).is_file()
    assert first.cache_hits == 0 and first.cache_misses > 0
    assert {"parse", "chunk", "tag", "embed passages", "embed sentences", "write", "assemble"} <= set(
        first.timings
    )
    embedder = Counting()
    again = build_index(corpus, index, progress=quiet, embedder=embedder, reuse=False)
    assert again.processed == first.processed
    assert (again.cache_hits, again.cache_misses) == (first.cache_misses, 0)
    assert embedder.seen == []


def test_a_changed_report_embeds_only_its_new_text(tmp_path):
    corpus, index = _corpus(tmp_path / "corpus"), tmp_path / "index"
    build_index(corpus, index, progress=quiet, embedder=HashEmbedder())
    old_passages, old_sentences = _texts(index)

    text = (
        TINY.read_text("utf-8").replace("meet every week to review", "meet every fortnight to review")
        + "\nA new closing paragraph says what happens next. It has two sentences.\n"
    )
    _corpus(corpus, text)
    embedder = Counting()
    result = build_index(corpus, index, progress=quiet, embedder=embedder)
    new_passages, new_sentences = _texts(index)

    fresh = (new_passages - old_passages) | (new_sentences - old_sentences)
    assert fresh and sorted(set(embedder.seen)) == sorted(fresh)
    assert len(embedder.seen) == len(set(embedder.seen))  # each text embedded once
    assert result.cache_misses == len(new_passages - old_passages) + len(new_sentences - old_sentences)
    assert result.cache_hits == len(new_passages & old_passages) + len(new_sentences & old_sentences) > 0


def test_an_index_from_the_cache_equals_one_built_without_it(tmp_path):
    corpus = _corpus(tmp_path / "corpus")
    cache = tmp_path / "shared" / CACHE_FILE
    build_index(corpus, tmp_path / "first", progress=quiet, embedder=HashEmbedder(), cache=cache)
    cached = build_index(corpus, tmp_path / "cached", progress=quiet, embedder=HashEmbedder(), cache=cache)
    assert cached.cache_misses == 0 and cached.cache_hits > 0
    plain = build_index(corpus, tmp_path / "plain", progress=quiet, embedder=HashEmbedder(), cache=False)
    assert plain.cache_hits == 0 and plain.cache_misses == cached.cache_hits
    assert not (tmp_path / ".plain.cache").exists()
    _same_index(tmp_path / "cached", tmp_path / "plain")


def test_sentences_read_in_their_window_are_cached_by_window_and_place(tmp_path):
    corpus, index = _corpus(tmp_path / "corpus"), tmp_path / "index"
    first = InContext()
    build_index(corpus, index, progress=quiet, embedder=first)
    passages, _ = _texts(index)
    assert sorted(first.seen) == sorted(passages)  # no sentence, nor window, embedded alone
    assert first.read and len(first.read) == len(set(first.read))
    part = tmp_path / "index" / store.part_folders(store.read_manifest(index))[0]
    rows = store.read_jsonl(index / store.CHUNKS)
    expected = []
    for row in rows:
        alone = [row["text"][a:b] for a, b in row["sentences"]]
        for i, window in enumerate(sentence_windows(alone)):
            start = window.index(alone[i], len(" ".join(alone[max(0, i - 1) : i])))
            expected.append(HashEmbedder._vector(f"{start}:{start + len(alone[i])} in {window}"))
    assert np.array_equal(np.load(part / store.SENTENCES), np.vstack(expected))

    again = InContext()
    rebuilt = build_index(
        corpus, tmp_path / "again", progress=quiet, embedder=again, cache=default_cache_path(index)
    )
    assert again.read == [] and again.seen == [] and rebuilt.cache_misses == 0
    _same_index(tmp_path / "again", index)

    text = TINY.read_text("utf-8").replace("meet every week to review", "meet every fortnight to review")
    _corpus(corpus, text)
    changed = InContext()
    build_index(corpus, index, progress=quiet, embedder=changed)
    windows = {w for w, _ in changed.read}
    assert windows and all("fortnight" in w for w in windows)


def test_another_model_does_not_hit_in_a_build(tmp_path):
    corpus, index = _corpus(tmp_path / "corpus"), tmp_path / "index"
    first = build_index(corpus, index, progress=quiet, embedder=HashEmbedder())
    other = build_index(corpus, index, progress=quiet, embedder=OtherModel())
    assert other.processed == first.processed  # the model is part of every part's key too
    assert (other.cache_hits, other.cache_misses) == (0, first.cache_misses)


def test_a_damaged_cache_does_not_stop_a_build(tmp_path):
    corpus, index = _corpus(tmp_path / "corpus"), tmp_path / "index"
    build_index(corpus, tmp_path / "reference", progress=quiet, embedder=HashEmbedder(), cache=False)
    path = default_cache_path(index)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage" * 1000)
    said: list[str] = []
    result = build_index(corpus, index, progress=said.append, embedder=HashEmbedder())
    assert [n.name for n in result.notes] == [str(path)]
    assert "set aside" in result.notes[0].message
    assert any("set aside" in message for message in said)
    assert path.with_name(CACHE_FILE + ".damaged").exists()
    _same_index(index, tmp_path / "reference")
    again = build_index(corpus, index, progress=quiet, embedder=HashEmbedder(), reuse=False)
    assert again.notes == () and again.cache_misses == 0


def test_a_cache_damaged_between_builds_is_replaced_and_the_index_is_right(tmp_path):
    corpus, index = _corpus(tmp_path / "corpus"), tmp_path / "index"
    build_index(corpus, index, progress=quiet, embedder=HashEmbedder())
    reference = tmp_path / "reference"
    shutil.copytree(index, reference)
    path = default_cache_path(index)
    data = bytearray(path.read_bytes())
    data[len(data) // 2 :] = b"\xff" * (len(data) - len(data) // 2)  # the second half of every page gone
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        path.with_name(CACHE_FILE + suffix).unlink(missing_ok=True)
    result = build_index(corpus, index, progress=quiet, embedder=HashEmbedder(), reuse=False)
    assert result.processed
    _same_index(index, reference)


# -- with the real model ------------------------------------------------------------------


@pytest.mark.models
def test_a_rebuild_from_the_cache_equals_the_real_index(built_index_dir, corpus_copy, tmp_path):
    """The session's index was built with the real model and the cache beside it: a
    rebuild elsewhere from that cache embeds nothing and gives the same index."""
    cache = default_cache_path(built_index_dir)
    rebuilt = build_index(corpus_copy, tmp_path / "index", progress=quiet, cache=cache)
    assert rebuilt.cache_misses == 0 and rebuilt.cache_hits > 0
    _same_index(tmp_path / "index", built_index_dir)


@pytest.mark.models
def test_batched_encoding_equals_sentence_transformers():
    from peel_search.models import get_embedder

    embedder = get_embedder()
    texts = ["Short.", "A somewhat longer sentence about neighbourhood policing teams.", "Risk " * 300, "x"]
    ours = embedder.encode(texts)
    theirs = embedder._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.dtype == np.float32 and np.allclose(ours, theirs, atol=1e-5)
    for vector, (pooled, pieces, tokens) in zip(ours, embedder.encode_tokens(texts), strict=True):
        assert np.allclose(vector, pooled, atol=1e-6)
        assert len(pieces) == len(tokens) <= embedder.max_tokens


@pytest.mark.models
def test_a_span_read_in_context_is_the_mean_of_its_word_pieces_there():
    from peel_search.models import get_embedder

    embedder = get_embedder()
    window = "The force has improved. It now answers most calls within the target time. Victims say so."
    start = window.index("It now")
    span = (start, window.index(" Victims"))
    whole, parts = embedder.encode_in_context([window, window], [span, (0, 23)])
    assert np.allclose(whole, embedder.encode([window, window]), atol=1e-6)
    _, pieces, vectors = embedder.encode_tokens([window])[0]
    full_stops = [i for i, p in enumerate(pieces) if p == "."]
    mean = vectors[pieces.index("it") : full_stops[1] + 1].mean(axis=0)  # "It now ... time."
    assert np.allclose(parts[0], mean / np.linalg.norm(mean), atol=1e-5)
    assert not np.allclose(parts[0], embedder.encode([window[slice(*span)]])[0], atol=1e-2)  # context counts

    # A span that truncation cut off is read alone.
    long_text = "Risk " * 400 + "The last sentence."
    tail = (long_text.index("The last"), len(long_text))
    _, cut = embedder.encode_in_context([long_text], [tail])
    assert np.allclose(cut[0], embedder.encode(["The last sentence."])[0], atol=1e-6)
