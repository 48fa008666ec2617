"""Égide's own development set for the guard: French documents with gold personal-data spans."""
