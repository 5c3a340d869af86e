"""Browse: every passage passing the filters, in report order, and the entities the
reports mention with how many passages mention each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import QueryError
from ..index.lexical import tokenize
from ..ingest.acronyms import expand_query
from ..types import Hit
from .request import EntityFilter, ReportScope, clean_query

if TYPE_CHECKING:
    from .search_index import SearchIndex


def browse(
    index: SearchIndex,
    entities: Sequence[str | EntityFilter] = (),
    section: str | None = None,
    judgment: str | None = None,
    query: str | None = None,
    limit: int | None = None,
    *,
    reports: object = None,
    forces: object = None,
    years: object = None,
) -> list[Hit]:
    """Every passage passing the filters, in report order (the first ``limit``);
    with ``query``, only those containing every word of it (stemmed; an acronym
    and its expansion count as the same word) in their text or headings.

    Raises :class:`QueryError` for a bad filter or a query of only common words.
    """
    library = index.library
    mask = index.filters.mask(entities, section, judgment, ReportScope.of(reports, forces, years))
    if query is not None and query.strip():
        text, _ = clean_query(query)
        alternatives = [
            {term, *tokenize(" ".join(expand_query(term, library.acronyms)))}
            for term in dict.fromkeys(tokenize(text))
        ]
        if not alternatives:
            raise QueryError(f"{text[:80]!r} has only common words: add a word that appears in the report")
        for i in np.flatnonzero(mask):
            words = library.words(int(i))
            mask[i] = all(words & alt for alt in alternatives)
    hits: list[Hit] = []
    for i in np.flatnonzero(mask)[:limit]:
        c = library.chunks[int(i)]
        span = library.sentence_spans[int(i)][0]
        hits.append(
            Hit(
                len(hits) + 1,
                c,
                0.0,
                library.citations[int(i)],
                c.text[span[0] : span[1]],
                span,
                full_citation=library.full_citation(int(i)),
            )
        )
    return hits


def entity_counts(
    index: SearchIndex, label: str | None = None, scope: ReportScope | None = None
) -> list[tuple[str, str, int]]:
    """``(label, name, passages mentioning it)`` in the reports in scope, most mentioned first.

    Raises :class:`QueryError` for a label no passage carries."""
    library = index.library
    if label is not None:
        label = label.upper()
        if label not in library.labels():
            raise QueryError(f"unknown entity label {label!r}: use one of {', '.join(library.labels())}")
    counts: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], Counter[str]] = {}
    in_scope = index.filters.report_mask(scope)
    for c in (c for n, c in enumerate(library.chunks) if in_scope[n]):
        keys = set()
        for e in c.entities:
            if label is not None and e.label != label:
                continue
            key = (e.label, (e.canonical or e.text).casefold())
            names.setdefault(key, Counter())[e.canonical or e.text] += 1
            keys.add(key)
        counts.update(keys)
    rows = [(lab, names[(lab, k)].most_common(1)[0][0], n) for (lab, k), n in counts.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0], r[1].casefold()))
