"""Fictitious administrative letters for the built-in engine's tests, as the pipeline hands them
over: pseudonymised (placeholders for people), split into paragraphs or pages."""

from __future__ import annotations

from egide.models.base import SourceText

# A préfecture's decision on a grant, with everything a fiche must find: letterhead, place and
# date, references, object, addressee, decision, amount, deadline, enclosures, an appeal notice,
# a politeness formula and a signature block.
GRANT_DECISION = """PRÉFECTURE DE LA GIRONDE
Direction de la citoyenneté et de la légalité
Bureau des subventions

Bordeaux, le 14 mars 2025

Réf. : votre demande du 3 février 2025, dossier n° 2025-118

Monsieur le Président de l'association Les Amis du Port

Objet : attribution d'une subvention au titre du fonds de soutien aux associations

Monsieur le Président,

Par courrier du 3 février 2025, vous avez sollicité une aide pour l'organisation des journées
portuaires de l'été 2025.

J'ai l'honneur de vous informer que j'ai décidé de vous accorder une subvention de 12 500 euros,
imputée sur le programme 104 du budget de l'État.

Le versement interviendra en deux fois : 60 % à la signature de la convention ci-jointe, le solde
sur présentation du bilan financier de l'opération.

Je vous demande de me retourner la convention signée avant le 30 avril 2025, accompagnée d'un
relevé d'identité bancaire.

Toutefois, la subvention sera annulée si l'opération n'a pas commencé le 31 décembre 2025.

La présente décision peut faire l'objet d'un recours devant le tribunal administratif de Bordeaux
dans un délai de deux mois à compter de sa notification.

Je vous prie d'agréer, Monsieur le Président, l'expression de ma considération distinguée.

Pour le préfet et par délégation,
Le secrétaire général
[PERSONNE_1]

PJ : convention de financement (2 exemplaires)"""


def paragraphs(text: str, document: str | None = None) -> list[SourceText]:
    """The text as the readers give it for a DOCX or a TXT: one source per paragraph."""
    parts = [part for part in text.split("\n\n") if part.strip()]
    return [SourceText(part, paragraph=n, document=document) for n, part in enumerate(parts, 1)]


# The same kind of letter after a poor scan: bullets read as "e", a stamp and a scribble read as
# letters, accents lost, a page number, and a running header on every page.
SCANNED_CIRCULAR_PAGES = [
    """PRÉFECTURE DU RHÔNE — Service de la coordination
Le préfet du Rhône
a
à
Mesdames et Messieurs les Sous-préfets d'arrondissement
Mesdames et Messieurs les Maires du département
Objet : Organisation de l'accueil des usagers pendant les travaux du
batiment B.
P) 1.
Les travaux de rénovation du batiment B commenceront le 2 juin 2025 et dureront
quatre mois. L'accueil du public sera transféré au rez-de-chaussée du batiment A.
A ce titre, les services sont invités & privilégier par ordre de préférence :
e la prise de rendez-vous en ligne ;
e l'accueil téléphonique ;
e le guichet, pour les seules démarches qui l'exigent.
1/2""",
    """PRÉFECTURE DU RHÔNE — Service de la coordination
Une vigilance particuliére doit étre portée a l'information des usagers les plus
éloignés du numérique.
Je vous demande de relayer cette information auprés de vos administrés avant
le 15 mai 2025.
Le coût des travaux, 1,2 million d'euros, est pris en charge par le ministére.
Pour le préfet et par délégation
Le secrétaire général
c 7
/ku(\\,v/
[PERSONNE_1]
2/2""",
]


def pages(texts: list[str], document: str | None = None) -> list[SourceText]:
    return [SourceText(text, page=n, document=document) for n, text in enumerate(texts, 1)]
