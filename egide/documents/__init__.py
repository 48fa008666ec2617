"""Documents in and out: read PDF, DOCX, ODT, EML, HTML and TXT into text with positions; export
validated drafts as DOCX or ODT.

Reading never guesses silently: a file Égide cannot read faithfully (unsupported format, damaged,
protected by a password, too large, a scan without a text layer) raises :class:`DocumentError`
whose message, in French, tells the agent what to do; partial problems become ``warnings``.

Files are untrusted: each one is parsed in a worker process under :class:`ParseLimits`
(unpacked bytes, pages, cells, characters, time, memory); a file past a limit is refused with
:class:`LimitExceeded`. :func:`configure` sets the limits at start-up.
"""

from egide.documents.blocks import Block, BlockKind, parse_blocks
from egide.documents.limits import LimitExceeded, ParseLimits
from egide.documents.model import (
    ACCEPTED_FORMATS,
    UPLOAD_ACCEPT,
    Document,
    DocumentError,
    DocumentFormat,
    DocumentProblem,
    Passage,
    Section,
    iter_paragraphs,
)
from egide.documents.reader import DEFAULT_MAX_BYTES, read_document, read_document_bytes
from egide.documents.sandbox import ParsePool, configure
from egide.documents.writers import (
    ai_assistance_mention,
    render_docx,
    render_odt,
    write_docx,
    write_odt,
)

__all__ = [
    "ACCEPTED_FORMATS", "DEFAULT_MAX_BYTES", "Block", "BlockKind", "Document", "DocumentError",
    "DocumentFormat", "DocumentProblem", "LimitExceeded", "ParseLimits", "ParsePool", "Passage",
    "Section", "ai_assistance_mention", "configure", "iter_paragraphs", "parse_blocks",
    "read_document", "read_document_bytes", "render_docx", "render_odt", "UPLOAD_ACCEPT",
    "write_docx", "write_odt",
]  # fmt: skip
