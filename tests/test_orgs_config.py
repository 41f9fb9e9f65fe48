"""Several Astra organizations: ASTRA_BOT_ORGS and ASTRA_BOT_DEFAULT_ORG (DESIGN §2, §5),
and the registry of orgs that learns each token's org id without one org stopping another."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.astra.client import AstraClient
from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator
from bot.astra.orgs import Org, Orgs
from bot.errors import ConfigError
from bot.redact import Redactor
from bot.settings import Settings, check_token_shapes, load_settings, require_for_serve

PROD, DEV = "AstraCS:prod-token-secret-1", "AstraCS:dev-token-secret-2"


def settings(**env: str) -> Settings:
    return Settings.model_validate(env)


def test_a_lone_application_token_is_one_org_named_default() -> None:
    s = settings(ASTRA_DB_APPLICATION_TOKEN=PROD)
    assert list(s.orgs) == ["default"]
    assert s.orgs["default"].get_secret_value() == PROD
    assert s.default_org == "default"


def test_orgs_keep_their_order_and_the_first_is_the_default() -> None:
    s = settings(ASTRA_BOT_ORGS=json.dumps({"prod": PROD, "dev": DEV}))
    assert list(s.orgs) == ["prod", "dev"]
    assert s.default_org == "prod"
    assert settings(ASTRA_BOT_ORGS=json.dumps({"prod": PROD, "dev": DEV}),
                    ASTRA_BOT_DEFAULT_ORG="dev").default_org == "dev"  # fmt: skip


def test_every_org_token_is_a_secret_the_one_redaction_knows() -> None:
    s = settings(ASTRA_BOT_ORGS=json.dumps({"prod": PROD, "dev": DEV}))
    assert {PROD, DEV} <= set(s.secret_values())
    assert PROD not in repr(s) and DEV not in repr(s)
    scrubbed = Redactor(s.secret_values()).secrets_only(f"prod={PROD} dev={DEV}")
    assert PROD not in scrubbed and DEV not in scrubbed


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("not json", "not JSON"),
        ("[]", "non-empty JSON object"),
        ("{}", "non-empty JSON object"),
        (json.dumps({"Prod": PROD}), 'org name "Prod" must be 1 to 32 of a-z, 0-9 and -'),
        (json.dumps({"x" * 33: PROD}), "must be 1 to 32"),
        (json.dumps({"prod": ""}), "the token of `prod` must be a non-empty string"),
        (json.dumps({"prod": 7}), "the token of `prod` must be a non-empty string"),
    ],
)
def test_a_malformed_orgs_setting_is_refused_at_start_naming_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, raw: str, says: str
) -> None:
    monkeypatch.setenv("ASTRA_BOT_ORGS", raw)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert says in caught.value.user_message
    assert "ASTRA_BOT_ORGS" in caught.value.user_message
    assert PROD not in caught.value.user_message


def test_a_default_org_that_is_not_configured_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTRA_BOT_ORGS", json.dumps({"prod": PROD}))
    monkeypatch.setenv("ASTRA_BOT_DEFAULT_ORG", "dev")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "ASTRA_BOT_DEFAULT_ORG is `dev`, which is not one of the configured orgs (prod)" in (
        caught.value.user_message
    )


def test_each_org_token_shape_is_checked_by_name() -> None:
    s = settings(ASTRA_BOT_ORGS=json.dumps({"prod": PROD, "dev": "xoxb-wrong"}))
    assert check_token_shapes(s) == ["ASTRA_BOT_ORGS[dev] should start with `AstraCS:`."]


def test_serve_needs_a_token_or_orgs_unless_sandbox() -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    with pytest.raises(ConfigError, match="ASTRA_DB_APPLICATION_TOKEN is not set"):
        require_for_serve(settings(**base), sandbox=False)
    require_for_serve(settings(**base, ASTRA_BOT_ORGS=json.dumps({"prod": PROD})), sandbox=False)
    require_for_serve(settings(**base), sandbox=True)


def _client(emu: AstraEmulator, token: str) -> AstraClient:
    return AstraClient(token, "http://astra-emulator", transport=httpx.ASGITransport(app=emu.app))


async def test_one_refused_token_does_not_stop_the_other_orgs() -> None:
    emu = AstraEmulator()
    good = Org("prod", _client(emu, SANDBOX_TOKEN))
    bad = Org("dev", _client(emu, "AstraCS:not-a-token-the-emulator-knows"))
    orgs = Orgs([good, bad], default="prod")
    try:
        await orgs.learn()
        assert good.id is not None and good.problem is None
        assert bad.id is None and bad.problem  # a user-fit reason, kept on the org
        assert "not-a-token" not in bad.problem
        assert orgs.by_id(good.id) is good
        assert orgs.by_id("no-such-org") is None
        assert orgs.get("dev") is bad and orgs.get("stage") is None
        assert orgs.several and orgs.names == ["prod", "dev"] and orgs.default is good
    finally:
        await orgs.aclose()


def test_the_registry_refuses_an_unknown_default() -> None:
    emu = AstraEmulator()
    with pytest.raises(ValueError, match="default org"):
        Orgs([Org("prod", _client(emu, SANDBOX_TOKEN))], default="dev")
