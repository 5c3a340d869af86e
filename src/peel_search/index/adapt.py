"""An encoder adapted to the library: self-supervised fine-tuning at index time.

The stock encoder (all-MiniLM-L6-v2) was trained on the web's language; a library of
PEEL reports has its own ("vulnerability", "THRIVE", "areas for improvement"). With
``peel-search index --adapt`` the build fine-tunes a copy of it on the library's own
text, with no question of any kind: training pairs are made from the passages alone.

- **inverse cloze** (Lee, Chang and Toutanova, "Latent Retrieval for Weakly Supervised
  Open Domain Question Answering", ACL 2019): each sentence of a passage is a query, and
  the passage without it (with its heading) the positive; in ``keep_sentence`` of the
  pairs the sentence is left in, so that exact matches are not unlearnt.
- **heading** -> passage: a section's heading (PEEL headings are questions, "How
  effective is the force at ...?") against each passage under it.

The loss is the in-batch softmax over cosine similarities (``MultipleNegativesRankingLoss``
in sentence-transformers; Henderson et al., "Efficient Natural Language Response
Suggestion for Smart Reply", 2017): every other positive of the batch is a negative. No
passage gives two pairs to one batch, so a negative is never the query's own passage.

Training is deterministic: the pairs, their sampling and their order come from a
generator seeded by ``AdaptConfig.seed``, and torch's generator (dropout) is seeded in a
fork of its state, leaving the process's own untouched. The same seed, library and
machine give the same weights. Only the top ``layers`` transformer layers are trained
(the word-piece embeddings never are); their weights are rounded to float16, and those
rounded weights encode both the passages and the queries.

The pair makers and batching are pure functions of their inputs; :func:`fine_tune` holds
the one loop that needs torch (imported on first use).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

import numpy as np

#: What kinds of pair a recipe may draw on.
PAIR_KINDS = ("cloze", "heading")


@dataclass(frozen=True, slots=True)
class AdaptConfig:
    """How the encoder is adapted.

    ``pairs``: the kinds of training pair (from :data:`PAIR_KINDS`); ``epochs`` over
    them; ``batch`` pairs per step (each one's positive is a negative for the others);
    ``learning_rate`` of AdamW, warmed up linearly over ``warmup`` of the steps, then
    decayed linearly to zero; ``layers``: how many of the top transformer layers train
    (the rest, and the embeddings, stay frozen); ``keep_sentence``: the share of
    inverse-cloze pairs whose passage keeps the query sentence; ``max_pairs``: a
    library with more pairs is sampled down to this many (a large library trains in
    bounded time); ``scale``: the softmax temperature's inverse (20 in
    sentence-transformers); ``min_words``: shorter sentences and headings make no pair;
    ``max_tokens``: texts are cut to this many word-pieces in training (the cost of a
    step grows with it); ``seed`` makes everything above repeatable.
    """

    seed: int = 0
    pairs: tuple[str, ...] = ("cloze",)
    epochs: int = 1
    batch: int = 32
    learning_rate: float = 2e-5
    warmup: float = 0.1
    layers: int = 6
    keep_sentence: float = 0.1
    max_pairs: int = 2000
    scale: float = 20.0
    min_words: int = 4
    max_tokens: int = 256

    def __post_init__(self) -> None:
        if not self.pairs or set(self.pairs) - set(PAIR_KINDS):
            raise ValueError(f"pairs must be drawn from {PAIR_KINDS}, not {self.pairs}")
        if self.epochs < 1 or self.batch < 2 or self.max_pairs < 2:
            raise ValueError("epochs must be at least 1, batch and max_pairs at least 2")
        if not 1 <= self.layers <= 6:
            raise ValueError(f"layers must be from 1 to 6 (the model has 6), not {self.layers}")
        if not 0.0 <= self.keep_sentence <= 1.0 or not 0.0 <= self.warmup < 1.0:
            raise ValueError("keep_sentence must be in [0, 1] and warmup in [0, 1)")
        if self.learning_rate <= 0 or self.scale <= 0:
            raise ValueError("learning_rate and scale must be positive")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "pairs": list(self.pairs)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AdaptConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "pairs" in known:
            known["pairs"] = tuple(known["pairs"])
        return cls(**known)


#: The recipe of ``peel-search index --adapt``: inverse cloze, the three top layers,
#: passages cut at 128 tokens (``cloze-top3-128`` in ``bench/adapt.py``, chosen on the
#: blind set's odd-numbered questions; the cheapest of the recipes measured).
DEFAULT_ADAPT = AdaptConfig(layers=3, max_tokens=128)


@dataclass(frozen=True, slots=True)
class TrainingPassage:
    """A passage as training sees it: its innermost heading, its sentences, and its
    ``group`` (its near-duplicate group: copies of one text are one passage)."""

    group: int
    heading: str
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrainingPair:
    """A query and the text it should come closest to; ``keys`` name the positive's
    passage (and heading), which no other pair of the same batch may share."""

    query: str
    positive: str
    kind: str
    keys: frozenset[str]


def _with_heading(heading: str, body: str) -> str:
    return f"{heading}\n{body}".strip()


def inverse_cloze_pairs(
    passages: Sequence[TrainingPassage], rng: random.Random, keep_sentence: float, min_words: int
) -> list[TrainingPair]:
    """Each sentence of ``min_words`` words or more, of a passage with two or more
    sentences, against the passage's heading and its other sentences (all of them, the
    sentence too, with probability ``keep_sentence``)."""
    pairs = []
    for p in passages:
        if len(p.sentences) < 2:
            continue
        for i, sentence in enumerate(p.sentences):
            if len(sentence.split()) < min_words:
                continue
            keep = rng.random() < keep_sentence
            rest = p.sentences if keep else p.sentences[:i] + p.sentences[i + 1 :]
            pairs.append(
                TrainingPair(
                    sentence, _with_heading(p.heading, " ".join(rest)), "cloze", frozenset({f"p{p.group}"})
                )
            )
    return pairs


def heading_pairs(passages: Sequence[TrainingPassage], min_words: int) -> list[TrainingPair]:
    """Each heading of ``min_words`` words or more against each passage under it (the
    passage without its heading); one batch never holds two passages under the same
    heading."""
    return [
        TrainingPair(p.heading, " ".join(p.sentences), "heading", frozenset({f"p{p.group}", f"h{p.heading}"}))
        for p in passages
        if len(p.heading.split()) >= min_words and p.sentences
    ]


def training_pairs(passages: Sequence[TrainingPassage], config: AdaptConfig) -> list[TrainingPair]:
    """The pairs ``config`` asks for, from ``passages`` alone, sampled down to
    ``config.max_pairs`` (the same for the same passages and seed)."""
    rng = random.Random(config.seed)
    pairs: list[TrainingPair] = []
    if "cloze" in config.pairs:
        pairs += inverse_cloze_pairs(passages, rng, config.keep_sentence, config.min_words)
    if "heading" in config.pairs:
        pairs += heading_pairs(passages, config.min_words)
    if len(pairs) > config.max_pairs:
        pairs = [pairs[i] for i in sorted(rng.sample(range(len(pairs)), config.max_pairs))]
    return pairs


def batches(keys: Sequence[frozenset[str]], size: int, rng: random.Random) -> list[list[int]]:
    """The pairs' positions shuffled into batches of at most ``size``, no two of a batch
    sharing a key: each pair goes to the first open batch holding none of its keys. A
    batch fills up before it closes, so only the last few may be short; a batch of one
    (nothing to contrast) is dropped."""
    order = list(range(len(keys)))
    rng.shuffle(order)
    done: list[list[int]] = []
    open_batches: list[tuple[list[int], set[str]]] = []
    for i in order:
        for members, seen in open_batches:
            if seen.isdisjoint(keys[i]):
                members.append(i)
                seen.update(keys[i])
                break
        else:
            open_batches.append(([i], set(keys[i])))
        full = [b for b in open_batches if len(b[0]) == size]
        done.extend(members for members, _ in full)
        open_batches = [b for b in open_batches if len(b[0]) < size]
    return done + [members for members, _ in open_batches if len(members) > 1]


def learning_rate_at(step: int, steps: int, peak: float, warmup: float) -> float:
    """Linear warm-up over the first ``warmup`` share of ``steps``, then linear decay to
    zero (the schedule of Devlin et al., BERT, 2019, and of sentence-transformers)."""
    ramp = max(1, round(steps * warmup))
    if step < ramp:
        return peak * (step + 1) / ramp
    return peak * max(0.0, (steps - step) / max(1, steps - ramp))


def in_batch_softmax_loss(queries: Any, positives: Any, scale: float) -> Any:
    """Cross-entropy of each query against every positive of the batch, its own the
    right answer, over ``scale`` times the cosine similarities (MultipleNegativesRankingLoss)."""
    import torch

    q = torch.nn.functional.normalize(queries, dim=-1)
    p = torch.nn.functional.normalize(positives, dim=-1)
    scores = scale * q @ p.T
    return torch.nn.functional.cross_entropy(scores, torch.arange(len(q)))


@dataclass(frozen=True)
class AdaptedWeights:
    """What adaptation makes: the trained parameters by name (float16), and a record of
    how (the config, the pairs by kind, the steps, the loss at the start and the end)."""

    tensors: dict[str, np.ndarray]
    config: AdaptConfig
    pairs: dict[str, int]
    passages: int
    steps: int
    loss_first: float
    loss_last: float

    def fingerprint(self) -> str:
        return weights_fingerprint(self.tensors)


def weights_fingerprint(tensors: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the tensors' names, dtypes, shapes and bytes: which weights these are."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def adapt_code_fingerprint() -> str:
    """A hash of this module: pairs made by other code are other training data."""
    return hashlib.sha256(resources.files("peel_search").joinpath("index/adapt.py").read_bytes()).hexdigest()


def data_fingerprint(passages: Sequence[TrainingPassage], config: AdaptConfig) -> str:
    """What the weights were trained from: the passages (in order), the config and the
    code that turns them into pairs. Equal fingerprints give equal weights."""
    digest = hashlib.sha256(adapt_code_fingerprint().encode())
    digest.update(json.dumps(config.to_dict(), sort_keys=True).encode())
    for p in passages:
        digest.update(json.dumps([p.group, p.heading, list(p.sentences)], ensure_ascii=False).encode())
    return digest.hexdigest()


def trained_names(names: Sequence[str], layers: int, total: int = 6) -> list[str]:
    """The parameters that train: those of the top ``layers`` of ``total`` transformer
    layers (``...encoder.layer.<n>....``), in the order given."""
    first = total - layers
    keep = []
    for name in names:
        marker = ".encoder.layer."
        if marker in name:
            number = int(name.split(marker, 1)[1].split(".", 1)[0])
            if number >= first:
                keep.append(name)
    return keep


def fine_tune(
    model: Any,
    pairs: Sequence[TrainingPair],
    config: AdaptConfig,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> AdaptedWeights:
    """Fine-tune ``model`` (a sentence-transformers model, changed in place) on ``pairs``
    as ``config`` says, calling ``progress(step, steps)`` after each step. Returns the
    trained parameters rounded to float16 (and loads the rounded values into ``model``,
    so that it encodes as the stored weights will). Raises ValueError with fewer than
    two pairs."""
    import torch

    if len(pairs) < 2:
        raise ValueError(f"{len(pairs)} training pair(s): adaptation needs at least two")
    rng = random.Random(config.seed + 1)
    plan = [batches([p.keys for p in pairs], config.batch, rng) for _ in range(config.epochs)]
    steps = sum(len(epoch) for epoch in plan)
    params = dict(model.named_parameters())
    names = trained_names(list(params), config.layers)
    for name, param in params.items():
        param.requires_grad_(name in names)
    optimiser = torch.optim.AdamW([params[n] for n in names], lr=config.learning_rate, weight_decay=0.01)
    losses: list[float] = []
    step = 0
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model.train()
        try:
            for epoch in plan:
                for members in epoch:
                    for group in optimiser.param_groups:
                        group["lr"] = learning_rate_at(step, steps, config.learning_rate, config.warmup)
                    queries = _embed(model, [pairs[i].query for i in members], config.max_tokens)
                    positives = _embed(model, [pairs[i].positive for i in members], config.max_tokens)
                    loss = in_batch_softmax_loss(queries, positives, config.scale)
                    optimiser.zero_grad(set_to_none=True)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_([params[n] for n in names], 1.0)
                    optimiser.step()
                    losses.append(float(loss.detach()))
                    step += 1
                    progress(step, steps)
        finally:
            model.eval()
            for param in params.values():
                param.requires_grad_(False)
    tensors = {n: params[n].detach().to(torch.float16).numpy().copy() for n in names}
    with torch.no_grad():
        for n in names:
            params[n].copy_(torch.from_numpy(tensors[n]).float())
    kinds: dict[str, int] = {}
    for p in pairs:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    passages = len({key for p in pairs for key in p.keys if key.startswith("p")})
    return AdaptedWeights(tensors, config, kinds, passages, steps, losses[0], losses[-1])


def _embed(model: Any, texts: list[str], max_tokens: int) -> Any:
    """The pooled (not normalised) vectors of ``texts``, with gradients."""
    limit = min(max_tokens, int(model.max_seq_length or max_tokens))
    features = model.tokenizer(texts, padding=True, truncation=True, max_length=limit, return_tensors="pt")
    return model(dict(features))["sentence_embedding"]
