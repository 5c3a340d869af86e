"""Lexical matching: the tokenizer shared by index and query, and the BM25 index.

Tokens are lower-case words with English stop words removed, Snowball-stemmed.
A hyphenated word also yields its parts and its closed form, so "anti-social",
"antisocial" and "anti social" meet.

BM25 matches stems cut to their first :data:`TERM_PREFIX` characters: Snowball strips
inflections but few derivational endings ("terrorism" -> "terror", "terrorist" ->
"terrorist"; "partner" / "partnership", "supervise" / "supervisor"), and a shared
prefix of the stem brings such families together.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'’.][a-z0-9]+)*")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves s t""".split()
)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Stemmed lexical tokens of ``text``."""
    raw: list[str] = []
    for tok in _TOKEN_RE.findall(text.lower()):
        tok = tok.replace("’", "'")
        if tok.endswith("'s"):
            tok = tok[:-2]
        if "-" in tok:
            parts = [p for p in tok.split("-") if p]
            raw.extend(parts)
            raw.append("".join(parts))
        elif "." in tok and not re.fullmatch(r"[\d.]+", tok):
            raw.extend(p for p in tok.split(".") if p)
        else:
            raw.append(tok.replace("'", ""))
    words = [t for t in raw if t and t not in STOPWORDS and not (len(t) == 1 and t.isalpha())]
    return list(_stemmer().stemWords(words)) if words else []


#: Characters of a stem that BM25 matches on (``None``: the whole stem). Changing it
#: changes the index: bump ``store.FORMAT_VERSION``.
TERM_PREFIX: int | None = 6


def index_terms(text: str) -> list[str]:
    """The terms BM25 indexes and searches: :func:`tokenize`'s stems, cut to :data:`TERM_PREFIX`."""
    stems = tokenize(text)
    return stems if TERM_PREFIX is None else [t[:TERM_PREFIX] for t in stems]


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over pre-tokenized documents."""

    def __init__(self, retriever: Any) -> None:
        self._retriever = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict

    @classmethod
    def build(cls, documents: list[str], k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        tokens = [index_terms(d) or ["\x00empty"] for d in documents]
        retriever.index(tokens, show_progress=False)
        return cls(retriever)

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, show_progress=False, mmap=False))

    @property
    def vocabulary(self) -> dict[str, int]:
        """Every term (see :func:`index_terms`) the index knows, with its id."""
        return self._vocab

    def knows(self, text: str) -> bool:
        """Whether the index knows every term of ``text`` (true when it has none)."""
        return all(t in self._vocab for t in index_terms(text))

    @property
    def size(self) -> int:
        return int(self._retriever.scores["num_docs"])

    def coverage(self, query: str, within: np.ndarray | None = None) -> float:
        """Share of the query's words the index knows (1.0 for a query of stop words only);
        with ``within`` (a mask of documents), the share those documents hold."""
        terms = index_terms(query)
        if not terms:
            return 1.0
        if within is None or within.all():
            return sum(t in self._vocab for t in terms) / len(terms)
        held = {t: bool((self._term_scores(t)[within] > 0).any()) for t in set(terms) if t in self._vocab}
        return sum(held.get(t, False) for t in terms) / len(terms)

    def scores(self, query: str, within: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros when no term is known).

        With ``within`` (a mask of documents: the reports a search is restricted to),
        each term's IDF is that of those documents, so a search of one report of a
        library ranks as the report alone would; scores outside the mask are meaningless.
        """
        terms = [t for t in index_terms(query) if t in self._vocab]
        if not terms:
            return np.zeros(self.size, dtype=np.float64)
        if within is None or within.all():
            return np.asarray(self._retriever.get_scores(terms), dtype=np.float64)
        total, inside = self.size, int(within.sum())
        out = np.zeros(self.size, dtype=np.float64)
        for term, count in Counter(terms).items():
            scores = self._term_scores(term)
            everywhere, there = int((scores > 0).sum()), int((scores[within] > 0).sum())
            if there:
                out += count * scores * (lucene_idf(there, inside) / lucene_idf(everywhere, total))
        return out

    def _term_scores(self, term: str) -> np.ndarray:
        return np.asarray(self._retriever.get_scores([term]), dtype=np.float64)


def lucene_idf(df: int, n: int) -> float:
    """Lucene's BM25 IDF, ``log(1 + (n - df + 0.5) / (df + 0.5))`` (what bm25s's
    "lucene" method bakes into its scores)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
