"""The evaluation sets are sound, their check keys are valid, and the benchmark scores correctly."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter
from typing import Any

import faker
import pytest
from stdnum import iban as std_iban
from stdnum.fr import nif, nir, siren, siret

from benchmarks.devset import keys
from benchmarks.devset.builder import REPORTED_LABELS
from benchmarks.devset.generate import (
    DEVSET_PATH,
    FAKER_VERSION,
    FRESH_PATH,
    LONG_DOC_CHARS,
    SPLITS,
    check_record,
    generate,
    to_jsonl,
)
from benchmarks.guard import evaluate
from benchmarks.presidio_fr import block_network, make_tldextract_offline, map_entity
from benchmarks.scoring import (
    Span,
    char_masking,
    identifier_recall,
    is_masking,
    label_scores,
    merge_intervals,
)
from egide.guard.findings import INSTITUTIONAL_LABELS, PERSONAL_LABELS

KINDS = ("courrier", "clinique", "decision")
# Health terms are derived from the sensitivity assessment, never produced by Guard.detect:
# the sets do not annotate them.
GOLD_LABELS = PERSONAL_LABELS - {"HEALTH"}


def _read(path: Any) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return _read(DEVSET_PATH)


@pytest.fixture(scope="module")
def fresh() -> list[dict[str, Any]]:
    return _read(FRESH_PATH)


def _plain(value: str) -> str:
    """What a reader sees of a value: look-alike digits folded, separators and invisible
    characters dropped (independently of the guard's normalisation)."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", value)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded if ch.isalnum()
    )


def _values(records: list[dict[str, Any]], label: str) -> list[str]:
    return [
        r["text"][s["start"] : s["end"]] for r in records for s in r["spans"] if s["label"] == label
    ]


# --- the file -----------------------------------------------------------------------------------


def test_size_and_kinds(records: list[dict[str, Any]]) -> None:
    assert DEVSET_PATH.stat().st_size < 2_000_000
    assert len(records) >= 150
    kinds = Counter(r["kind"] for r in records)
    assert set(kinds) == set(KINDS)
    assert all(kinds[kind] >= 45 for kind in KINDS), kinds
    assert len({r["id"] for r in records}) == len(records)
    long_docs = sum(len(r["text"]) > LONG_DOC_CHARS for r in records)
    assert 0.05 * len(records) <= long_docs <= 0.2 * len(records)


def test_fresh_split_is_apart(records: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> None:
    """Another seed and other templates: no text of the fresh split is in the dev split."""
    assert FRESH_PATH.stat().st_size < 2_000_000
    assert SPLITS["fresh"].seed != SPLITS["dev"].seed
    assert SPLITS["fresh"].sections is not SPLITS["dev"].sections
    assert {r["text"] for r in records}.isdisjoint(r["text"] for r in fresh)
    for split in (records, fresh):
        groups = Counter((r["kind"], r["group"]) for r in split)
        assert all(groups[(kind, group)] >= 3 for kind in KINDS
                   for group in ("base", "hard", "hostile")), groups  # fmt: skip


def test_hostile_copies_disguise_their_values(records: list[dict[str, Any]]) -> None:
    """Hostile documents hide values behind invisible characters and look-alike digits, and
    their gold spans still cover exactly the disguised values."""
    by_id = {r["id"]: r for r in records}
    hostile = [r for r in records if r["group"] == "hostile"]
    disguised = 0
    for record in hostile:
        plain = by_id[record["id"].removesuffix("-hostile")]
        assert len(record["spans"]) == len(plain["spans"])
        for span, original in zip(record["spans"], plain["spans"], strict=True):
            value = record["text"][span["start"] : span["end"]]
            source = plain["text"][original["start"] : original["end"]]
            disguised += value != source
            assert span["label"] == original["label"]
    assert disguised >= len(hostile)


@pytest.mark.parametrize("split", ["dev", "fresh"])
def test_spans_are_in_bounds_non_empty_and_disjoint(
    records: list[dict[str, Any]], fresh: list[dict[str, Any]], split: str
) -> None:
    for record in records if split == "dev" else fresh:
        text, spans = record["text"], sorted(record["spans"], key=lambda s: s["start"])
        assert spans, record["id"]
        for span in spans:
            value = text[span["start"] : span["end"]]
            assert 0 <= span["start"] < span["end"] <= len(text), (record["id"], span)
            assert value.strip() == value and value, (record["id"], span)
            assert span["label"] in GOLD_LABELS, span
        for span in record.get("reported", ()):
            assert span["label"] in INSTITUTIONAL_LABELS, span
        for before, after in itertools.pairwise(spans):
            assert before["end"] <= after["start"], (record["id"], before, after)
        assert check_record(record) == []
    assert REPORTED_LABELS == INSTITUTIONAL_LABELS


def test_every_personal_label_is_represented(records: list[dict[str, Any]]) -> None:
    counts = Counter(s["label"] for r in records for s in r["spans"])
    assert {label for label, n in counts.items() if n >= 20} == GOLD_LABELS
    reported = Counter(s["label"] for r in records for s in r.get("reported", ()))
    assert {label for label, n in reported.items() if n >= 20} == INSTITUTIONAL_LABELS
    assert sum(len(r.get("decoys", ())) for r in records) >= 100


@pytest.mark.parametrize(
    ("label", "is_valid"),
    [
        ("NIR", nir.is_valid),
        ("IBAN", std_iban.is_valid),
        ("SIRET", siret.is_valid),
        ("SIREN", siren.is_valid),
        ("TAX_ID", nif.is_valid),
    ],
)
def test_checksummed_values_have_valid_keys(
    records: list[dict[str, Any]], fresh: list[dict[str, Any]], label: str, is_valid: Any
) -> None:
    values = [_plain(v) for r in (records, fresh) for v in _values(r, label)]
    assert len(values) >= 20
    invalid = [v for v in values if not is_valid(v)]
    assert invalid == []


def test_nir_like_values_have_a_nir_shape_and_a_wrong_key(records: list[dict[str, Any]]) -> None:
    values = [_plain(v) for v in _values(records, "NIR_LIKE")]
    assert len(values) >= 20
    assert all(len(v) == 15 and v[0] in "12" and not nir.is_valid(v) for v in values), values


def test_hard_nir_cases_are_present(records: list[dict[str, Any]]) -> None:
    compact = [_plain(v) for v in _values(records, "NIR")]
    assert any(v[5:7] in ("2A", "2B") for v in compact)  # Corsica
    assert any(v[5:7] == "97" for v in compact)  # overseas departments
    assert any(int(v[3:5]) > 12 for v in compact)  # unknown month of birth


# Near misses that look like personal data but must never be annotated. A case number after its
# cue ("RG n°", "pourvoi n°") is, on the contrary, gold: FILE_NUMBER.
NEGATIVES = {
    "décret": r"décret n° \d{4}-\d{1,4}",
    "article": r"article (?:[LRD]\. )?\d{1,4}(?:-\d{1,3})?",
    "montant": r"\d{1,3}(?:[ \u00a0]\d{3})?(?:,00)? (?:euros|€|EUR)",
    "fonction": r"[Ll]e (?:préfet|directeur de cabinet|secrétaire général)\b",
    "FINESS": r"N° FINESS : \d{9}",
    "éponyme": r"maladie de (?:Parkinson|Crohn|Basedow|Horton)|signe de Babinski",
    "juridiction": r"(?:TRIBUNAL|COUR) [A-Z' ]{4,30} DE [A-ZÉ-]{3,30}",
    "barreau": r"barreau (?:de |d'|des )[A-Z][a-zé-]{2,30}",
    "préfecture": r"Préfecture (?:de la |du |des |de )[A-Z][\w-]{2,30}",
}


CASE_NUMBERS = {
    "numéro RG": r"(?:RG n°|N° RG) (\d{2}/\d{5})",
    "pourvoi": r"pourvoi n° (\d{2}-\d{2}\.\d{3})",
    "dossier": r"dossier n° (\d{4}/\d{5})",
}


@pytest.mark.parametrize("name", sorted(CASE_NUMBERS))
def test_case_numbers_after_their_cue_are_gold(records: list[dict[str, Any]], name: str) -> None:
    pattern = re.compile(CASE_NUMBERS[name])
    found = 0
    for record in records:
        gold = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
        for match in pattern.finditer(record["text"]):
            found += 1
            assert (*match.span(1), "FILE_NUMBER") in gold, (record["id"], match.group())
    assert found >= 5


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_near_misses_are_present_and_not_annotated(
    records: list[dict[str, Any]], name: str
) -> None:
    pattern = re.compile(NEGATIVES[name])
    found = 0
    for record in records:
        for match in pattern.finditer(record["text"]):
            found += 1
            hits = [
                s for s in record["spans"] if s["start"] < match.end() and match.start() < s["end"]
            ]
            assert hits == [], (record["id"], match.group(), hits)
    assert found >= 5


@pytest.mark.parametrize("split", ["dev", "fresh"])
def test_readme_counts_match_the_file(
    records: list[dict[str, Any]], fresh: list[dict[str, Any]], split: str
) -> None:
    readme = (DEVSET_PATH.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split(f"<!-- {split} -->")[1].split("<!--")[0]
    rows = re.findall(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", table, re.M)
    documented = {label: tuple(int(n) for n in counts) for label, *counts in rows}
    actual: dict[str, list[int]] = {}
    for record in records if split == "dev" else fresh:
        for span in record["spans"]:
            counts = actual.setdefault(span["label"], [0, 0, 0, 0])
            counts[KINDS.index(record["kind"])] += 1
            counts[3] += 1
    assert documented == {label: tuple(c) for label, c in actual.items()}


@pytest.mark.parametrize("split", ["dev", "fresh"])
def test_generation_is_deterministic(split: str) -> None:
    first, second = to_jsonl(list(generate(split))), to_jsonl(list(generate(split)))
    assert first == second
    if faker.VERSION != FAKER_VERSION:
        pytest.skip(f"the sets were generated with Faker {FAKER_VERSION}, not {faker.VERSION}")
    assert first == SPLITS[split].path.read_text(encoding="utf-8")


# --- check-key generators ------------------------------------------------------------------------


def _break_last_digit(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("make", "is_valid", "own_check"),
    [
        (keys.siren, siren.is_valid, keys.luhn_is_valid),
        (keys.siret, siret.is_valid, keys.luhn_is_valid),
        (keys.nir, nir.is_valid, keys.nir_is_valid),
        (keys.spi, nif.is_valid, keys.spi_is_valid),
        (keys.iban_fr, std_iban.is_valid, keys.iban_is_valid),
        (lambda rng: keys.iban_foreign(rng, rng.choice(["DE", "BE", "ES", "GB", "LU"])),
         std_iban.is_valid, keys.iban_is_valid),
    ],
)  # fmt: skip
def test_generated_keys_are_valid_and_a_changed_digit_is_not(
    make: Any, is_valid: Any, own_check: Any
) -> None:
    rng = random.Random(7)
    for _ in range(200):
        value = make(rng)
        assert is_valid(value) and own_check(value), value
        assert not is_valid(_break_last_digit(value)), value
        assert not own_check(_break_last_digit(value)), value


@pytest.mark.parametrize(
    ("bank", "branch", "account", "key"),
    [
        ("20041", "01005", "0500013M026", "06"),  # the IBAN example published by French banks
        ("30006", "00001", "12345678901", "89"),  # FR76 3000 6000 0112 3456 7890 189
    ],
)
def test_rib_key(bank: str, branch: str, account: str, key: str) -> None:
    assert keys.rib_key(bank, branch, account) == key


@pytest.mark.parametrize(
    ("first13", "key"),
    [("2550814168025", "38"), ("2690549588157", "80"), ("1840399352145", "61")],
)
def test_nir_key(first13: str, key: str) -> None:
    assert keys.nir_check_key(first13) == key
    assert nir.is_valid(first13 + key)


def test_nir_corsica_key_reads_2a_as_19() -> None:
    number = "24209" + "2A" + "004851"
    key = keys.nir_check_key(number)
    assert key == keys.nir_check_key("2420919004851")
    assert nir.is_valid(number + key) and keys.nir_is_valid(number + key)


# --- scoring -------------------------------------------------------------------------------------

P = "PERSON"


@pytest.mark.parametrize(
    ("gold", "pred", "strict", "expected"),
    [
        # perfect
        ([Span(0, 10, P)], [Span(0, 10, P)], False, (1.0, 1.0, 1.0)),
        ([Span(0, 10, P)], [Span(0, 10, P)], True, (1.0, 1.0, 1.0)),
        # partial overlap: right with overlap matching, wrong with exact boundaries
        ([Span(0, 10, P)], [Span(5, 15, P)], False, (1.0, 1.0, 1.0)),
        ([Span(0, 10, P)], [Span(5, 15, P)], True, (0.0, 0.0, 0.0)),
        # wrong label
        ([Span(0, 10, P)], [Span(0, 10, "LOCATION")], False, (0.0, 0.0, 0.0)),
        # a miss and a false alarm
        ([Span(0, 10, P)], [Span(20, 30, P)], False, (0.0, 0.0, 0.0)),
        # a non-personal prediction is not scored
        ([Span(0, 10, P)], [Span(0, 10, "DATE")], False, (None, 0.0, 0.0)),
        # nothing to find, nothing found
        ([], [], False, (None, None, None)),
        # half the predictions right
        ([Span(0, 5, P)], [Span(0, 5, P), Span(8, 9, P)], False, (0.5, 1.0, 2 / 3)),
    ],
)
def test_label_scores(
    gold: list[Span], pred: list[Span], strict: bool, expected: tuple[float | None, ...]
) -> None:
    overall = label_scores([gold], [pred], strict=strict)["ALL"]
    got = (overall.precision, overall.recall, overall.f1)
    assert got == pytest.approx(expected)


def test_one_long_prediction_over_two_gold_spans() -> None:
    scores = label_scores([[Span(0, 4, P), Span(5, 9, P)]], [[Span(0, 9, P)]])
    assert (scores[P].matched_pred, scores[P].n_pred) == (1, 1)
    assert (scores[P].matched_gold, scores[P].n_gold) == (2, 2)
    strict = label_scores([[Span(0, 4, P), Span(5, 9, P)]], [[Span(0, 9, P)]], strict=True)
    assert strict[P].recall == 0.0


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ([Span(0, 10, P)], [Span(0, 10, P)], (1.0, 1.0)),
        ([Span(0, 10, P)], [Span(5, 15, P)], (0.5, 0.5)),
        ([Span(0, 10, P)], [Span(0, 10, "IBAN")], (1.0, 1.0)),  # labels do not matter
        ([Span(0, 10, P)], [Span(0, 10, "OTHER_ID")], (1.0, 1.0)),  # nor unknown ones
        ([Span(0, 10, P)], [Span(0, 10, "ORG")], (None, 0.0)),  # ORG does not mask
        ([Span(0, 10, P)], [Span(0, 5, P), Span(3, 8, "PHONE")], (1.0, 0.8)),
        ([], [Span(0, 4, P)], (0.0, None)),
        ([], [], (None, None)),
    ],
)
def test_char_masking(
    gold: list[Span], pred: list[Span], expected: tuple[float | None, float | None]
) -> None:
    counts = char_masking([gold], [pred])
    assert (counts.precision, counts.recall) == pytest.approx(expected)


def test_char_masking_with_dates() -> None:
    gold, pred = [[Span(0, 10, "BIRTH_DATE")]], [[Span(0, 10, "DATE")]]
    assert char_masking(gold, pred).recall == 0.0
    assert char_masking(gold, pred, dates_mask=True).recall == 1.0


@pytest.mark.parametrize(
    ("spans", "merged"),
    [
        ([], []),
        ([(0, 5), (3, 8)], [(0, 8)]),
        ([(5, 8), (0, 5)], [(0, 8)]),
        ([(0, 2), (4, 6)], [(0, 2), (4, 6)]),
        ([(3, 3), (0, 1)], [(0, 1)]),
    ],
)
def test_merge_intervals(spans: list[tuple[int, int]], merged: list[tuple[int, int]]) -> None:
    assert merge_intervals(spans) == merged


def test_identifier_recall_and_full_masking() -> None:
    gold = [[Span(0, 15, "NIR"), Span(20, 47, "IBAN")]]
    pred = [[Span(0, 10, "NIR"), Span(18, 50, "PHONE")]]
    result = identifier_recall(gold, pred, ["NIR", "IBAN", "SIRET"])
    assert result["NIR"] == {"recall": 1.0, "fully_masked": 0.0, "support": 1}
    assert result["IBAN"] == {"recall": 0.0, "fully_masked": 1.0, "support": 1}
    assert result["SIRET"] == {"recall": None, "fully_masked": None, "support": 0}


@pytest.mark.parametrize(
    ("label", "dates", "masks"),
    [("PERSON", False, True), ("ORG", False, False), ("MISC", False, False),
     ("DATE", False, False), ("DATE", True, True), ("OTHER_ID", False, True)],
)  # fmt: skip
def test_is_masking(label: str, dates: bool, masks: bool) -> None:
    assert is_masking(label, dates_mask=dates) is masks


def test_evaluate_on_a_tiny_set() -> None:
    records = [
        {"kind": "courrier", "group": "base", "text": "x" * 30,
         "spans": [{"start": 0, "end": 10, "label": P}],
         "reported": [{"start": 20, "end": 25, "label": "SERVICE_PHONE"}]},
        {"kind": "clinique", "group": "hostile", "text": "y" * 30,
         "spans": [{"start": 5, "end": 20, "label": "NIR"}],
         "decoys": [{"start": 22, "end": 28, "label": "DECOY"}]},
    ]  # fmt: skip
    result = evaluate(
        records,
        [[Span(0, 10, P), Span(20, 25, "SERVICE_PHONE")], [Span(5, 20, "PHONE"), Span(22, 24, P)]],
    )
    assert result["masking_by_group"]["base"]["f1"] == 1.0
    assert result["masking_by_kind"]["clinique"]["recall"] == 1.0
    assert result["labels_overlap"]["NIR"]["recall"] == 0.0
    assert result["identifiers"]["NIR"] == {"recall": 0.0, "fully_masked": 1.0, "support": 1}
    assert result["identifiers_hostile"]["NIR"]["support"] == 1
    assert result["decoys"] == {"flagged": 1, "support": 1, "share": 1.0}
    # A service's number recognised as such, and not masked.
    assert result["institutional"]["SERVICE_PHONE"] == {"recall": 1.0, "masked": 0.0, "support": 1}


def test_institutional_labels_do_not_mask() -> None:
    for label in INSTITUTIONAL_LABELS:
        assert not is_masking(label)
    counts = char_masking([[Span(0, 10, P)]], [[Span(0, 10, P), Span(12, 20, "SERVICE_EMAIL")]])
    assert counts.precision == 1.0


# --- Presidio adapter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "label"),
    [("PERSON", "PERSON"), ("LOCATION", "LOCATION"), ("EMAIL_ADDRESS", "EMAIL"),
     ("PHONE_NUMBER", "PHONE"), ("IBAN_CODE", "IBAN"), ("DATE_TIME", "DATE"),
     ("ORGANIZATION", "ORG"), ("URL", "MISC"), ("CREDIT_CARD", "OTHER_ID"),
     ("US_SSN", "OTHER_ID")],
)  # fmt: skip
def test_presidio_entity_mapping(entity: str, label: str) -> None:
    assert map_entity(entity) == label


def test_tldextract_works_offline() -> None:
    import tldextract

    make_tldextract_offline()
    with block_network() as attempts:
        result = tldextract.extract("claire.durand@exemple.fr")
    assert result.fqdn == "exemple.fr"
    assert attempts == []


def test_block_network_refuses_and_records() -> None:
    import socket

    with block_network() as attempts, pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 443), timeout=0.1)
    assert len(attempts) == 1


# --- public pages ---------------------------------------------------------------------------------


def test_public_pages_are_read_from_a_folder_or_an_archive(tmp_path: Any) -> None:
    import io
    import tarfile

    from benchmarks.public_pages import load_pages, presidio_public

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "spf-1.txt").write_text("Titre\n\nAppelez le 3939.", encoding="utf-8")
    (folder / "cnil-2.txt").write_text("Titre\n\nMadame Claire DURAND.", encoding="utf-8")
    (folder / "README.txt").write_text("à ignorer", encoding="utf-8")
    archive = tmp_path / "documents.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for file in sorted(folder.iterdir()):
            data = file.read_bytes()
            info = tarfile.TarInfo(f"docs/{file.name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    pages = load_pages(folder)
    assert [page_id for page_id, _ in pages] == ["cnil-2", "spf-1"]
    assert load_pages(archive) == pages
    assert load_pages(archive, limit=1) == pages[:1]

    def detect(text: str) -> list[Span]:
        start = text.find("Claire")
        return [Span(start, start + 13, "PERSON")] if start >= 0 else [Span(0, 5, "ORG")]

    result = presidio_public(pages, detect)
    assert (result["flagged"], result["share_flagged"]) == (1, 0.5)
    assert result["labels_of_flagged_pages"] == {"PERSON": 1}
