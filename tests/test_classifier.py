"""The citation classifier: labels of fixed sentences, accuracy on a labelled sample, the
aggregation rule, hostile input, and the weights file's loader."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest

from pithtui.classifier import POLARITIES, ROLES, CitationLabel, Classifier, ContextLabel
from pithtui.classifier.features import MAX_CHARS, features, window
from pithtui.classifier.labels import aggregate
from pithtui.classifier.linear import encode, pack
from pithtui.errors import ModelFileError
from pithtui.sources.citation_model import DEFAULT_MODEL, load_classifier

SAMPLE = Path(__file__).parent / "data" / "citation_sample.tsv"
FOLD = {"background": 0, "motivation": 0, "future": 0, "uses": 1, "extends": 1, "compares": 2}


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classifier()


@pytest.fixture(scope="module")
def model_data() -> dict[str, Any]:
    return json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))


def _label(classifier: Classifier, text: str) -> ContextLabel:
    label = classifier.classify(text)
    assert label is not None
    return label


# --------------------------------------------------------------------------- fixed sentences


@pytest.mark.parametrize(
    "text",
    [
        "Unlike X [3], our method does not require any labelled data.",
        "However, the approach of (Smith et al., 2019) fails to scale to long documents.",
        "In contrast to [7], which suffers from poor recall, we use a larger lexicon.",
    ],
)
def test_contrasting_sentences(classifier: Classifier, text: str) -> None:
    label = _label(classifier, text)
    assert label.polarity == "contrasting"
    assert label.contrast == label.score


@pytest.mark.parametrize(
    "text",
    [
        "Our results are consistent with [4].",
        "This confirms the findings of Smith et al. (2019), whose state-of-the-art model works well.",
    ],
)
def test_supporting_sentences(classifier: Classifier, text: str) -> None:
    assert _label(classifier, text).polarity == "supporting"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("We use the parser of (Smith et al., 2019) to parse all sentences.", "uses"),
        ("Our approach extends the framework of [12].", "extends"),
        ("Our results are higher than those reported by [4] on the same data.", "compares"),
        ("In future work, we will apply the method of [9] to other languages.", "future"),
        ("Topic models have been widely studied in information retrieval [1, 2, 5].", "background"),
    ],
)
def test_roles_of_fixed_sentences(classifier: Classifier, text: str, role: str) -> None:
    assert _label(classifier, text).roles[0][0] == role


def test_label_shape(classifier: Classifier) -> None:
    label = _label(classifier, "However, the approach of [3] fails to scale to long documents.")
    assert label.roles and all(role in ROLES for role, _ in label.roles)
    assert [p for _, p in label.roles] == sorted((p for _, p in label.roles), reverse=True)
    assert all(0.0 <= p <= 1.0 for _, p in label.roles)
    assert label.polarity in POLARITIES and 0.0 < label.score <= 1.0 and 0.0 <= label.contrast <= 1.0
    assert 1 <= len(label.cues) <= 5
    assert "however" in label.cues or "fails to" in label.cues or "fails" in label.cues
    assert all(cue.lower() in "however, the approach of fails to scale to long documents." for cue in label.cues)


def test_probabilities_sum_to_one(classifier: Classifier) -> None:
    found = classifier.probabilities("We use the parser of [3].")
    assert found is not None
    roles, polarities = found
    assert list(roles) == list(ROLES) and list(polarities) == list(POLARITIES)
    assert sum(roles.values()) == pytest.approx(1.0) and sum(polarities.values()) == pytest.approx(1.0)


# --------------------------------------------------------------------------- the labelled sample


def _sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_sample_accuracy(classifier: Classifier) -> None:
    """Well above chance on a sample of real labelled sentences (a broken model falls below)."""
    rows = _sample()
    roles = [row for row in rows if row["role"]]
    polar = [row for row in rows if row["polarity"]]
    assert len(roles) >= 40 and len(polar) >= 25
    role_hits = sum(FOLD[_label(classifier, row["text"]).roles[0][0]] == FOLD[row["role"]] for row in roles)
    polarity_hits = sum(_label(classifier, row["text"]).polarity == row["polarity"] for row in polar)
    assert role_hits / len(roles) >= 0.55
    assert polarity_hits / len(polar) >= 0.6


def test_deterministic(classifier: Classifier) -> None:
    rows = _sample()
    first = [classifier.classify(row["text"]) for row in rows]
    again = Classifier.from_dict(json.loads(DEFAULT_MODEL.read_text(encoding="utf-8")))
    assert [again.classify(row["text"]) for row in rows] == first
    assert again.model_id == classifier.model_id


# --------------------------------------------------------------------------- aggregation


def _context(polarity: str, score: float, roles: tuple[tuple[str, float], ...], contrast: float = 0.1) -> ContextLabel:
    return ContextLabel(roles=roles, polarity=polarity, score=score, contrast=contrast, cues=())


def test_aggregate_contrasting_wins() -> None:
    contexts = [
        _context("supporting", 0.9, (("uses", 0.7),)),
        None,
        _context("contrasting", 0.6, (("compares", 0.5), ("background", 0.4)), contrast=0.6),
        _context("contrasting", 0.8, (("background", 0.6),), contrast=0.8),
    ]
    label = aggregate(contexts)
    assert isinstance(label, CitationLabel)
    assert (label.polarity, label.score, label.contrast) == ("contrasting", 0.8, 0.8)
    assert label.roles == (("uses", 0.7), ("background", 0.6), ("compares", 0.5))
    assert label.contexts == tuple(contexts)


def test_aggregate_supporting_then_neutral() -> None:
    label = aggregate([_context("neutral", 0.9, (("background", 0.9),)), _context("supporting", 0.5, (("uses", 0.8),))])
    assert label is not None and (label.polarity, label.score) == ("supporting", 0.5)
    label = aggregate([_context("neutral", 0.7, (("background", 0.9),)), _context("neutral", 0.8, (("uses", 0.6),))])
    assert label is not None and (label.polarity, label.score) == ("neutral", 0.8)


def test_aggregate_nothing() -> None:
    assert aggregate([]) is None
    assert aggregate([None, None]) is None


def test_label_of_contexts(classifier: Classifier) -> None:
    contexts = ["We use the tagger of [3].", "", "However, [3] fails to handle unknown words."]
    label = classifier.label(contexts)
    assert label is not None
    assert label.contexts[1] is None and len(label.contexts) == 3
    assert label.polarity == "contrasting"
    assert {"uses"} <= {role for role, _ in label.roles}
    assert classifier.label(["", "[3]", "  "]) is None


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("text", ["", "   ", "[3]", "(Smith et al., 2019)", "#AUTHOR_TAG", "12, 13 — %", "<b></b>"])
def test_nothing_to_classify(classifier: Classifier, text: str) -> None:
    assert classifier.classify(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "[b]x[/b] [i]see[/i] <a href='x'>here</a> &amp; [3]",
        "We\x00 use\x1b[31m the\x07 parser\u202e of [3]\r\n\t.",
        "这是一个关于引文分析的句子 [3]。",
        "Это предложение на русском языке [3].",
        "\ud800 lone surrogate [3]",
        "a" * 5000,
        "[" * 3000 + "(" * 3000,
    ],
)
def test_hostile_text_does_not_crash(classifier: Classifier, text: str) -> None:
    label = classifier.classify(text)
    if label is not None:
        assert label.polarity in POLARITIES and label.roles


def test_unknown_words_come_out_neutral(classifier: Classifier) -> None:
    label = classifier.classify("Это предложение на русском языке [3].")
    assert label is None or label.polarity == "neutral"


def test_long_text_is_bounded(classifier: Classifier) -> None:
    sentence = "However, the method of [3] fails to scale. "
    long = "lorem ipsum dolor " * 3000 + sentence + "sit amet " * 10_000
    assert len(window(long)) == MAX_CHARS
    started = time.perf_counter()
    label = classifier.classify(long)
    assert time.perf_counter() - started < 0.5
    assert label is not None and label.polarity == "contrasting"  # the window is around the marker
    started = time.perf_counter()
    classifier.classify("x " * 50_000)
    classifier.classify("[1" * 50_000)
    classifier.classify("(" + "Smith, 2019; " * 10_000)
    assert time.perf_counter() - started < 0.5
    assert len(features("word " * 50_000)) < 2 * MAX_CHARS


# --------------------------------------------------------------------------- the weights file


def test_missing_model_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(ModelFileError, match="nowhere.json is missing"):
        load_classifier(missing)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"format": "pithtui-citation-model/1",\n\n  oops', "bad JSON at line 3"),
        ("[1, 2, 3]", "not a pithtui-citation-model"),
        ('{"format": "something else"}', "not a pithtui-citation-model"),
    ],
)
def test_corrupt_model_file(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelFileError, match=f"citation model .*model.json is not a pithtui citation model .*{why}"):
        load_classifier(path)


def test_malformed_weights(model_data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="weights are not"):
        Classifier.from_dict(dict(model_data, weights="not base64!"))
    with pytest.raises(ValueError, match="one row of 11 fields"):
        Classifier.from_dict(dict(model_data, features=model_data["features"] + "\nhowever more"))
    huge = encode([b"\xff" * 88 for _ in model_data["features"].split("\n")])
    with pytest.raises(ValueError, match="beyond"):
        Classifier.from_dict(dict(model_data, weights=huge))
    with pytest.raises(ValueError, match="cue 'however'"):
        Classifier.from_dict(
            dict(model_data, cues={"contrasting": {"however": 1.0}}, features="we\nuse", weights=encode([pack([0.0] * 11)] * 2))
        )
    with pytest.raises(ValueError, match="bias"):
        Classifier.from_dict(dict(model_data, bias=[0.0] * 3))
    with pytest.raises(ValueError, match="model_id"):
        Classifier.from_dict({k: v for k, v in model_data.items() if k != "model_id"})


def test_environment_names_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PITHTUI_MODEL", str(tmp_path / "elsewhere.json"))
    with pytest.raises(ModelFileError, match="elsewhere.json is missing"):
        load_classifier()


def test_loader_caches_per_path() -> None:
    assert load_classifier(DEFAULT_MODEL) is load_classifier(DEFAULT_MODEL)


def test_model_id_follows_the_weights(model_data: dict[str, Any]) -> None:
    pytest.importorskip("sklearn")
    import numpy as np

    from training.fit import Head, export

    def head(classes: tuple[str, ...], weight: float) -> Head:
        coef = np.zeros((len(classes), 2))
        coef[0, 0] = weight
        return Head(classes, ("however", ("we", "use")), np.ones(2), coef, np.zeros(len(classes)))

    thresholds = {"role": 0.3, "contrasting": 0.5, "supporting": 0.5}
    first = export(head(ROLES, 1.0), head(POLARITIES, 1.0), thresholds, {})
    same = export(head(ROLES, 1.0), head(POLARITIES, 1.0), thresholds, {})
    other = export(head(ROLES, 1.5), head(POLARITIES, 1.0), thresholds, {})
    assert first["model_id"] == same["model_id"] != other["model_id"]
    assert Classifier.from_dict(other).model_id == other["model_id"]


def test_packaged_model_is_small_and_described(model_data: dict[str, Any]) -> None:
    assert DEFAULT_MODEL.stat().st_size < 5 * 2**20
    assert model_data["model_id"].startswith("cite-")
    assert model_data["trained_on"]
