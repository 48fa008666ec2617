"""The knowledge base: answers from the ministry's own documents, with citations.

Collections of documents (owned by a service or the whole ministry) are ingested through the
document readers and the guard (each passage's level recorded), indexed twice — a lexical index
of keyed word digests and vectors from an encoder — and searched by fusing both rankings.
Answers go through the one pipeline (:mod:`egide.knowledge.answers`). See
docs/base-documentaire.md.
"""

from egide.knowledge.base import COLLECTION_NAME, KnowledgeBase, KnowledgeError, SearchResult
from egide.knowledge.embedders import EncoderUnavailable
from egide.knowledge.records import CollectionRecord, DocumentRecord, PassageRecord
from egide.knowledge.repository import CollectionNotFound, DocumentNotFound

__all__ = [
    "COLLECTION_NAME",
    "CollectionNotFound",
    "CollectionRecord",
    "DocumentNotFound",
    "DocumentRecord",
    "EncoderUnavailable",
    "KnowledgeBase",
    "KnowledgeError",
    "PassageRecord",
    "SearchResult",
]
