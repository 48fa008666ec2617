"""The guard: detect personal and sensitive data in French text, pseudonymise, restore."""

from egide.guard.engine import Guard, GuardInputError, shared_guard
from egide.guard.findings import Finding, Reason, ScanResult

__all__ = ["Finding", "Guard", "GuardInputError", "Reason", "ScanResult", "shared_guard"]
