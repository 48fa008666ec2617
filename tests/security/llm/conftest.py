"""The LLM scenarios reuse the charter's setting: an ``interne`` and an ``externe`` model behind
one recording upstream, a portal and a gateway in-process."""

from tests.security.charter.conftest import (  # noqa: F401  (fixtures)
    _no_outside_config,
    harness,
    settings,
    upstream,
)
