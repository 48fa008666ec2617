"""HTTP surface of Égide (FastAPI)."""

from egide.web.app import create_app

__all__ = ["create_app"]
