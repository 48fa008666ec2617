"""Names of people, places and organisations: spaCy's model, context rules and gazetteers."""

from egide.guard.ner.linking import person_key
from egide.guard.ner.recognizer import LABELS, NameRecognizer

__all__ = ["LABELS", "NameRecognizer", "person_key"]
