"""manifest.yml is what Slack accepts, and it matches the listeners one for one."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.app import BOT_SCOPES
from bot.listeners.commands import COMMANDS
from bot.listeners.events import EVENT_LISTENERS
from bot.listeners.shortcuts import RAISE_CONCERN

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.json"


@pytest.fixture(scope="module")
def manifest():
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_the_manifest_validates_against_slacks_schema(manifest):
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not beside the project at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(manifest), key=str)
    assert [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors] == []


def test_every_manifest_command_has_a_listener_and_every_listener_a_command(manifest):
    """COMMANDS is what the command modules define, found by looking: nothing lists them."""
    declared = {entry["command"] for entry in manifest["features"]["slash_commands"]}
    assert declared == set(COMMANDS)


def test_every_spec_command_is_declared(manifest):
    declared = {entry["command"] for entry in manifest["features"]["slash_commands"]}
    assert declared == {"/plan", "/stage", "/feedback", "/principles", "/checkin", "/concern"}


def test_commands_ask_slack_to_escape_mentions(manifest):
    assert all(entry["should_escape"] for entry in manifest["features"]["slash_commands"])


def test_the_shortcut_has_a_listener(manifest):
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("message", RAISE_CONCERN)]


def test_subscribed_events_are_the_handled_ones(manifest):
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    # message.channels and message.groups both arrive as the `message` event.
    as_events = {name.split(".")[0] for name in subscribed}
    assert as_events == set(EVENT_LISTENERS)
    assert {"message.channels", "message.groups"} <= subscribed


def test_the_bot_asks_for_the_scopes_it_uses_and_no_more(manifest):
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_interactivity_app_home_and_socket_mode_are_on(manifest):
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
