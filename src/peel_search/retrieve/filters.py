"""A request's scope turned into passage masks: the reports it covers (by id, force and
year), the entities a passage must mention, the section it must stand under, the judgment
area it must belong to, and the passages a query names ("Figure 7", "page 22").

A mask is a boolean array over the library's passages (see :class:`.library.Library`).
A filter that matches nothing is a :class:`QueryError` naming what there is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import QueryError
from ..index.lexical import tokenize
from ..types import ReportMeta
from .candidates import entity_key
from .library import Library
from .request import EntityFilter, ReportScope, parse_entity_filter, plain

#: What to do about a filter that matches nothing, on the command line (the web app says
#: it its own way: the error's ``reason`` is complete without it).
REPORTS_HINT = "list them with `peel-search reports`"
SECTIONS_HINT = "list them with `peel-search sections`"


class Filters:
    """Masks over one library's passages."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._designated_cache: dict[str, list[int]] = {}

    # -- reports ---------------------------------------------------------------------------

    def report_numbers(self, scope: ReportScope | None = None) -> list[int]:
        """Positions in :attr:`Library.metas` of the reports ``scope`` covers, in index order.

        Raises :class:`QueryError` naming the valid values when a report id, force or
        year matches no report, or when together they match none.
        """
        metas = self.library.metas
        chosen = set(range(len(metas)))
        if not scope:
            return sorted(chosen)

        def pick(
            values: Sequence[str], matches: Callable[[str, ReportMeta], bool], unknown: Callable[[str], str]
        ) -> None:
            nonlocal chosen
            if not values:
                return
            found: set[int] = set()
            for value in values:
                hits = {n for n, m in enumerate(metas) if matches(value.casefold(), m)}
                if not hits:
                    raise QueryError(unknown(value), REPORTS_HINT)
                found |= hits
            chosen &= found

        ids = ", ".join(m.report_id for m in metas)
        pick(
            scope.reports,
            lambda want, m: want in {m.report_id.casefold(), m.file.casefold(), Path(m.file).stem.casefold()},
            lambda want: f"no report {want[:80]!r} in the index: use one of {ids}",
        )
        forces = ", ".join(sorted({m.force for m in metas if m.force}))
        pick(
            scope.forces,
            lambda want, m: bool(m.force) and want in m.force.casefold(),
            lambda want: (
                f"no report about a force named like {want[:80]!r}: the index has {forces or 'no force names'}"
            ),
        )
        for year in scope.years:
            if not re.fullmatch(r"(?:19|20)\d{2}", year):
                raise QueryError(f"a year is four digits, e.g. 2015, not {year[:20]!r}")
        years = ", ".join(sorted({str(m.year) for m in metas if m.year}))
        pick(
            scope.years,
            lambda want, m: m.year == int(want),
            lambda want: f"no report from {want}: the index has reports from {years or 'no known year'}",
        )
        if not chosen:
            raise QueryError("no report matches all of " + scope.describe(), REPORTS_HINT)
        return sorted(chosen)

    def report_mask(self, scope: ReportScope | None = None) -> np.ndarray:
        """Which passages belong to the reports ``scope`` covers."""
        if not scope:
            return np.ones(self.library.size, dtype=bool)
        return np.isin(self.library.chunk_report, self.report_numbers(scope))

    def report_list(self, scope: ReportScope | None = None) -> list[ReportMeta]:
        """The metadata of the reports ``scope`` covers, in index order."""
        return [self.library.metas[n] for n in self.report_numbers(scope)]

    # -- entities, sections, judgment areas --------------------------------------------------

    def parse_entities(self, entities: Sequence[str | EntityFilter]) -> list[EntityFilter]:
        """Entity filters given as text (``"GPE:Wolverhampton"``) or records, checked."""
        if isinstance(entities, str):
            entities = [entities]
        labels = self.library.labels()
        return [e if isinstance(e, EntityFilter) else parse_entity_filter(e, labels) for e in entities]

    def entity_texts(self, f: EntityFilter) -> set[str]:
        """What an entity filter matches (case folded): its text, and the acronym or
        expansion the reports define for it."""
        want = f.text.casefold()
        expanded = {want}
        for short, long_form in self.library.acronyms.items():
            if short.casefold() == want:
                expanded.add(long_form.casefold())
            elif long_form.casefold() == want:
                expanded.add(short.casefold())
        return expanded

    def entity_keys(self, f: EntityFilter) -> tuple[str, ...]:
        """The keys (see :func:`.candidates.entity_key`) any of which a passage passing ``f`` carries."""
        return tuple(sorted(entity_key(f.label, text) for text in self.entity_texts(f)))

    def entity_mask(self, filters: Sequence[EntityFilter]) -> np.ndarray:
        """The passages mentioning every one of ``filters``."""
        mask = np.ones(self.library.size, dtype=bool)
        for f in filters:
            expanded = self.entity_texts(f)
            hit = np.array(
                [
                    any(
                        (not f.label or e.label == f.label)
                        and (e.text.casefold() in expanded or e.canonical.casefold() in expanded)
                        for e in c.entities
                    )
                    for c in self.library.chunks
                ],
                dtype=bool,
            )
            mask &= hit
        return mask

    def section_mask(self, section: str) -> np.ndarray:
        """The passages under a heading containing ``section`` (``"a › b"``: nested headings)."""
        want = plain(section).casefold()
        if not want:
            raise QueryError('the section filter is empty: give part of a heading, e.g. "digital evidence"')
        parts = [p.strip() for p in re.split(r"\s*(?:›|>)\s*", want) if p.strip()]

        def matches(path: tuple[str, ...]) -> bool:
            """Each part is in some heading, in order; levels between may be skipped
            (a citation shows only the top and the innermost heading)."""
            level = 0
            for part in parts:
                while level < len(path) and part not in path[level].casefold():
                    level += 1
                if level == len(path):
                    return False
                level += 1
            return True

        mask = np.array([matches(c.section) for c in self.library.chunks], dtype=bool)
        if not mask.any():
            raise QueryError(f"no section heading contains {section[:80]!r}", SECTIONS_HINT)
        return mask

    def judgment_mask(self, area: str) -> np.ndarray:
        """The passages in the part of a report on a graded area (all for "overall")."""
        want = set(tokenize(area))
        if not want:
            raise QueryError('the judgment filter is empty: name an area, e.g. "vulnerable" or "overall"')
        areas = self.library.judgment_areas()
        chosen = [a for a in areas if want <= set(tokenize(a))]
        if not chosen:
            raise QueryError(f"no judgment area matches {area[:80]!r}: use one of " + "; ".join(areas))
        if any(a == "Overall" for a in chosen):
            return np.ones(self.library.size, dtype=bool)
        return np.array([bool(c.section) and c.section[0] in chosen for c in self.library.chunks], dtype=bool)

    def mask(
        self,
        entities: Sequence[str | EntityFilter] = (),
        section: str | None = None,
        judgment: str | None = None,
        scope: ReportScope | None = None,
    ) -> np.ndarray:
        """Which passages pass every filter given."""
        mask = self.report_mask(scope) & self.entity_mask(self.parse_entities(entities))
        if section is not None and str(section).strip():
            mask &= self.section_mask(str(section))
        if judgment is not None and str(judgment).strip():
            mask &= self.judgment_mask(str(judgment))
        return mask

    # -- what a query names ------------------------------------------------------------------

    def designated(self, text: str) -> list[int]:
        """The passages the query names ("Figure 7", "page 22"), in reading order (the
        last few queries' cached: a search asks up to three times)."""
        from .references import designate, find_references

        found = self._designated_cache.get(text)
        if found is None:
            refs = find_references(text)
            found = designate(refs, self.library.chunks) if refs else []
            if len(self._designated_cache) > 64:
                self._designated_cache = {}  # a new dict: readers holding the old one are unaffected
            self._designated_cache[text] = found
        return found

    def named(self, text: str, mask: np.ndarray) -> np.ndarray:
        """The passages passing ``mask`` that the query names: always scored, whatever
        the first stage finds."""
        named = np.zeros(self.library.size, dtype=bool)
        named[self.designated(text)] = True
        return named & mask
