"""Hand-written lists: hard-case names, communes, streets, and the institutions of the documents.

Communes and institutions are real (they are places, not people); every person is fictitious.
"""

from __future__ import annotations

__all__ = [
    "COMMON_WORD_SURNAMES",
    "COMMUNES",
    "COURTS",
    "FOREIGN_BIRTHPLACES",
    "FOREIGN_FIRST_NAMES_F",
    "FOREIGN_FIRST_NAMES_M",
    "FOREIGN_SURNAMES",
    "HOSPITALS",
    "HYPHENATED_FIRST_NAMES_F",
    "HYPHENATED_FIRST_NAMES_M",
    "MAIL_DOMAINS",
    "PARTICLE_SURNAMES",
    "PREFECTURES",
    "STREET_NAMES",
    "STREET_TYPES",
]

# Surnames that are also common French words or first names: a detector must use context.
COMMON_WORD_SURNAMES = (
    "Petit", "Boulanger", "Lefèvre", "Marchand", "Roux", "Blanc", "Masson", "Fontaine",
    "Meunier", "Berger", "Mercier", "Leblanc", "Chevalier", "Legrand", "Boucher", "Lenoir",
    "Rivière", "Bonhomme", "Lebrun", "Fleury", "Carré", "Vasseur", "Bernard", "Martin",
    "Richard", "Laurent", "Vincent", "Lamy", "Sauvage", "Marin", "Colin", "Rey",
)  # fmt: skip

PARTICLE_SURNAMES = (
    "de La Fontaine", "de Villiers", "Le Goff", "d'Harcourt", "du Pont", "de Saint-Aubin",
    "Le Gall", "de Lattre", "Le Bihan", "de La Roche", "Van der Meer", "Della Rocca",
)  # fmt: skip

FOREIGN_SURNAMES = (
    "Nguyen", "Diallo", "Benali", "Haddad", "Kowalski", "Da Silva", "Traoré", "Ben Ahmed",
    "Mendy", "Diop", "Tran", "Yilmaz", "Ferreira", "Dos Santos", "Kaya", "Cissé",
    "Benmoussa", "Bouzid", "Zhang", "Rodrigues", "Camara", "Keita", "Nowak", "Pereira",
    "Hamidi", "Le Van", "Öztürk", "Mbappé", "Abdallah", "Kone",
)  # fmt: skip

HYPHENATED_FIRST_NAMES_M = (
    "Jean-Pierre", "Pierre-Yves", "Jean-Baptiste", "Jean-Luc", "Jean-Marc", "Marc-Antoine",
    "Louis-Marie", "Jean-François",
)  # fmt: skip
HYPHENATED_FIRST_NAMES_F = (
    "Marie-Claire", "Anne-Sophie", "Marie-Thérèse", "Marie-Laure", "Anne-Laure", "Marie-Hélène",
    "Laure-Anne", "Marie-Pierre",
)  # fmt: skip
FOREIGN_FIRST_NAMES_M = (
    "Mamadou", "Karim", "Mohamed", "Minh", "Piotr", "João", "Moussa", "Samir", "Ousmane",
    "Mehmet", "Youssef", "Wei", "Abdoulaye", "Rachid",
)  # fmt: skip
FOREIGN_FIRST_NAMES_F = (
    "Fatoumata", "Yasmine", "Aïcha", "Thi Lan", "Agnieszka", "Inès", "Nadia", "Mariama",
    "Leïla", "Fatima", "Ayşe", "Mei", "Aminata", "Samira",
)  # fmt: skip

# (postal code, commune, INSEE department + commune code used to build a consistent NIR)
COMMUNES = (
    ("87000", "Limoges", "87085"), ("87100", "Limoges", "87085"), ("87200", "Saint-Junien", "87154"),
    ("87300", "Bellac", "87011"), ("87170", "Isle", "87075"), ("87220", "Feytiat", "87065"),
    ("87350", "Panazol", "87114"), ("87700", "Aixe-sur-Vienne", "87001"),
    ("87400", "Saint-Léonard-de-Noblat", "87161"), ("87500", "Saint-Yrieix-la-Perche", "87187"),
    ("87270", "Couzeix", "87050"), ("87240", "Ambazac", "87002"), ("19000", "Tulle", "19272"),
    ("19100", "Brive-la-Gaillarde", "19031"), ("19200", "Ussel", "19275"),
    ("23000", "Guéret", "23096"), ("23200", "Aubusson", "23008"), ("75011", "Paris", "75111"),
    ("75015", "Paris", "75115"), ("75018", "Paris", "75118"), ("69003", "Lyon", "69383"),
    ("69100", "Villeurbanne", "69266"), ("69120", "Vaulx-en-Velin", "69256"),
    ("13008", "Marseille", "13208"), ("33000", "Bordeaux", "33063"), ("59000", "Lille", "59350"),
    ("59100", "Roubaix", "59512"), ("44000", "Nantes", "44109"), ("31000", "Toulouse", "31555"),
    ("67000", "Strasbourg", "67482"), ("34000", "Montpellier", "34172"),
    ("35000", "Rennes", "35238"), ("92000", "Nanterre", "92050"),
    ("92100", "Boulogne-Billancourt", "92012"), ("94000", "Créteil", "94028"),
    ("93200", "Saint-Denis", "93066"), ("93100", "Montreuil", "93048"),
    ("38000", "Grenoble", "38185"), ("63000", "Clermont-Ferrand", "63113"),
    ("86000", "Poitiers", "86194"), ("16000", "Angoulême", "16015"), ("24000", "Périgueux", "24322"),
    ("20000", "Ajaccio", "2A004"), ("20200", "Bastia", "2B033"), ("97400", "Saint-Denis", "97411"),
    ("97200", "Fort-de-France", "97209"), ("97300", "Cayenne", "97302"),
    ("97110", "Pointe-à-Pitre", "97120"), ("97600", "Mamoudzou", "97611"),
    ("45000", "Orléans", "45234"), ("37000", "Tours", "37261"), ("76000", "Rouen", "76540"),
    ("57000", "Metz", "57463"), ("64100", "Bayonne", "64102"), ("17000", "La Rochelle", "17300"),
    ("36000", "Châteauroux", "36044"), ("43000", "Le Puy-en-Velay", "43157"),
)  # fmt: skip

# (city, country, INSEE code of the country for the NIR of people born abroad)
FOREIGN_BIRTHPLACES = (
    ("Alger", "Algérie", "99352"), ("Oran", "Algérie", "99352"), ("Casablanca", "Maroc", "99350"),
    ("Tunis", "Tunisie", "99351"), ("Dakar", "Sénégal", "99341"), ("Bamako", "Mali", "99335"),
    ("Porto", "Portugal", "99139"), ("Cracovie", "Pologne", "99122"), ("Hanoï", "Viêt Nam", "99243"),
    ("Abidjan", "Côte d'Ivoire", "99326"), ("Istanbul", "Turquie", "99208"),
    ("Conakry", "Guinée", "99330"), ("Shanghai", "Chine", "99216"),
)  # fmt: skip

STREET_TYPES = (
    "rue", "rue", "rue", "avenue", "boulevard", "place", "allée", "impasse", "chemin", "quai",
    "route", "cours",
)  # fmt: skip
STREET_NAMES = (
    "de la République", "Victor Hugo", "Jean Jaurès", "du Général de Gaulle", "des Lilas",
    "de la Gare", "Pasteur", "du Maréchal Foch", "Émile Zola", "des Écoles", "du Moulin",
    "de Paris", "Gambetta", "Carnot", "Aristide Briand", "des Tanneries", "Jules Ferry",
    "de la Liberté", "François Mitterrand", "Pierre et Marie Curie", "Montmailler",
    "des Coopérateurs", "Turgot", "d'Isly", "des Vignes", "du Château d'Eau", "Saint-Martial",
    "de la Fontaine", "des Marchands", "du Petit Bois", "Anatole France", "Louise Michel",
    "des Bénédictins", "de Toulouse", "Adrien Tarrade", "des Charmilles",
)  # fmt: skip

MAIL_DOMAINS = (
    "gmail.com", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "outlook.fr", "sfr.fr",
    "yahoo.fr", "hotmail.fr", "icloud.com",
)  # fmt: skip

# name, "de la"/"du"/"des"/"de", chef-lieu, street address, CEDEX line, switchboard, domain
PREFECTURES = (
    ("Haute-Vienne", "de la ", "Limoges", "1 rue de la Préfecture", "BP 87031", "87031",
     "05 55 44 18 00", "haute-vienne.gouv.fr"),
    ("Corrèze", "de la ", "Tulle", "1 rue Souham", "BP 250", "19012", "05 55 20 55 20",
     "correze.gouv.fr"),
    ("Creuse", "de la ", "Guéret", "4 place Louis Lacrocq", "BP 79", "23011", "05 55 51 59 00",
     "creuse.gouv.fr"),
    ("Rhône", "du ", "Lyon", "106 rue Pierre Corneille", "", "69419", "04 72 61 60 60",
     "rhone.gouv.fr"),
    ("Gironde", "de la ", "Bordeaux", "2 esplanade Charles de Gaulle", "CS 41397", "33077",
     "05 56 90 60 60", "gironde.gouv.fr"),
    ("Hauts-de-Seine", "des ", "Nanterre", "167-177 avenue Joliot-Curie", "", "92013",
     "01 40 97 20 00", "hauts-de-seine.gouv.fr"),
    ("Corse-du-Sud", "de la ", "Ajaccio", "Palais Lantivy, cours Napoléon", "", "20188",
     "04 95 11 12 13", "corse-du-sud.gouv.fr"),
    ("La Réunion", "de ", "Saint-Denis", "6 rue des Messageries", "CS 51079", "97743",
     "02 62 40 77 77", "reunion.gouv.fr"),
)  # fmt: skip

# (court name as written in the heading, seat) — seats are NOT annotated (see README).
COURTS = (
    ("TRIBUNAL JUDICIAIRE DE LIMOGES", "Limoges"), ("TRIBUNAL JUDICIAIRE DE NANTERRE", "Nanterre"),
    ("TRIBUNAL JUDICIAIRE DE BORDEAUX", "Bordeaux"), ("TRIBUNAL JUDICIAIRE DE LYON", "Lyon"),
    ("COUR D'APPEL DE LIMOGES", "Limoges"), ("COUR D'APPEL DE VERSAILLES", "Versailles"),
    ("TRIBUNAL ADMINISTRATIF DE LIMOGES", "Limoges"),
    ("TRIBUNAL CORRECTIONNEL DE BRIVE-LA-GAILLARDE", "Brive-la-Gaillarde"),
    ("CONSEIL DE PRUD'HOMMES DE TULLE", "Tulle"), ("COUR D'APPEL DE BASTIA", "Bastia"),
)  # fmt: skip

# (name, city, switchboard)
HOSPITALS = (
    ("CENTRE HOSPITALIER UNIVERSITAIRE DE LIMOGES", "Limoges", "05 55 05 55 55"),
    ("CENTRE HOSPITALIER DE BRIVE", "Brive-la-Gaillarde", "05 55 92 60 00"),
    ("CENTRE HOSPITALIER DE TULLE", "Tulle", "05 55 29 79 00"),
    ("HOSPICES CIVILS DE LYON — HÔPITAL EDOUARD HERRIOT", "Lyon", "04 72 11 73 11"),
    ("CHU DE BORDEAUX — GROUPE HOSPITALIER PELLEGRIN", "Bordeaux", "05 56 79 56 79"),
    ("CENTRE HOSPITALIER DE GUÉRET", "Guéret", "05 55 51 70 00"),
)  # fmt: skip
