"""The encoder adapted to the library: training pairs, batches, the schedule, the bootstrap
(pure, fast); and, with the real model on a tiny report, determinism, storage, checks on
load, reuse and staleness (each adaptation takes a few seconds)."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fakes import HashEmbedder
from peel_search.errors import IndexCorruptError, IndexStaleError
from peel_search.index import adapted, store
from peel_search.index.adapt import (
    AdaptConfig,
    TrainingPassage,
    batches,
    data_fingerprint,
    heading_pairs,
    inverse_cloze_pairs,
    learning_rate_at,
    trained_names,
    training_pairs,
    weights_fingerprint,
)
from peel_search.retrieve.metrics import paired_bootstrap, reciprocal_ranks

TINY = Path(__file__).parent / "data" / "tiny-report.txt"

PASSAGES = [
    TrainingPassage(
        0,
        "How effective is the force at keeping people safe?",
        ("One two three four.", "Five six seven eight.", "Short."),
    ),
    TrainingPassage(1, "Victims", ("Victims are supported well by the force.", "Nine ten eleven twelve.")),
    TrainingPassage(2, "Alone", ("Only one sentence in this passage here.",)),
]


# -- pairs, batches, schedule (pure) -------------------------------------------------------------


def test_inverse_cloze_takes_each_long_sentence_out_of_its_passage():
    pairs = inverse_cloze_pairs(PASSAGES, random.Random(0), keep_sentence=0.0, min_words=4)
    assert [p.query for p in pairs] == [
        "One two three four.",
        "Five six seven eight.",
        "Victims are supported well by the force.",
        "Nine ten eleven twelve.",
    ]
    first = pairs[0]
    assert (
        first.positive == "How effective is the force at keeping people safe?\nFive six seven eight. Short."
    )
    assert first.keys == frozenset({"p0"}) and first.kind == "cloze"


def test_inverse_cloze_keeps_the_sentence_when_told_to():
    pairs = inverse_cloze_pairs(PASSAGES, random.Random(0), keep_sentence=1.0, min_words=4)
    assert all(p.query in p.positive for p in pairs)


def test_heading_pairs_share_a_key_with_their_passage_and_heading():
    pairs = heading_pairs(PASSAGES, min_words=4)
    assert [p.query for p in pairs] == ["How effective is the force at keeping people safe?"]
    assert pairs[0].keys == frozenset({"p0", "hHow effective is the force at keeping people safe?"})


def test_training_pairs_are_the_same_for_the_same_seed_and_sampled_down():
    config = AdaptConfig(pairs=("cloze", "heading"), keep_sentence=0.5, max_pairs=3)
    assert training_pairs(PASSAGES, config) == training_pairs(PASSAGES, config)
    assert len(training_pairs(PASSAGES, config)) == 3
    assert len(training_pairs(PASSAGES, replace(config, max_pairs=100))) == 5


def test_batches_never_put_two_pairs_sharing_a_key_together():
    keys = [frozenset({f"p{i % 5}"}) for i in range(40)]
    made = batches(keys, 4, random.Random(1))
    assert made == batches(keys, 4, random.Random(1))
    seen = [i for b in made for i in b]
    assert len(seen) == len(set(seen)) and len(seen) >= 36
    for b in made:
        assert 2 <= len(b) <= 4
        assert len({next(iter(keys[i])) for i in b}) == len(b)


def test_learning_rate_warms_up_then_decays_to_zero():
    rates = [learning_rate_at(s, 10, 1.0, 0.2) for s in range(10)]
    assert rates[:2] == [0.5, 1.0]
    assert rates[2:] == sorted(rates[2:], reverse=True) and rates[-1] > 0
    assert learning_rate_at(10, 10, 1.0, 0.2) == 0.0


def test_only_the_top_layers_train():
    names = [f"0.auto_model.encoder.layer.{n}.output.dense.weight" for n in range(6)]
    names.append("0.auto_model.embeddings.word_embeddings.weight")
    assert trained_names(names, 2) == names[4:6]


@pytest.mark.parametrize(
    "bad", [{"pairs": ("nonsense",)}, {"pairs": ()}, {"layers": 7}, {"batch": 1}, {"keep_sentence": 2.0}]
)
def test_a_bad_recipe_is_refused_at_construction(bad):
    with pytest.raises(ValueError):
        AdaptConfig(**bad)


def test_a_recipe_round_trips_through_its_dict():
    config = AdaptConfig(pairs=("cloze", "heading"), seed=7)
    assert AdaptConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_the_data_fingerprint_follows_the_text_and_the_recipe():
    base = data_fingerprint(PASSAGES, AdaptConfig())
    assert base == data_fingerprint(list(PASSAGES), AdaptConfig())
    assert base != data_fingerprint(PASSAGES[:2], AdaptConfig())
    assert base != data_fingerprint(PASSAGES, AdaptConfig(seed=1))


def test_the_weights_fingerprint_sees_every_byte():
    tensors = {"a": np.zeros((2, 2), dtype=np.float16)}
    changed = {"a": np.array([[0, 0], [0, 1]], dtype=np.float16)}
    assert weights_fingerprint(tensors) != weights_fingerprint(changed)


def test_paired_bootstrap():
    assert paired_bootstrap([1.0, 0.5], [1.0, 0.5]) == (0.0, 0.0, 0.0)
    mean, low, high = paired_bootstrap([1.0] * 30 + [0.0] * 10, [0.0] * 40, resamples=2000)
    assert mean == pytest.approx(0.75) and 0.55 < low < mean < high < 0.9
    assert reciprocal_ranks([1, 4, None, 12]) == [1.0, 0.25, 0.0, 0.0]
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [])


class _CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return super().encode(texts)


def test_text_vectors_embed_each_distinct_text_once_and_keep_the_order():
    embedder = _CountingEmbedder()
    vectors = adapted.TextVectors(embedder)
    first = vectors(["a passage", "a heading", "a passage"])
    second = vectors(["a heading", "another passage"])
    assert embedder.texts == ["a passage", "a heading", "another passage"]
    assert (vectors.asked, vectors.embedded) == (5, 3)
    assert np.array_equal(first, embedder.encode(["a passage", "a heading", "a passage"]))
    assert np.array_equal(second[0], first[1])
    assert first.dtype == np.float32 and vectors([]).shape == (0, embedder.dim)


# -- with the real model, on a tiny report -------------------------------------------------------

TINY_RECIPE = AdaptConfig(batch=4, seed=3)


@pytest.fixture
def fake_models(monkeypatch):
    """The stock vectors come from the hash embedder; the adapted encoder is the real model."""
    import peel_search.models as models

    monkeypatch.setattr(models, "get_embedder", lambda: HashEmbedder())


@pytest.fixture(scope="module")
def tiny_adapted(tmp_path_factory):
    """A tiny report indexed with an adapted encoder: (index, corpus, build result)."""
    from peel_search.index.build import build_index

    folder = tmp_path_factory.mktemp("adapted")
    corpus = folder / "corpus"
    corpus.mkdir()
    shutil.copy(TINY, corpus / TINY.name)
    result = build_index(corpus, folder / "index", adapt=TINY_RECIPE, embedder=HashEmbedder(), cache=False)
    return folder / "index", corpus, result


@pytest.fixture
def tiny_copy(tmp_path, tiny_adapted):
    index, corpus, _ = tiny_adapted
    shutil.copytree(index, tmp_path / "index")
    shutil.copytree(corpus, tmp_path / "corpus")
    return tmp_path / "index", tmp_path / "corpus"


def _load(index, corpus):
    from peel_search.retrieve.search_index import SearchIndex

    loaded = SearchIndex.load(index, corpus)
    loaded.use_embedder(HashEmbedder())
    return loaded


def _rehash(folder: Path, name: str) -> None:
    data = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    data["files"][name] = store.sha256_file(folder / name)
    (folder / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.models
def test_the_same_seed_gives_the_same_weights():
    from peel_search.index.adapt import fine_tune
    from peel_search.models import load_base_model

    pairs = training_pairs(PASSAGES, TINY_RECIPE)
    first = fine_tune(load_base_model(), pairs, TINY_RECIPE)
    again = fine_tune(load_base_model(), pairs, TINY_RECIPE)
    other = fine_tune(load_base_model(), pairs, replace(TINY_RECIPE, seed=4))
    assert first.fingerprint() == again.fingerprint()
    assert first.fingerprint() != other.fingerprint()
    assert all(t.dtype == np.float16 for t in first.tensors.values())
    assert len(first.tensors) == 6 * 16  # every parameter of the six layers, nothing else


@pytest.mark.models
def test_an_adapted_index_stores_its_encoder_and_searches_with_both(tiny_adapted):
    index, corpus, result = tiny_adapted
    assert result.adaptation is not None and result.adaptation.trained
    manifest = store.read_manifest(index)
    record = adapted.read_record(index)
    assert manifest.settings["adapted"] == record.weights
    assert manifest.settings["adapt"] == TINY_RECIPE.to_dict()
    assert adapted.WEIGHTS in manifest.files and record.config == TINY_RECIPE.to_dict()
    loaded = _load(index, corpus)
    signals = loaded.score("who supports victims?")
    assert {"adapted", "adapted_sentence"} <= set(signals)
    assert np.isfinite(signals["adapted"]).all()
    hits = loaded.search("who supports victims?", k=3).hits
    assert hits and all(h.citation for h in hits)


@pytest.mark.models
def test_an_adapted_index_ranks_with_both_encoders_and_a_stock_one_as_before(tiny_copy, fake_models):
    from peel_search.index.build import build_index
    from peel_search.retrieve.ranker import ADAPTED_RANKING, DEFAULT_RANKING, default_ranking

    index, corpus = tiny_copy
    assert set(ADAPTED_RANKING.signals) >= {"adapted", "adapted_sentence"}
    loaded = _load(index, corpus)
    assert default_ranking(loaded.library) is ADAPTED_RANKING
    assert loaded.search("who supports victims?", k=3).hits
    build_index(corpus, index, adapt=False, cache=False)
    assert default_ranking(_load(index, corpus).library) is DEFAULT_RANKING


@pytest.mark.models
def test_a_new_index_is_not_adapted_unless_asked(tmp_path, fake_models):
    """The gate of issue 20 (README: Adapting the encoder) kept adaptation off by default."""
    from peel_search.index.build import ADAPT_BY_DEFAULT, build_index

    assert ADAPT_BY_DEFAULT is False
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(TINY, corpus / TINY.name)
    result = build_index(corpus, tmp_path / "index", cache=False)
    assert result.adaptation is None
    assert not store.read_manifest(tmp_path / "index").settings.get("adapted")


@pytest.mark.models
def test_an_unchanged_library_reuses_the_weights_and_vectors(tiny_copy, fake_models):
    from peel_search.index.build import build_index

    index, corpus = tiny_copy
    before = adapted.read_record(index)
    result = build_index(corpus, index, cache=False)  # adapt=None: as the index did
    assert result.adaptation is not None
    assert not result.adaptation.trained and result.adaptation.embedded == ()
    assert adapted.read_record(index) == before
    result = build_index(corpus, index, adapt=TINY_RECIPE, cache=False)  # asked again, same text
    assert result.adaptation is not None and not result.adaptation.trained


@pytest.mark.models
def test_a_rebuild_of_an_older_format_keeps_the_adaptation(tiny_copy, fake_models):
    from peel_search.index.build import build_index

    index, corpus = tiny_copy
    data = json.loads((index / store.MANIFEST).read_text(encoding="utf-8"))
    data["format_version"] = store.FORMAT_VERSION - 1
    (index / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    result = build_index(corpus, index, cache=False)  # adapt=None: as the index did
    assert result.adaptation is not None
    assert store.read_manifest(index).settings["adapted"]


@pytest.mark.models
def test_a_changed_library_keeps_the_weights_and_says_to_adapt_again(tiny_copy, fake_models):
    from peel_search.index.build import build_index

    index, corpus = tiny_copy
    before = adapted.read_record(index)
    text = TINY.read_text(encoding="utf-8").replace("Testshire", "Otherford")
    (corpus / "other-report.txt").write_text(text, encoding="utf-8")
    result = build_index(corpus, index, cache=False)
    assert result.adaptation is not None and not result.adaptation.trained
    assert result.adaptation.embedded == ("other-report",)
    assert any("peel-search index --adapt" in n.message for n in result.notes)
    assert adapted.read_record(index).weights == before.weights
    _load(index, corpus).score("victims")  # still a valid index
    result = build_index(corpus, index, adapt=TINY_RECIPE, cache=False)
    assert result.adaptation is not None and result.adaptation.trained
    assert adapted.read_record(index).data != before.data


@pytest.mark.models
def test_text_two_reports_share_is_embedded_once_by_the_adapted_encoder(tmp_path, fake_models):
    """A library repeats text (the generated libraries of bench/library.py are rewrites
    of one report): the adapted build embedded it once per report before."""
    from peel_search.index.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(TINY, corpus / TINY.name)
    text = TINY.read_text(encoding="utf-8") + "\n\nA closing paragraph that the other report has not.\n"
    (corpus / f"longer-{TINY.name}").write_text(text, encoding="utf-8")
    result = build_index(corpus, tmp_path / "index", adapt=TINY_RECIPE, cache=False)
    outcome = result.adaptation
    assert outcome is not None and len(outcome.embedded) == 2
    assert 0 < outcome.embedded_texts < outcome.texts
    first, second = (tmp_path / "index" / adapted.part_folder(r) for r in sorted(outcome.embedded))
    shared = np.load(second / store.DENSE)[0]
    assert np.array_equal(np.load(first / store.DENSE)[0], shared)


@pytest.mark.models
def test_no_adapt_drops_the_encoder(tiny_copy, fake_models):
    from peel_search.index.build import build_index

    index, corpus = tiny_copy
    result = build_index(corpus, index, adapt=False, cache=False)
    assert result.adaptation is None and not (index / adapted.ADAPTED_DIR).exists()
    assert "adapted" not in _load(index, corpus).score("victims")
    assert build_index(corpus, index, cache=False).adaptation is None  # and it stays off


@pytest.mark.models
def test_a_damaged_weights_file_is_refused(tiny_copy):
    index, corpus = tiny_copy
    path = index / adapted.WEIGHTS
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="rebuild") as refused:
        _load(index, corpus)
    assert "\n" not in str(refused.value)  # one line, saying what to do


@pytest.mark.models
def test_other_weights_in_place_are_refused_at_first_use(tiny_copy):
    from safetensors.numpy import load_file, save_file

    index, corpus = tiny_copy
    path = index / adapted.WEIGHTS
    tensors = load_file(path)
    name = sorted(tensors)[0]
    tensors[name] = tensors[name] + np.float16(0.01)
    save_file(tensors, str(path))
    _rehash(index, adapted.WEIGHTS)
    loaded = _load(index, corpus)
    with pytest.raises(IndexCorruptError, match="other weights") as refused:
        loaded.score("victims")
    assert "\n" not in str(refused.value)


@pytest.mark.models
def test_weights_adapted_from_another_base_model_make_the_index_stale(tiny_copy):
    index, corpus = tiny_copy
    path = index / adapted.RECORD
    record = json.loads(path.read_text(encoding="utf-8"))
    record["base"] = "0" * 64
    path.write_text(json.dumps(record), encoding="utf-8")
    _rehash(index, adapted.RECORD)
    with pytest.raises(IndexStaleError, match=r"another version of the base model.*--adapt") as refused:
        _load(index, corpus)
    assert "\n" not in str(refused.value)


@pytest.mark.models
def test_the_index_command_takes_adapt_and_no_adapt(tiny_copy, fake_models, capsys):
    from peel_search.cli import main

    index, corpus = tiny_copy
    assert main(["index", "--index", str(index), "--corpus", str(corpus), "--no-adapt"]) == 0
    assert not store.read_manifest(index).settings["adapted"]
    assert main(["index", "--index", str(index), "--corpus", str(corpus), "--adapt"]) == 0
    assert "with an adapted encoder" in capsys.readouterr().err
    assert store.read_manifest(index).settings["adapted"]
