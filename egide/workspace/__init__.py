"""The agents' workspace behind the portal: documents, requests, previews, answers, batches.

It is a client of the one pipeline (:mod:`egide.assistant`), never a second one.
"""

from egide.workspace.service import ModelChoice, RequestPreview, TextPreview, Workspace

__all__ = ["ModelChoice", "RequestPreview", "TextPreview", "Workspace"]
