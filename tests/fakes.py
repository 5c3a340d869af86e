"""Test doubles and helpers shared by the test modules."""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from peel_search.models import EMBEDDING_DIM, EMBEDDING_MODEL

#: Headings of the bundled report that several test modules cite.
INVESTIGATING = "How effective is the force at investigating crime and managing offenders?"
VULNERABLE = (
    "How effective is the force at protecting from harm those who are vulnerable, and supporting victims?"
)
SOC = (
    "How effective is the force at tackling serious and organised crime, including its arrangements "
    "for fulfilling its national policing responsibilities?"
)

#: The fields every JSON hit carries (the CLI's --format json, Hit.to_dict).
HIT_FIELDS = frozenset(
    {
        "id",
        "text",
        "score",
        "section",
        "page",
        "paragraph",
        "citation",
        "start",
        "end",
        "best_sentence",
        "entities",
        "footnotes",
    }
)


class HashEmbedder:
    """Deterministic stand-in for the sentence embedder: a unit vector per text from its hash."""

    name = EMBEDDING_MODEL
    dim = EMBEDDING_DIM

    @staticmethod
    def _vector(text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(EMBEDDING_DIM).astype(np.float32)
        return v / np.linalg.norm(v)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = self._vector(t)
        return out

    def encode_tokens(self, texts: list[str]) -> list[tuple[np.ndarray, list[str], np.ndarray]]:
        result = []
        for t in texts:
            pieces = ["[CLS]", *re.findall(r"[a-z0-9]+", t.lower()), "[SEP]"]
            vectors = np.vstack([self._vector(p) for p in pieces])
            result.append((self._vector(t), pieces, vectors))
        return result

    def word_vectors(self, words: list[str]) -> np.ndarray:
        return self.encode(words)


def free_port() -> int:
    """A loopback port nobody is listening on (for a test server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(
    index: Any, app: Any = None, port: int | None = None, allow_origins: Sequence[str] = ()
) -> Iterator[str]:
    """The server for ``index`` (with the web app ``app`` when given) run in-process on a
    free loopback port, as ``peel-search serve`` runs it; yields its base URL."""
    from peel_search.web.server import start

    with start(index, port=port or free_port(), allow_origins=allow_origins, blocks=app) as running:
        yield running.url


def refusal(html: str) -> str:
    """The one-line message a page handler shows in place of its results ("" when it shows
    results): bad input is said in the area the user was looking at, not in a pop-up."""
    from html import unescape

    found = re.search(r'<div class="ps-message ps-message-warning">(.*?)</div>', html, re.S)
    return unescape(found.group(1)) if found else ""
