"""The adapted encoder in the index: its weights, its record, and its vectors of each report.

    index/adapted/
      encoder.safetensors   the trained parameters, float16, by name (no pickle)
      adapter.json          what the weights were made from and how: the base model's
                            fingerprint, the training data's, the config, the weights'
                            own fingerprint, pairs, steps, losses, seconds; and for each
                            report, the part key and the weights its vectors were made with
      parts/<report>/
        dense.npy           passage vectors by the adapted encoder (float32, L2-normalised)
        windows.npy         sentence-in-context vectors by it, as the part's windows.npy

Every file is listed in the manifest with its SHA-256, like the rest of the index. On
load (:func:`check`) the weights must have been made from this install's base model, and
every report's vectors with these weights: else the index is stale. The training itself
is :mod:`.adapt`; the build step that trains or reuses is :func:`adapt_library`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexCorruptError, IndexStaleError, IndexUnusableError
from . import store
from .adapt import (
    AdaptConfig,
    AdaptedWeights,
    TrainingPassage,
    data_fingerprint,
    fine_tune,
    training_pairs,
    weights_fingerprint,
)

ADAPTED_DIR = "adapted"
WEIGHTS = f"{ADAPTED_DIR}/encoder.safetensors"
RECORD = f"{ADAPTED_DIR}/adapter.json"
PARTS = f"{ADAPTED_DIR}/{store.PARTS_DIR}"
#: The vectors the adapted encoder makes of each report (names as in a part).
VECTORS = (store.DENSE, store.WINDOWS)
ADAPT = "run `peel-search index --adapt`"


@dataclass(frozen=True)
class AdapterRecord:
    """``adapter.json``: the fingerprints of the base model (``base``), the training data
    (``data``) and the weights (``weights``); the config; the pairs by kind, steps, loss
    at the first and last step, training seconds; the reports and passages trained on;
    and ``parts``: per report id, the part key and the weights its vectors were made with."""

    base: str
    data: str
    weights: str
    config: dict[str, Any]
    pairs: dict[str, int]
    steps: int
    loss_first: float
    loss_last: float
    seconds: float
    reports: int
    passages: int
    parts: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AdapterRecord:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("adapter.json is not a JSON object")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def training_passages(rows: Sequence[dict[str, Any]]) -> list[TrainingPassage]:
    """What the encoder trains on: each passage of the library once (a near-duplicate
    of another is left out), with its innermost heading and its sentences."""
    out = []
    for i, row in enumerate(rows):
        if row.get("duplicate_of"):
            continue
        text = row["text"]
        heading = row["section"][-1] if row["section"] else ""
        out.append(TrainingPassage(i, heading, tuple(text[a:b] for a, b in row["sentences"])))
    return out


def part_folder(report_id: str) -> str:
    return f"{PARTS}/{report_id}"


def read_record(folder: Path) -> AdapterRecord:
    """The adapter record of the index in ``folder``; raises IndexCorruptError."""
    try:
        return AdapterRecord.from_json((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorruptError(f"{folder / RECORD} cannot be read ({exc})", store.REBUILD) from exc


def read_weights(folder: Path) -> dict[str, np.ndarray]:
    """The adapted encoder's parameters stored in ``folder``; raises IndexCorruptError."""
    from safetensors.numpy import load_file

    try:
        return dict(load_file(folder / WEIGHTS))
    except Exception as exc:
        raise IndexCorruptError(f"{folder / WEIGHTS} cannot be read ({exc})", store.REBUILD) from exc


def check(folder: Path, manifest: store.Manifest) -> AdapterRecord | None:
    """The adapter record of an adapted index after checking that it fits: made from
    this install's base model, the one the manifest names, and every report's vectors
    made with these weights (file checksums are :func:`.store.verify_files`'s). None if
    the index is not adapted. Raises IndexStaleError or IndexCorruptError."""
    from ..models import base_model_fingerprint

    expected = manifest.settings.get("adapted")
    if not expected:
        return None
    if WEIGHTS not in manifest.files or RECORD not in manifest.files:
        raise IndexCorruptError(f"the manifest in {folder} does not list the adapted encoder's files", ADAPT)
    record = read_record(folder)
    if record.weights != expected:
        raise IndexCorruptError(f"{folder / RECORD} is for other weights than the manifest's", ADAPT)
    if record.base != base_model_fingerprint():
        raise IndexStaleError(
            f"the encoder in {folder / ADAPTED_DIR} was adapted from another version of the base model", ADAPT
        )
    for entry in manifest.corpus:
        made = record.parts.get(str(entry.get("report_id")), {})
        if made.get("weights") != record.weights or made.get("key") != entry.get("key"):
            raise IndexStaleError(
                f"the adapted vectors of {entry.get('name')} were not made with the index's adapted encoder",
                ADAPT,
            )
        for name in VECTORS:
            if f"{part_folder(str(entry.get('report_id')))}/{name}" not in manifest.files:
                raise IndexCorruptError(
                    f"the manifest in {folder} does not list the adapted {name} of {entry.get('name')}", ADAPT
                )
    return record


def previous(folder: Path) -> AdapterRecord | None:
    """The record of the adapted encoder of the index in ``folder`` if every file of it
    checks out and it was made from this install's base model; else None (nothing to
    reuse)."""
    try:
        manifest = store.read_manifest(folder)
        record = check(folder, manifest)
        if record is not None:
            store.verify_listed(folder, manifest, f"{ADAPTED_DIR}/")
        return record
    except IndexUnusableError:
        return None


def load_encoder(folder: Path, record: AdapterRecord) -> Any:
    """The adapted encoder of the index in ``folder``: the base model with the stored
    weights. Raises IndexCorruptError when they are not the weights ``record`` names,
    and :class:`~peel_search.errors.ModelError` when the base model will not load."""
    from ..models import SentenceEmbedder

    weights = read_weights(folder)
    if weights_fingerprint(weights) != record.weights:
        raise IndexCorruptError(
            f"{folder / WEIGHTS} holds other weights than the index was built with", ADAPT
        )
    try:
        return SentenceEmbedder(weights=weights, name=f"adapted:{record.weights[:16]}")
    except ValueError as exc:
        raise IndexCorruptError(f"{folder / WEIGHTS} does not fit the base model ({exc})", ADAPT) from exc


# -- the build step ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportTexts:
    """One report's texts that the adapted encoder embeds: its passages (as embedded,
    with their headings) and its sentences in context (windows), and the key of its part."""

    report_id: str
    key: str
    passages: list[str]
    windows: list[str]


@dataclass(frozen=True)
class AdaptOutcome:
    """What the build step did: the record written, whether it trained (else reused the
    previous weights), which reports it embedded, notes for the user, and how many
    texts those reports hold (``texts``) of which how many distinct ones the adapted
    encoder embedded (``embedded_texts``)."""

    record: AdapterRecord | None
    trained: bool
    embedded: tuple[str, ...]
    notes: tuple[str, ...]
    texts: int = 0
    embedded_texts: int = 0


class TextVectors:
    """Vectors of texts by one encoder, each distinct text embedded once: reports of a
    library repeat text (boilerplate, copies across reports), as the stock build's
    embedding cache knows. The vectors are kept for the life of the object (one build)."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self._known: dict[str, np.ndarray] = {}
        self.asked = 0

    @property
    def embedded(self) -> int:
        """How many distinct texts were embedded so far."""
        return len(self._known)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """The L2-normalised float32 vectors of ``texts``, one row each, in order."""
        self.asked += len(texts)
        new = list(dict.fromkeys(t for t in texts if t not in self._known))
        if new:
            self._known.update(zip(new, _vectors(self._embedder, new), strict=True))
        if not texts:
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        return np.vstack([self._known[t] for t in texts]).astype(np.float32, copy=False)


def adapt_library(
    staged: Path,
    old: Path,
    rows: Sequence[dict[str, Any]],
    reports: Sequence[ReportTexts],
    config: AdaptConfig,
    *,
    retrain: bool,
    reuse: bool,
    say: Callable[[str], None],
    step: Callable[[int, int], None] = lambda done, total: None,
) -> AdaptOutcome:
    """Put an adapted encoder and its vectors of every report in ``staged``.

    The previous index in ``old`` lends its weights when it was adapted with the same
    config from the same base model and ``reuse`` holds, and either the library's text
    is the same (the training data's fingerprint matches) or ``retrain`` is False (the
    weights are then kept for a changed library, and a note says that it calls for
    adapting again). It lends each report's vectors when they were made from the same
    part with the same weights. Otherwise the encoder is fine-tuned on ``rows`` (see
    :mod:`.adapt`) and the reports are embedded again, each distinct text once (see
    :class:`TextVectors`). A library too small to give two
    training pairs is left unadapted, with a note.
    """
    from ..models import SentenceEmbedder, all_cores, base_model_fingerprint, load_base_model

    passages = training_passages(rows)
    data = data_fingerprint(passages, config)
    before = previous(old) if reuse else None
    if before is not None and AdaptConfig.from_dict(before.config) != config:
        before = None
    notes: list[str] = []
    trained = False
    embedder: Any = None
    if before is not None and (before.data == data or not retrain):
        say("reusing the adapted encoder")
        record = before
        if before.data != data:
            notes.append(
                f"the library changed since the encoder was adapted to it ({before.reports} report(s) then, "
                f"{len(reports)} now): {ADAPT} to adapt it again"
            )
        _link(old / WEIGHTS, staged / WEIGHTS)
    else:
        pairs = training_pairs(passages, config)
        if len(pairs) < 2:
            return AdaptOutcome(None, False, (), ("too little text to adapt the encoder to: left as it is",))
        say(f"adapting the encoder to the library: {len(pairs)} training pairs")
        model = load_base_model()
        began = time.perf_counter()
        with all_cores():
            adapted = fine_tune(model, pairs, config, step)
        record = _record(adapted, base_model_fingerprint(), data, time.perf_counter() - began, len(reports))
        _write_weights(staged / WEIGHTS, adapted)
        embedder = SentenceEmbedder(model=model, name=f"adapted:{record.weights[:16]}")
        trained = True
    parts: dict[str, dict[str, str]] = {}
    embedded = []
    vectors: TextVectors | None = None
    with all_cores():
        for report in reports:
            made = {"key": report.key, "weights": record.weights}
            source, target = old / part_folder(report.report_id), staged / part_folder(report.report_id)
            reusable = not trained and before is not None and before.parts.get(report.report_id) == made
            if reusable and all((source / name).is_file() for name in VECTORS):
                target.mkdir(parents=True)
                for name in VECTORS:
                    _link(source / name, target / name)
                parts[report.report_id] = made
                continue
            say(f"{report.report_id}: embedding with the adapted encoder")
            if embedder is None:  # the reused weights, loaded only if a report needs them
                embedder = load_encoder(staged, record)
            if vectors is None:
                vectors = TextVectors(embedder)
            target.mkdir(parents=True)
            np.save(target / store.DENSE, vectors(report.passages), allow_pickle=False)
            np.save(target / store.WINDOWS, vectors(report.windows), allow_pickle=False)
            parts[report.report_id] = made
            embedded.append(report.report_id)
    record = AdapterRecord(**{**asdict(record), "parts": parts})
    (staged / RECORD).write_text(record.to_json(), encoding="utf-8")
    texts, distinct = (vectors.asked, vectors.embedded) if vectors is not None else (0, 0)
    return AdaptOutcome(record, trained, tuple(embedded), tuple(notes), texts, distinct)


def _vectors(embedder: Any, texts: list[str]) -> np.ndarray:
    vectors = embedder.encode(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
    return np.asarray(vectors, dtype=np.float32)


def _record(
    adapted: AdaptedWeights,
    base: str,
    data: str,
    seconds: float,
    reports: int,
) -> AdapterRecord:
    return AdapterRecord(
        base=base,
        data=data,
        weights=adapted.fingerprint(),
        config=adapted.config.to_dict(),
        pairs=adapted.pairs,
        steps=adapted.steps,
        loss_first=round(adapted.loss_first, 4),
        loss_last=round(adapted.loss_last, 4),
        seconds=round(seconds, 1),
        reports=reports,
        passages=adapted.passages,
    )


def _write_weights(path: Path, adapted: AdaptedWeights) -> None:
    from safetensors.numpy import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(adapted.tensors, str(path), metadata={"weights": adapted.fingerprint()})


def _link(source: Path, target: Path) -> None:
    """A file of the previous index into the new one: a hard link, else a copy."""
    import os
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
