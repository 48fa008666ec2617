"""EMAIL: syntactic e-mail addresses, spans without surrounding punctuation, no network; a
functional address ("contact@…", "pref-…@…gouv.fr") is SERVICE_EMAIL, institutional."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["email"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    return findings


VALID = [
    ("Merci d'écrire à prenom.nom@interieur.gouv.fr pour toute question.",
     "prenom.nom@interieur.gouv.fr"),
    ("Écrivez à jean.dupont@exemple.fr.", "jean.dupont@exemple.fr"),
    ("Alias : marie-claire+prefecture@sous.domaine.exemple.org, merci.",
     "marie-claire+prefecture@sous.domaine.exemple.org"),
    ("Adresse en capitales J.Martin@Exemple.FR !", "J.Martin@Exemple.FR"),
    ("Expéditeur : <agent.x@exemple.com>", "agent.x@exemple.com"),
    ("Courriel : a.b-c@x-y.exemple.eu; fin", "a.b-c@x-y.exemple.eu"),
    ("Lien mailto:usager@exemple.fr dans la page.", "usager@exemple.fr"),
    ("«\u00a0dupont.jean@exemple.bzh\u00a0»", "dupont.jean@exemple.bzh"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), VALID)
def test_finds_addresses(recognizer: Recognizer, text: str, value: str) -> None:
    findings = found(recognizer, text)
    assert [(f.text, f.label) for f in findings] == [(value, "EMAIL")]
    assert findings[0].score >= 0.9


FUNCTIONAL = [
    ("Le service contact_2024@mairie-exemple.fr répondra.", "contact_2024@mairie-exemple.fr"),
    ("Secrétariat (pref-secretariat@exemple.gouv.fr) ouvert le matin.",
     "pref-secretariat@exemple.gouv.fr"),
    ("Écrire à pref-etrangers@correze.gouv.fr.", "pref-etrangers@correze.gouv.fr"),
    ("Courriel : secretariat.medecine3@chu-exemple.fr", "secretariat.medecine3@chu-exemple.fr"),
    ("Contact : accueil.public@interieur.gouv.fr", "accueil.public@interieur.gouv.fr"),
    ("Questions : info@caf.fr", "info@caf.fr"),
    ("Réclamations : courrier.scec@diplomatie.gouv.fr", "courrier.scec@diplomatie.gouv.fr"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), FUNCTIONAL)
def test_functional_addresses_are_institutional(
    recognizer: Recognizer, text: str, value: str
) -> None:
    assert [(f.text, f.label) for f in found(recognizer, text)] == [(value, "SERVICE_EMAIL")]


@pytest.mark.parametrize(
    "address",
    [
        # A person's name in the local part, whatever else is there or the domain.
        "laurent-hamidi51@corse-du-sud.gouv.fr",
        "contact.dupont@exemple.fr",
        "marie.petit@interieur.gouv.fr",
        # A provider of personal mailboxes: a person's address even when it says "contact".
        "contact@gmail.com",
        # Unknown words: the guard does not guess, the address stays personal.
        "fcddvpublic@notaires.fr",
    ],
)
def test_personal_addresses_stay_personal(recognizer: Recognizer, address: str) -> None:
    assert [f.label for f in found(recognizer, f"Écrire à {address} avant lundi.")] == ["EMAIL"]


def test_finds_each_address_of_a_list(recognizer: Recognizer) -> None:
    text = "Destinataires : a.martin@exemple.fr, b.durand@exemple.fr et c.petit@exemple.fr."
    assert [f.text for f in found(recognizer, text)] == [
        "a.martin@exemple.fr",
        "b.durand@exemple.fr",
        "c.petit@exemple.fr",
    ]


NEAR_MISSES = [
    "Serveur interne jean.dupont@localhost sans domaine.",
    "Adresse incomplète a@b et @exemple.fr seul.",
    "Domaine vide jean.dupont@.fr refusé.",
    "Extension trop courte jean@exemple.f refusée.",
    "Double point user@exemple..fr refusé.",
    "Deux arobases a@b@c.fr refusées.",
    "Site www.exemple.fr sans arobase.",
    "Forme masquée prenom.nom(at)exemple.fr.",
    "Pseudonyme @jean_dupont sur un réseau.",
    "Montant 1 234,56 € et décret n° 2024-123.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_emails(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("EMAIL", "SERVICE_EMAIL")


@pytest.mark.parametrize(
    "hostile",
    ["1 " * 500_000, "a." * 500_000, "rue " * 250_000, ("a" * 63 + ".") * 15_000 + "@"],
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
