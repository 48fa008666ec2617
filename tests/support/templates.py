"""A minimal administrator's template, shared by the drafting and batch tests."""

NOTE = """+++
titre = "Note brève"
categorie = "note"

[[champs]]
nom = "objet"
libelle = "Objet"

[[champs]]
nom = "texte"
libelle = "Texte"
+++
Objet : {{ objet }}

{{ texte }}
"""
