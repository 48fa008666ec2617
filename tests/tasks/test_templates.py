"""Drafting templates: built-in conventions, administrators' templates, broken files, data."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.documents.letter import LetterPart, split_letter
from egide.tasks.templates import (
    ADMIN_FOLDER,
    InvalidValues,
    MissingFields,
    TemplateError,
    TemplateNotFound,
    TemplateSource,
    load_templates,
)

BUILTIN = ("accuse-reception", "courrier-administration", "note-attention", "note-synthese",
           "reponse-usager")  # fmt: skip
LETTERS = ("accuse-reception", "courrier-administration", "reponse-usager")

GOOD = """+++
titre = "Note brève"
categorie = "note"
description = "Une note d'une ligne."

[[champs]]
nom = "objet"
libelle = "Objet de la note"
exemple = "point budgétaire"

[[champs]]
nom = "texte"
libelle = "Texte"
obligatoire = false
defaut = "Sans observation."
+++
Objet : {{ objet }}

{{ texte }}
"""


CHOICE = """+++
titre = "Décision"
categorie = "courrier_usager"

[[champs]]
nom = "decision"
libelle = "Décision"
choix = ["accord", "refus"]

[[champs]]
nom = "motifs"
libelle = "Motifs"
si = { decision = "refus" }

[[champs]]
nom = "pieces"
libelle = "Pièces manquantes"
obligatoire_si = { decision = ["refus"] }
+++
Décision : {{ decision }}{% if motifs %}, motifs : {{ motifs }}{% endif %}{% if pieces %}, pièces : {{ pieces }}{% endif %}
"""


def test_conditions_of_an_administrators_template(tmp_path: Path) -> None:
    _admin(tmp_path, "decision.md", CHOICE)
    template = load_templates(tmp_path).get("decision")
    assert template.render({"decision": "accord", "motifs": "ignoré"}) == "Décision : accord\n"
    with pytest.raises(MissingFields) as caught:
        template.render({"decision": "refus"})
    assert caught.value.problems == {
        "motifs": "ce champ est obligatoire quand « Décision » est « refus »",
        "pieces": "ce champ est obligatoire quand « Décision » est « refus »",
    }
    text = template.render({"decision": "REFUS", "motifs": "hors délai", "pieces": "RIB"})
    assert text == "Décision : refus, motifs : hors délai, pièces : RIB\n"
    motifs = template.field_named("motifs")
    pieces = template.field_named("pieces")
    assert motifs is not None and pieces is not None
    assert motifs.required and not pieces.required
    assert motifs.when_values == {"decision": ["refus"]} and pieces.when_values == {}


def _admin(home: Path, name: str, text: str | bytes) -> Path:
    folder = home / ADMIN_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_builtin_templates_load_without_error() -> None:
    library = load_templates(None)
    assert [t.name for t in library] == list(BUILTIN)
    assert library.broken == ()
    assert {t.kind for t in library} == {
        "courrier_usager", "courrier_administration", "note", "note_synthese", "reponse_type"
    }  # fmt: skip
    assert all(t.source is TemplateSource.BUILTIN for t in library)


@pytest.mark.parametrize("name", BUILTIN)
def test_every_builtin_renders_its_examples_with_the_conventions(name: str) -> None:
    template = load_templates(None).get(name)
    text = template.render(template.example_data())
    assert "{{" not in text and "{%" not in text and "}}" not in text
    parts = {part.kind: part.text for part in split_letter(text)}
    # Every part of the French administrative layout is marked for the export.
    assert parts[LetterPart.HEADER].splitlines()[0] == "PRÉFECTURE DE LA GIRONDE"
    assert parts[LetterPart.PLACE_DATE].startswith("Bordeaux, le ")
    assert "Objet : " in parts[LetterPart.REFERENCES]
    if name != "note-synthese":  # a synthesis names its writer, it is not signed
        assert parts[LetterPart.SIGNATURE].splitlines()[-1] == "Paul LEFÈVRE"  # prénom NOM
    assert template.title not in text.splitlines()  # the template's title is not printed
    body = parts[LetterPart.BODY]
    if name in LETTERS:
        assert LetterPart.RECIPIENT in parts
        appel = body.splitlines()[0]
        assert appel.endswith(",")
        assert f"Je vous prie d'agréer, {appel[:-1]}, l'expression de" in body
    else:
        assert "Je vous prie d'agréer" not in text  # a note has no formule de politesse


@pytest.mark.parametrize(
    ("civilite", "vedette", "politesse"),
    [
        ("Madame", "Madame Claire DUBOIS",
         "Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées."),
        ("Monsieur", "Monsieur Claire DUBOIS",
         "Je vous prie d'agréer, Monsieur, l'expression de mes salutations distinguées."),
        ("Madame, Monsieur", "Claire DUBOIS",
         "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."),
    ],
)  # fmt: skip
def test_usager_letter_adapts_to_the_addressee(civilite: str, vedette: str, politesse: str) -> None:
    template = load_templates(None).get("accuse-reception")
    text = template.render({**template.example_data(), "civilite": civilite})
    lines = text.splitlines()
    assert vedette in lines
    assert f"{civilite}," in lines  # formule d'appel on its own line
    assert politesse in lines


@pytest.mark.parametrize(
    ("appel", "formule", "expected"),
    [
        ("Monsieur le Préfet", None,
         "Je vous prie d'agréer, Monsieur le Préfet, l'expression de ma haute considération."),
        ("Madame la Maire", "ma considération distinguée",
         "Je vous prie d'agréer, Madame la Maire, l'expression de ma considération distinguée."),
    ],
)  # fmt: skip
def test_letter_to_an_authority(appel: str, formule: str | None, expected: str) -> None:
    template = load_templates(None).get("courrier-administration")
    data = {**template.example_data(), "appel": appel}
    data.pop("formule")
    if formule:
        data["formule"] = formule
    lines = template.render(data).splitlines()
    assert f"{appel}," in lines and expected in lines
    assert "à" in lines  # the suscription "L'autorité / à / le destinataire"


@pytest.mark.parametrize(
    ("sens", "present", "absent"),
    [
        ("favorable", "une suite favorable est réservée", "recours gracieux"),
        (
            "défavorable",
            "pour les motifs suivants : les pièces",
            "une suite favorable est réservée",
        ),
        ("information", "Votre nouveau titre", "recours gracieux"),
    ],
)
def test_optional_parts_of_the_answer(sens: str, present: str, absent: str) -> None:
    template = load_templates(None).get("reponse-usager")
    text = template.render({**template.example_data(), "sens": sens})
    assert present in text
    assert absent not in text
    assert "\n\n\n" not in text  # an empty optional part leaves no hole
    if sens == "défavorable":
        assert "Télérecours citoyens" in text and "tribunal administratif de Bordeaux" in text


def test_a_refusal_without_motifs_is_refused_and_says_why() -> None:
    template = load_templates(None).get("reponse-usager")
    data = {**template.example_data(), "sens": "défavorable", "motifs": " "}
    with pytest.raises(MissingFields) as caught:
        template.render(data)
    assert [f.name for f in caught.value.missing] == ["motifs"]
    assert caught.value.problems == {
        "motifs": "ce champ est obligatoire quand « Sens de la réponse » est « défavorable »"
    }
    assert "(obligatoire quand « Sens de la réponse » est « défavorable »)" in str(caught.value)


def test_conditional_fields_follow_the_choice_made() -> None:
    """Motifs typed before the agent chose « favorable » do not end up in a favourable letter."""
    template = load_templates(None).get("reponse-usager")
    data = {**template.example_data(), "sens": "favorable", "motifs": "MOTIF OUBLIÉ",
            "tribunal": "TRIBUNAL OUBLIÉ"}  # fmt: skip
    values = template.bind(data)
    assert values["motifs"] == "" and values["tribunal"] == ""
    assert "OUBLIÉ" not in template.render(data)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("defavorable", "défavorable"), ("DÉFAVORABLE", "défavorable"), (" favorable ", "favorable")],
)
def test_choices_are_matched_whatever_the_case_and_accents(written: str, canonical: str) -> None:
    template = load_templates(None).get("reponse-usager")
    assert template.bind({**template.example_data(), "sens": written})["sens"] == canonical


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("2025-03-01", "1er mars 2025"),
        ("14/07/2025", "14 juillet 2025"),
        ("03.03.2025", "3 mars 2025"),
        ("03-03-2025", "3 mars 2025"),
        ("29/02/2024", "29 février 2024"),  # a leap year
        ("12 mars 2025", "12 mars 2025"),
        ("1er mars 2025", "1er mars 2025"),
        ("lundi 3 mars 2025", "3 mars 2025"),
        ("03/03/2025 00:00", "3 mars 2025"),  # a spreadsheet's date cell with its time
        ("2025-03-03T09:30:00", "3 mars 2025"),
    ],
)
def test_date_fields_are_written_out_in_french(written: str, shown: str) -> None:
    template = load_templates(None).get("accuse-reception")
    text = template.render({**template.example_data(), "date_reception": written})
    assert f"reçue par mes services le {shown}." in text


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("31/02/2026", "cette date n'existe pas dans le calendrier"),
        ("29/02/2025", "cette date n'existe pas dans le calendrier"),
        ("31 avril 2026", "cette date n'existe pas dans le calendrier"),
        ("2025-13-01", "cette date n'existe pas dans le calendrier"),
        ("12/03/25", "écrivez l'année sur quatre chiffres"),
        ("demain", "ce n'est pas une date"),
        ("12/03/0025", "l'année n'est pas vraisemblable"),
    ],
)
def test_a_date_that_does_not_exist_is_refused_in_french(written: str, problem: str) -> None:
    template = load_templates(None).get("accuse-reception")
    with pytest.raises(InvalidValues) as caught:
        template.render({**template.example_data(), "date_reception": written})
    assert caught.value.problems["date_reception"].startswith(problem)
    assert "JJ/MM/AAAA" in caught.value.problems["date_reception"]
    assert written not in str(caught.value)  # never the value: it may be a birth date
    assert str(caught.value).startswith(
        "1 champ à corriger pour le modèle « accuse-reception » : « Date de réception de la "
        "demande » :\n"
    )


def test_every_problem_is_reported_at_once_with_the_missing_fields() -> None:
    template = load_templates(None).get("reponse-usager")
    data = {**template.example_data(), "date_demande": "31/02/2026", "civilite": "Docteur",
            "nom": "", "sens": "défavorable", "motifs": ""}  # fmt: skip
    with pytest.raises(InvalidValues) as caught:
        template.render(data)
    assert set(caught.value.problems) == {"civilite", "nom", "date_demande", "motifs"}
    assert [f.name for f in caught.value.missing] == ["nom", "motifs"]
    assert "Docteur" not in str(caught.value)
    assert str(caught.value).split(":\n")[0].strip() == (
        "4 champs à corriger pour le modèle « reponse-usager » : « Civilité du destinataire », "
        "« Nom du destinataire », « Date de la demande » et « Motifs du refus »"
    )


def test_missing_required_fields_are_listed_with_their_labels() -> None:
    template = load_templates(None).get("accuse-reception")
    data = template.example_data()
    for name in ("nom", "date_reception", "signataire_nom"):
        data[name] = "  "
    with pytest.raises(MissingFields) as caught:
        template.render(data)
    message = str(caught.value)
    assert message.startswith("champs obligatoires manquants pour le modèle « accuse-reception »")
    assert [f.name for f in caught.value.missing] == ["nom", "date_reception", "signataire_nom"]
    assert "nom : Nom du destinataire" in message
    assert "date_reception : Date de réception de la demande" in message
    assert "civilite" not in message


def test_a_value_outside_the_choices_is_refused_without_quoting_it() -> None:
    template = load_templates(None).get("accuse-reception")
    with pytest.raises(InvalidValues) as caught:
        template.render({**template.example_data(), "civilite": "Docteur Zorglub"})
    assert "« civilite »" in str(caught.value) and "« Madame »" in str(caught.value)
    assert caught.value.problems["civilite"].startswith("valeur non permise : choisissez")
    assert "Zorglub" not in str(caught.value)


def test_unknown_keys_are_an_error_unless_ignored() -> None:
    template = load_templates(None).get("note-synthese")
    data = {**template.example_data(), "obejt": "faute de frappe"}
    with pytest.raises(InvalidValues, match="obejt"):
        template.render(data)
    assert "Objet : bilan" in template.render(data, ignore_unknown=True)


@pytest.mark.parametrize(
    "key", ["civilite", "Civilité du destinataire", "CIVILITE", "civilité du destinataire"]
)
def test_keys_match_field_names_or_labels(key: str) -> None:
    template = load_templates(None).get("accuse-reception")
    data = template.example_data()
    del data["civilite"]
    data[key] = "Monsieur"
    assert "Monsieur,\n" in template.render(data)


def test_values_are_never_evaluated_as_template_code() -> None:
    template = load_templates(None).get("note-attention")
    payload = "{{ 7 * 7 }} {% if true %}oui{% endif %} {{ ''.__class__ }}"
    text = template.render({**template.example_data(), "developpement": payload})
    assert payload in text and "49" not in text


def test_administrators_template_appears_and_overrides(tmp_path: Path) -> None:
    _admin(tmp_path, "note-breve.md", GOOD)
    override = GOOD.replace('titre = "Note brève"', 'titre = "Accusé local"').replace(
        "+++\ntitre", '+++\nnom = "accuse-reception"\ntitre'
    )
    _admin(tmp_path, "mon-accuse.md", override)
    library = load_templates(tmp_path)
    added = library.get("note-breve")
    assert added.source is TemplateSource.ADMIN and not added.overrides
    assert added.render({"objet": "point budgétaire"}) == (
        "Objet : point budgétaire\n\nSans observation.\n"
    )
    replaced = library.get("accuse-reception")
    assert replaced.title == "Accusé local" and replaced.overrides
    assert len(library) == len(BUILTIN) + 1
    assert load_templates(None).get("accuse-reception").title != "Accusé local"


def test_file_name_gives_the_name_when_none_is_declared(tmp_path: Path) -> None:
    _admin(tmp_path, "Réponse Élu.md", GOOD)
    assert load_templates(tmp_path).get("reponse-elu").title == "Note brève"


def test_notes_beside_the_templates_are_not_templates(tmp_path: Path) -> None:
    _admin(tmp_path, "README.md", "# Comment écrire un modèle")
    _admin(tmp_path, "_en-cours.md", "pas fini")
    _admin(tmp_path, "modele.txt", GOOD)
    library = load_templates(tmp_path)
    assert library.broken == () and len(library) == len(BUILTIN)


BROKEN = [
    # (file content, line, French fragment)
    ("titre = 'x'\n", 1, "doit commencer par une ligne « +++ »"),
    ("+++\ntitre = \"x\"\ncategorie = \"note\"\nTexte\n", 5, "en-tête non refermé"),
    (GOOD.replace('libelle = "Texte"', "libelle = Texte"), 13, "un texte s'écrit entre guillemets"),
    (GOOD.replace('categorie = "note"', 'categorie = "circulaire"'), 3, "categorie « circulaire »"),
    (GOOD.replace('obligatoire = false', 'obligatoir = false'), 14, "clé inconnue « obligatoir »"),
    (GOOD.replace("{{ texte }}", "{{ text }}"), 19, "{{ text }} n'est pas un champ déclaré"),
    (GOOD.replace("{{ texte }}", "{{ objet.__class__ }}"), 19, "accès à un attribut"),
    (GOOD.replace("{{ texte }}", "{{ objet['a'] }}"), 19, "accès indexé"),
    (GOOD.replace("{{ texte }}", "{% for x in objet %}{{ x }}{% endfor %}"), 19, "boucle « for »"),
    (GOOD.replace("{{ texte }}", "{{ objet | attr('x') }}"), 19, "filtre inconnu"),
    (GOOD.replace("{{ texte }}", "{% if objet %}oui"), None, "n'est pas refermé"),
    (GOOD.replace('nom = "texte"', 'nom = "objet"'), 12, "champ « objet » déclaré deux fois"),
    (GOOD.replace('nom = "texte"', 'nom = "le-texte"'), 12, "nom de champ « le-texte »"),
    (GOOD.split("+++\nObjet")[0] + "+++\n\n  \n", 17, "le texte du modèle est vide"),
    (GOOD.replace("obligatoire = false\n", ""), 14, "déclarez-le obligatoire = false"),
    # Conditions: on a field declared before, with values among its choices.
    (GOOD.replace('libelle = "Texte"', 'libelle = "Texte"\nsi = { sens = "refus" }'), 14,
     "« sens » n'est pas un champ déclaré avant lui"),
    (CHOICE.replace('si = { decision = "refus" }', 'si = { decision = "refu" }'), 13,
     "« refu » n'est pas un des choix de « decision »"),
    (CHOICE.replace('si = { decision = "refus" }', 'si = "refus"'), 13,
     "une condition s'écrit entre accolades"),
    (CHOICE.replace('si = { decision = "refus" }',
                    'obligatoire = true\nobligatoire_si = { decision = "refus" }'), 13,
     "retirez obligatoire = true"),
    (GOOD.replace('exemple = "point budgétaire"', 'exemple = "31/02/2026"\ntype = "date"'), 9,
     "exemple : cette date n'existe pas"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "fragment"), BROKEN)
def test_a_broken_template_is_isolated_with_a_french_error(
    tmp_path: Path, text: str, line: int | None, fragment: str
) -> None:
    path = _admin(tmp_path, "casse.md", text)
    _admin(tmp_path, "note-breve.md", GOOD)
    library = load_templates(tmp_path)
    assert library.get("note-breve").title == "Note brève"  # the others still load
    assert len(library) == len(BUILTIN) + 1
    (broken,) = library.broken
    assert broken.name == "casse" and broken.path == path
    assert broken.error.startswith(f"modèle invalide ({path}")
    if line is not None:
        assert f"{path}, ligne {line})" in broken.error
    assert fragment in broken.error
    with pytest.raises(TemplateError, match="modèle invalide"):
        library.get("casse")


def test_a_file_that_is_not_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    _admin(tmp_path, "ancien.md", GOOD.encode("cp1252"))
    (broken,) = load_templates(tmp_path).broken
    assert "ligne 2" in broken.error and "UTF-8" in broken.error


def test_a_broken_override_is_not_silently_replaced_by_the_builtin(tmp_path: Path) -> None:
    _admin(tmp_path, "accuse-reception.md", "pas un modèle")
    library = load_templates(tmp_path)
    with pytest.raises(TemplateError, match="accuse-reception.md"):
        library.get("accuse-reception")
    assert library.get("note-synthese").source is TemplateSource.BUILTIN


def test_unknown_template_names_the_available_ones() -> None:
    with pytest.raises(TemplateNotFound) as caught:
        load_templates(None).get("circulaire")
    assert "modèle inconnu « circulaire »" in str(caught.value)
    assert "note-synthese" in str(caught.value)


def test_the_example_in_the_documentation_is_a_valid_template(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs/gabarits.md").read_text(encoding="utf-8")
    example = doc.split("```\n", 2)[1]
    _admin(tmp_path, "Convocation.md", example)
    library = load_templates(tmp_path)
    assert library.broken == ()
    text = library.get("convocation").render(
        {"civilite": "Madame", "nom": "Dubois", "date_entretien": "12/03/2025"}
    )
    assert "présenter le 12 mars 2025 au guichet.\n\nJe vous prie" in text
