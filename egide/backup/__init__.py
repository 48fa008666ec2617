"""Backups of an installation (``egide backup``) and their restore (``egide restore ARCHIVE``):
one encrypted, consistent archive of the database, the files of ``EGIDE_HOME`` and the
settings, taken while the service runs; the keys travel separately."""

from egide.backup.archive import BackupSummary, RestoreSummary, read_archive, write_archive
from egide.backup.sealed_stream import ArchiveError

__all__ = ["ArchiveError", "BackupSummary", "RestoreSummary", "read_archive", "write_archive"]
