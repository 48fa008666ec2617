"""OpenAI-compatible gateway for the ministry's business applications (``/v1``).

Each application holds one token (``egide apps add``), scoped to models, tiers and a maximum
level, with its own rate limit and daily quotas; every request goes through the one pipeline.
"""

from egide.api.gateway import Gateway
from egide.api.routes import gateway_router

__all__ = ["Gateway", "gateway_router"]
