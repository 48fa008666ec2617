"""Égide: a sovereign AI assistant for public-sector staff, with the ethical AI charter built in."""

__version__ = "0.1.0"
