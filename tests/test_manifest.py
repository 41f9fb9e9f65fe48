"""app_manifest.yml declares what the bot needs, and the Procfile what DESIGN §2 says."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_manifest_has_command_scopes_and_modes() -> None:
    m = yaml.safe_load((ROOT / "app_manifest.yml").read_text())
    (cmd,) = m["features"]["slash_commands"]
    assert cmd["command"] == "/astra"
    assert cmd["usage_hint"] and cmd["should_escape"] is True
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "chat:write.public"} <= scopes
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in m["settings"]["event_subscriptions"]["bot_events"]
    text = (ROOT / "app_manifest.yml").read_text()
    assert "# request_url: https://" in text and "# url: https://" in text


def test_procfile() -> None:
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines())
    assert lines["web"] == "astra-bot serve"
    assert lines["release"] == "astra-bot migrate"
    assert lines["worker"] == "astra-bot worker"
