"""French names of Égide's labels, for people (reports, refusals, the portal)."""

from __future__ import annotations

__all__ = ["LABELS_FR", "label_fr"]

LABELS_FR = {
    "PERSON": "nom de personne",
    "LOCATION": "lieu",
    "ADDRESS": "adresse postale",
    "BIRTH_DATE": "date de naissance",
    "PHONE": "numéro de téléphone",
    "EMAIL": "adresse électronique",
    "NIR": "numéro de sécurité sociale (NIR)",
    "IBAN": "IBAN",
    "SIRET": "numéro SIRET",
    "SIREN": "numéro SIREN",
    "PLATE": "plaque d'immatriculation",
    "TAX_ID": "numéro fiscal",
    "ID_CARD": "numéro de carte d'identité",
    "PASSPORT": "numéro de passeport",
    "AGDREF": "numéro AGDREF",
    "CAF": "numéro d'allocataire CAF",
    "NIR_LIKE": "numéro de sécurité sociale probable (clé erronée)",
    "FILE_NUMBER": "numéro de dossier",
    "HEALTH": "terme de santé",
    "SERVICE_PHONE": "téléphone d'un service",
    "SERVICE_EMAIL": "adresse électronique d'un service",
    "SERVICE_ADDRESS": "adresse postale d'une administration",
    "EXAMPLE_VALUE": "valeur d'exemple",
    "ORG": "organisation",
    "DATE": "date",
    "MISC": "autre entité",
}


def label_fr(label: str) -> str:
    return LABELS_FR.get(label, label.lower())
