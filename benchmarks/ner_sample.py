"""A hand-written sample of French administrative, clinical and court sentences with gold names.

Names are marked inline: ``⟦P:Jean DUPONT⟧`` (PERSON), ``⟦L:Lyon⟧`` (LOCATION), ``⟦O:…⟧`` (ORG).
All people are fictitious. As in the development set (and the Cour de cassation's
pseudonymisation), the seat of an institution ("tribunal judiciaire de Nanterre", "maire de
Besançon") and the place a letter is written from ("Fait à Saint-Denis, le …") are not LOCATION. Run ``python benchmarks/ner_sample.py`` for precision and recall of the
names recognizer on PERSON and LOCATION (exact spans, and overlapping spans).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

__all__ = ["SAMPLE", "HELD_OUT", "FRESH", "parse", "score"]

SAMPLE = [
    # Administrative letters
    "Monsieur le Préfet,\nJ'ai l'honneur de solliciter le renouvellement du titre de séjour de "
    "M. ⟦P:Karim BENSAÏD⟧, né le 4 avril 1988 à ⟦L:Oran⟧ (⟦L:Algérie⟧).",
    "Madame ⟦P:Odile FERRAND⟧, épouse ⟦P:VASSEUR⟧, a déposé sa demande le 3 mai à la mairie de "
    "Villeurbanne.",
    "Le dossier de Mme ⟦P:Boulanger⟧ et de M. ⟦P:Petit⟧ est suivi par la direction départementale.",
    "Fait à Saint-Denis, le 3 janvier 2024.\nPour le préfet et par délégation,\n"
    "Le secrétaire général,\n⟦P:Tiphaine ROUXEL⟧",
    "Monsieur le Directeur, je vous informe que ⟦P:Anne-Sophie Carrel⟧ reprendra ses fonctions "
    "lundi.",
    "Dossier suivi par : ⟦P:Gwenaël Le Bihan⟧\nTél. : 02 98 00 00 00",
    "Objet : recours gracieux de ⟦P:DIALLO Fatoumata⟧ contre la décision du 12 février.",
    "Madame la Présidente du conseil départemental a transmis le courrier au maire de Besançon.",
    "Je soussigné ⟦P:Bertrand Lachaume⟧, agissant en qualité de tuteur de ⟦P:Lucie Lachaume⟧, "
    "certifie l'exactitude des informations.",
    "MM. ⟦P:Garnier⟧ et ⟦P:Fontanel⟧ sont convoqués à la sous-préfecture de Brest.",
    # Clinical notes
    "Patient : ⟦P:Marcel TROCHU⟧, 78 ans, adressé par le Dr ⟦P:Hélène Vasseur⟧ pour dyspnée.",
    "Compte rendu d'hospitalisation de Mme ⟦P:Yvette Marchal⟧ née ⟦P:Rigaud⟧, suivie au CHU "
    "de Rennes.",
    "Vu ce jour avec sa fille ⟦P:Claire⟧, qui souhaite être personne de confiance.",
    "Médecin traitant : Dr ⟦P:J.-P. Moreau⟧. Allergie à la pénicilline.",
    "L'interne, ⟦P:Samir Haddad⟧, a prescrit un scanner thoracique.",
    "Antécédents : HTA, diabète de type 2. Le Pr ⟦P:Lemaire-Duval⟧ propose une coronarographie.",
    "Mme ⟦P:N'DIAYE Aminata⟧ a été transférée au service de cardiologie.",
    "Infirmière : ⟦P:Laëtitia Bourdin⟧. Pansement refait, cicatrice propre.",
    "Le patient est sorti le 12 mars. Prochain rendez-vous avec le docteur ⟦P:Ferrier⟧.",
    "Conclusion : pneumopathie. Surveillance par l'équipe de ⟦L:Grenoble⟧.",
    # Court decisions
    "⟦P:Roger FAUCHER⟧ c/ ⟦O:SNCF Voyageurs⟧",
    "Monsieur ⟦P:Didier Cambon⟧, né le 8 juin 1970 à ⟦L:Tulle⟧, demeurant à ⟦L:Brive-la-Gaillarde⟧,"
    " représenté par Maître ⟦P:Sandrine Aubert⟧, avocat au barreau de Limoges.",
    "Par ces motifs, le tribunal condamne ⟦P:Kevin MARCHETTI⟧ à six mois d'emprisonnement.",
    "La cour, présidée par Mme ⟦P:Delorme⟧, conseillère, assistée de M. ⟦P:Pujol⟧, greffier.",
    "Le juge des libertés et de la détention a entendu ⟦P:Ousmane Cissé⟧ en ses observations.",
    "Attendu que ⟦P:M. J. Leroux⟧ ne justifie d'aucun préjudice ;",
    "La société ⟦O:Bâtiments du Rhône⟧ conteste la décision du ⟦O:conseil de prud'hommes⟧ de Lyon.",
    "⟦P:Chantal DUMAS⟧, veuve ⟦P:GIRAUD⟧, demeurant à ⟦L:Nîmes⟧, appelante.",
    "Le président du tribunal judiciaire de Nanterre a rendu l'ordonnance suivante.",
    "Mme ⟦P:Rose⟧ a été entendue ; M. le procureur de la République a requis la relaxe.",
]

# Written after the rules, never tuned on: the honest measure.
HELD_OUT = [
    "ARRÊTÉ PRÉFECTORAL N° 2024-118 PORTANT AUTORISATION D'EXPLOITER\nLe Préfet de la Gironde,",
    "Vu la requête présentée par Mme Pauline Gervais, enregistrée le 2 mars ;".replace(
        "Pauline Gervais", "⟦P:Pauline Gervais⟧"
    ),
    "Vu le code de la santé publique, notamment son article L. 3212-1 ;",
    "Le centre hospitalier Jean-Jaurès de Périgueux accueille les patients du secteur.",
    "Les enfants ⟦P:Léo⟧ et ⟦P:Inès⟧ sont scolarisés à l'école Victor-Hugo.",
    "Entretien avec ⟦P:Mathéo Grandjean⟧ et sa mère, ⟦P:Sabrina Grandjean⟧.",
    "DESTINATAIRES : ⟦P:M. FOURNIER⟧ (DDETS), ⟦P:Mme CHEVALLIER⟧ (ARS)",
    "Interrogé, ⟦P:Yannick Le Floch⟧ déclare ne pas connaître ⟦P:Mickaël Brunet⟧.",
    "Selon ⟦P:Mme Pereira⟧, le logement situé à ⟦L:Aubervilliers⟧ est insalubre.",
    "La Direction générale des finances publiques a notifié le redressement.",
    "Je reste à votre disposition.\nCordialement,\n⟦P:Nadia Belkacem⟧\nAssistante sociale",
    "Le maire de Orange a signé l'arrêté le 5 juin.",
    "Présents : ⟦P:Mmes Arnaud⟧, ⟦P:Thibault⟧ ; ⟦P:MM. Perrin⟧, ⟦P:Royer⟧.",
    "Monsieur le Procureur de la République près le tribunal judiciaire de Bobigny,",
    "L'enfant ⟦P:Enzo ROCHE⟧, né le 12/05/2015, est confié à l'aide sociale à l'enfance.",
    "Objet : Votre demande de carte de résident\nRéférence : 2024/ETR/0915",
    "⟦P:GUÉRIN Sylvie⟧ épouse ⟦P:BLANC⟧, demeurant à ⟦L:Avignon⟧.",
    "Le docteur ⟦P:Bonnet⟧ et l'infirmier ⟦P:Thierry Masson⟧ ont examiné la patiente.",
    "Après examen, Madame ⟦P:Chloé Bailly-Roussel⟧ présente une fracture du radius.",
    "En ⟦L:Bretagne⟧ comme en ⟦L:Normandie⟧, les demandes ont augmenté de 12 %.",
]

# Written last, after all tuning, and measured once: see the report for its figures.
FRESH = [
    "Je soussignée ⟦P:Marie-Thérèse Oudin⟧, demeurant à ⟦L:Vierzon⟧, sollicite un rendez-vous.",
    "Le Directeur départemental de l'emploi, du travail et des solidarités,",
    "Suite à votre appel du 4 mars, ⟦P:Mme Koné⟧ vous recevra au guichet 3.",
    "Copie : M. le Sous-Préfet de l'arrondissement de Vienne ; Mme ⟦P:Solène Perrot⟧ (SGAR).",
    "Vu l'avis de la commission du titre de séjour réunie le 2 juin 2024 ;",
    "L'intéressé, ⟦P:Ionut POPESCU⟧, ressortissant roumain, est entré en France en 2019.",
    "Monsieur ⟦P:Thibault⟧ a quitté le domicile conjugal ; son épouse ⟦P:Ludivine⟧ a la garde.",
    "Adressé par son médecin, le Dr ⟦P:Farida Hamdi⟧, pour bilan d'une anémie.",
    "Traitement de sortie : Kardegic 75 mg, Bisoprolol 2,5 mg.",
    "Signé : ⟦P:Benoît Carlier⟧, chef du service de médecine interne.",
    "Sur la demande de ⟦P:Geneviève Lamotte⟧ tendant à la mainlevée de la mesure de tutelle :",
    "Les époux ⟦P:Vidal⟧ ont déménagé à ⟦L:Perpignan⟧ au printemps.",
    "Le tribunal administratif de Montpellier rejette la requête de ⟦P:M. Ahmadi⟧.",
    "⟦P:Sophie⟧ et ⟦P:Julien Mercier⟧ contestent le refus de permis de construire.",
    "La Caisse primaire d'assurance maladie de la Somme a notifié sa décision.",
    "Présente : ⟦P:Maryse Delattre⟧, assistante sociale de secteur.",
    "Le gendarme ⟦P:Loïc Tanguy⟧ a constaté l'infraction sur la commune de ⟦L:Plouay⟧.",
    "Avis favorable du Comité médical départemental du 12 avril.",
    "Mlle ⟦P:Océane Garnier-Roux⟧, étudiante, née le 9 août 2003 à ⟦L:Dakar⟧ (⟦L:Sénégal⟧).",
    "Bonne réception de votre courrier. Bien à vous, ⟦P:Hervé⟧.",
]

_MARK_RE = re.compile(r"⟦([PLO]):([^⟧]+)⟧")
_LABELS = {"P": "PERSON", "L": "LOCATION", "O": "ORG"}
# "M. J. Leroux" is marked whole to check that the civility is trimmed: the gold is the name.
_CIVILITY_PREFIX_RE = re.compile(r"^(?:M\.|Mme|Dr|Mmes|MM\.) ")


def parse(marked: str) -> tuple[str, list[tuple[int, int, str]]]:
    text: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    for match in _MARK_RE.finditer(marked):
        text.append(marked[pos : match.start()])
        length += match.start() - pos
        surface = match.group(2)
        prefix = _CIVILITY_PREFIX_RE.match(surface)
        start = length + (prefix.end() if prefix else 0)
        text.append(surface)
        length += len(surface)
        spans.append((start, length, _LABELS[match.group(1)]))
        pos = match.end()
    text.append(marked[pos:])
    return "".join(text), spans


def score(
    gold: Iterable[tuple[int, int, str]], found: Iterable[tuple[int, int, str]], label: str
) -> tuple[int, int, int, int]:
    """(exact true positives, overlapping true positives, gold count, found count)."""
    gold_l = [g for g in gold if g[2] == label]
    found_l = [f for f in found if f[2] == label]
    exact = len(set(gold_l) & set(found_l))
    overlap = sum(any(f[0] < g[1] and g[0] < f[1] for f in found_l) for g in gold_l)
    return exact, overlap, len(gold_l), len(found_l)


def main() -> None:
    from egide.guard.ner import NameRecognizer

    recognizer = NameRecognizer()
    totals: dict[str, list[int]] = {}
    sample = HELD_OUT if "--held-out" in sys.argv else FRESH if "--fresh" in sys.argv else SAMPLE
    for marked in sample:
        text, gold = parse(marked)
        found = [(f.start, f.end, f.label) for f in recognizer.find(text)]
        for label in ("PERSON", "LOCATION"):
            counts = score(gold, found, label)
            row = totals.setdefault(label, [0, 0, 0, 0])
            for i, value in enumerate(counts):
                row[i] += value
        misses = set(gold) ^ {f for f in found if f[2] in ("PERSON", "LOCATION")}
        if "-v" in sys.argv and misses:
            print(repr(text))
            for start, end, label in sorted(misses):
                where = "attendu" if (start, end, label) in gold else "trouvé "
                print(f"   {where} {label:8} {text[start:end]!r}")
    for label, (exact, overlap, n_gold, n_found) in totals.items():
        precision = exact / n_found if n_found else 0.0
        recall = exact / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(
            f"{label:8} précision {precision:.2f}  rappel {recall:.2f}  F1 {f1:.2f}  "
            f"(recouvrement : rappel {overlap / n_gold:.2f} ; {n_gold} attendus, "
            f"{n_found} trouvés)"
        )


if __name__ == "__main__":
    main()
