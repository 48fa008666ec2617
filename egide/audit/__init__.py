"""The tamper-evident audit trail: who did what, with which model and level — never content."""

from egide.audit.errors import AuditError
from egide.audit.events import AuditEvent
from egide.audit.keys import AUDIT_KEY_ENV, load_audit_key
from egide.audit.log import AuditLog, audit_log_path
from egide.audit.verify import VerifyReport

__all__ = [
    "AUDIT_KEY_ENV",
    "AuditError",
    "AuditEvent",
    "AuditLog",
    "VerifyReport",
    "audit_log_path",
    "load_audit_key",
]
