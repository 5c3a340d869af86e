"""What is embedded and matched for a passage: its text with its place in the report.

The heading path carries meaning the passage text leaves implicit ("How well does
the force gather digital evidence?" above a paragraph about phones), so both the
dense and the lexical representation include it.
"""

from __future__ import annotations

from ..types import Chunk


def _label(chunk: Chunk) -> str:
    return f"{chunk.label}: " if chunk.label and chunk.kind in {"table", "figure", "footnote"} else ""


def dense_text(chunk: Chunk) -> str:
    """The text embedded for a passage: innermost heading, label, passage."""
    heading = chunk.section[-1] if chunk.section else ""
    return f"{heading}\n{_label(chunk)}{chunk.text}".strip()


def lexical_text(chunk: Chunk) -> str:
    """The text BM25 indexes for a passage: every heading on its path, label, passage."""
    return "\n".join([*chunk.section, _label(chunk) + chunk.text])


def sentence_windows(sentences: list[str], radius: int = 1) -> list[str]:
    """Each sentence with ``radius`` neighbours either side: what is embedded per sentence.

    A sentence alone often leans on its neighbours ("This has improved ..."); with them
    its vector says what it is about.
    """
    return [" ".join(sentences[max(0, i - radius) : i + radius + 1]) for i in range(len(sentences))]
