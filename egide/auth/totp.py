"""Time-based one-time codes (RFC 6238): secrets, enrolment QR code, replay-proof verification.

A code is accepted within one 30-second step of the server's clock either way (phones drift),
and only for a step later than the last one accepted for that account: the same code, or an
older one, never opens a second session.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg

__all__ = [
    "DIGITS",
    "ISSUER",
    "PERIOD",
    "format_secret",
    "matching_step",
    "new_secret",
    "normalise_code",
    "provisioning_uri",
    "qr_svg",
]

ISSUER = "Égide"
DIGITS = 6
PERIOD = 30
_DRIFT_STEPS = 1
_CODE = re.compile(r"[0-9]{6}")
_SVG_SIZE = re.compile(r' (?:width|height)="[^"]{1,16}"')


def new_secret() -> str:
    """160 random bits in base32, as authenticator applications expect."""
    return pyotp.random_base32(length=32)


def format_secret(secret: str) -> str:
    """The secret in groups of four, for typing it by hand into an application."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, login: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(
        name=login, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG markup, drawn here: no outside service sees it."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    markup = image.to_string(encoding="unicode")
    # The size comes from the style sheet; the label tells screen readers what this is.
    markup = _SVG_SIZE.sub("", markup, count=2)
    return markup.replace(
        "<svg ",
        '<svg class="egide-qr" role="img" focusable="false" '
        'aria-label="QR code à scanner avec votre application d’authentification" ',
        1,
    )


def normalise_code(code: str) -> str | None:
    """Six digits, spaces allowed in between ("123 456"); None for anything else."""
    digits = code.replace(" ", "").replace("\u00a0", "").strip()
    return digits if _CODE.fullmatch(digits) else None


def matching_step(secret: str, code: str, now: datetime, *, after: int | None) -> int | None:
    """The time step ``code`` belongs to, when it is valid now and newer than ``after``."""
    digits = normalise_code(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD)
    current = totp.timecode(now)
    found = None
    # Every candidate is compared, so that the time taken says nothing about which one matched.
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits) and found is None:
            found = step
    if found is None or (after is not None and found <= after):
        return None
    return found
