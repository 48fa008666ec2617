"""Sensitivity levels, ordered from the least to the most protected (DESIGN.md)."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Level"]


class Level(IntEnum):
    PUBLIC = 0
    INTERNE = 1
    PERSONNEL = 2
    SENSIBLE = 3
    DIFFUSION_RESTREINTE = 4
    CLASSIFIE = 5

    @property
    def key(self) -> str:
        """The configuration spelling: ``public``, ``interne``, ``diffusion_restreinte``…"""
        return self.name.lower()

    @property
    def label_fr(self) -> str:
        return _LABELS_FR[self]

    @classmethod
    def parse(cls, value: str | Level) -> Level:
        if isinstance(value, Level):
            return value
        try:
            return cls[value.strip().upper()]
        except KeyError:
            allowed = ", ".join(level.key for level in cls)
            raise ValueError(
                f"niveau de sensibilité inconnu « {value} » (valeurs possibles : {allowed})"
            ) from None


_LABELS_FR = {
    Level.PUBLIC: "public",
    Level.INTERNE: "interne",
    Level.PERSONNEL: "données personnelles",
    Level.SENSIBLE: "données sensibles",
    Level.DIFFUSION_RESTREINTE: "Diffusion Restreinte",
    Level.CLASSIFIE: "classifié",
}
