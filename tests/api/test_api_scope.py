"""An application's scope narrows the charter and never widens it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from egide.api.errors import GatewayError
from egide.api.gateway import Gateway
from egide.config import ModelSettings, Settings
from egide.policy.levels import Level
from egide.policy.tiers import Tier
from egide.store.applications import ApplicationRecord

MODELS = (
    ModelSettings(name="metier-ocr", tier=Tier.METIER, backend="local"),
    ModelSettings(
        name="interne-7b", tier=Tier.INTERNE, backend="local", max_sensitivity=Level.PERSONNEL
    ),
    ModelSettings(name="externe-x", tier=Tier.EXTERNE, backend="local"),
)


def _app(models: tuple[str, ...], tiers: tuple[Tier, ...], level: Level) -> ApplicationRecord:
    return ApplicationRecord(
        id="0", name="app", token_hint="egd_abcd", models=models, tiers=tiers, max_level=level,
        rpm=None, daily_requests=None, daily_tokens=None, created_at=datetime.now(UTC),
        revoked_at=None,
    )  # fmt: skip


@pytest.fixture
def gateway(tmp_path: Path) -> Gateway:
    return Gateway(Settings(home=tmp_path, models=MODELS))


ALL = ("metier-ocr", "interne-7b", "externe-x", "absent")


@pytest.mark.parametrize(
    ("models", "tiers", "level", "expected"),
    [
        # The lower of the two ceilings; the external tier keeps its own (interne).
        (ALL, tuple(Tier), Level.SENSIBLE,
         {"metier-ocr": Level.SENSIBLE, "interne-7b": Level.PERSONNEL, "externe-x": Level.INTERNE}),
        (ALL, tuple(Tier), Level.PUBLIC,
         {"metier-ocr": Level.PUBLIC, "interne-7b": Level.PUBLIC, "externe-x": Level.PUBLIC}),
        (ALL, (Tier.METIER, Tier.INTERNE), Level.DIFFUSION_RESTREINTE,
         {"metier-ocr": Level.DIFFUSION_RESTREINTE, "interne-7b": Level.PERSONNEL}),
        (("interne-7b",), tuple(Tier), Level.DIFFUSION_RESTREINTE,
         {"interne-7b": Level.PERSONNEL}),
        (("absent",), tuple(Tier), Level.PUBLIC, {}),
    ],
)  # fmt: skip
def test_scope_is_the_intersection_with_the_lower_ceiling(
    gateway: Gateway,
    models: tuple[str, ...],
    tiers: tuple[Tier, ...],
    level: Level,
    expected: dict[str, Level],
) -> None:
    scope = gateway.scope(_app(models, tiers, level))
    assert {m.name: m.effective_max_sensitivity for m in scope} == expected


@pytest.mark.parametrize(
    ("requested", "resolved"),
    [("auto", "auto"), (" AUTO ", "auto"), ("interne-7b", "interne-7b"), ("externe-x", None),
     ("absent", None), ("INTERNE-7B", None)],
)  # fmt: skip
def test_resolve_only_within_scope(gateway: Gateway, requested: str, resolved: str | None) -> None:
    app = _app(("interne-7b", "absent"), tuple(Tier), Level.PERSONNEL)
    if resolved is None:
        with pytest.raises(GatewayError) as caught:
            gateway.resolve(app, requested)
        assert (caught.value.status, caught.value.code) == (404, "model_not_found")
    else:
        assert gateway.resolve(app, requested) == resolved


@pytest.mark.parametrize(
    ("authorization", "message"),
    [(None, "absent"), ("Token egd_x", "absent"), ("Bearer sk-abc", "invalide"),
     ("Bearer egd_" + "x" * 300, "invalide")],
)  # fmt: skip
def test_malformed_authorization_never_reaches_the_store(
    gateway: Gateway, authorization: str | None, message: str
) -> None:
    with pytest.raises(GatewayError) as caught:
        gateway.authenticate(authorization)
    assert caught.value.status == 401 and message in caught.value.message
    assert not (gateway.settings.home / "egide.db").exists()
