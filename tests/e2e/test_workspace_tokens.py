"""OAuth mode through the real app: Slack taking tokens back removes them and pauses schedules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlmodel import Session, select

from bot.app import BOT_SCOPES
from bot.config import Settings
from bot.console.standin import SlackStandIn
from bot.installations import DatabaseInstallationStore
from storage.models import Installation as InstallationRow
from storage.models import Schedule

from .conftest import LEAD, PARTNER, TEAM, Workspace, app_settings, serving, wait_until

BOT_TOKEN = "xoxb-oauth-e2e-bot"
LEAD_TOKEN = "xoxp-oauth-e2e-lead"
PARTNER_TOKEN = "xoxp-oauth-e2e-partner"
OTHER_TEAM = "T0OTHER"
LOGGER = "bot.listeners.events.workspace"


@pytest.fixture
def settings(database_url: str, standin: SlackStandIn) -> Settings:
    """Multi-workspace mode: OAuth credentials and a key, no bot token in the settings."""
    return app_settings(database_url, standin).model_copy(
        update={
            "slack_bot_token": None,
            "slack_client_id": "1111.2222",
            "slack_client_secret": "oauth-client-secret",
            "changebot_encryption_key": Fernet.generate_key().decode(),
        }
    )


@pytest.fixture
def oauth(database_url: str, standin: SlackStandIn, settings: Settings) -> Iterator[Workspace]:
    with serving(database_url, standin, settings) as running:
        yield running


@pytest.fixture
def store(oauth: Workspace, settings: Settings) -> DatabaseInstallationStore:
    """The app's own installation store, as the OAuth redirect would have filled it."""
    return DatabaseInstallationStore.for_settings(settings, oauth.runtime.engine)


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def _install(store: DatabaseInstallationStore, standin: SlackStandIn, **overrides: Any) -> None:
    values: dict[str, Any] = {
        "app_id": "A0CHANGE",
        "team_id": TEAM,
        "bot_token": BOT_TOKEN,
        "bot_id": standin.bot_id,
        "bot_user_id": standin.bot_user_id,
        "bot_scopes": list(BOT_SCOPES),
        "user_id": LEAD,
        "user_token": LEAD_TOKEN,
    }
    store.save(Installation(**(values | overrides)))


def _user_only(user_id: str, user_token: str) -> dict[str, Any]:
    """An installation that brought a person's token and no bot token."""
    no_bot = {"bot_token": None, "bot_id": None, "bot_user_id": None, "bot_scopes": ""}
    return {"user_id": user_id, "user_token": user_token, **no_bot}


def _start_a_digest(oauth: Workspace) -> None:
    """A schedule, set through the app: Bolt authorized the command with the decrypted tokens."""
    assert "progress digest will be posted" in oauth.command("/plan", "digest daily 09:00").text
    assert {call.token for call in oauth.standin.calls_to("auth.test")} == {BOT_TOKEN, LEAD_TOKEN}


def _send_event(oauth: Workspace, log: pytest.LogCaptureFixture, event: dict[str, Any]) -> str:
    """Deliver `event` and return the one line the app logged once it had dealt with it."""
    before = len(_lines(log))
    assert oauth.send(oauth.requests.event(event)).status == 200
    wait_until(lambda: len(_lines(log)) > before, what=f"the {event['type']} event handled")
    (line,) = _lines(log)[before:]
    return line


def _lines(log: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in log.records if record.name == LOGGER]


def _teams_installed(oauth: Workspace) -> set[str | None]:
    with Session(oauth.runtime.engine) as session:
        return set(session.exec(select(InstallationRow.team_id)))


def _paused(oauth: Workspace) -> list[bool]:
    with Session(oauth.runtime.engine) as session:
        return [schedule.paused for schedule in session.exec(select(Schedule))]


def test_app_uninstalled_removes_the_workspaces_tokens_and_pauses_its_schedules(
    oauth: Workspace, store: DatabaseInstallationStore, log: pytest.LogCaptureFixture
) -> None:
    _install(store, oauth.standin)
    _install(store, oauth.standin, **_user_only(PARTNER, PARTNER_TOKEN))
    _install(store, oauth.standin, team_id=OTHER_TEAM, bot_token="xoxb-another-workspace")
    _start_a_digest(oauth)

    line = _send_event(oauth, log, {"type": "app_uninstalled"})

    assert _teams_installed(oauth) == {OTHER_TEAM}
    assert _paused(oauth) == [True]
    assert line == (
        f"changebot was uninstalled from workspace {TEAM!r}: "
        "its installations removed, 1 schedules paused"
    )


def test_tokens_revoked_removes_only_the_tokens_it_names(
    oauth: Workspace, store: DatabaseInstallationStore, log: pytest.LogCaptureFixture
) -> None:
    _install(store, oauth.standin)
    _install(store, oauth.standin, **_user_only(PARTNER, PARTNER_TOKEN))
    _start_a_digest(oauth)

    partner_line = _send_event(
        oauth, log, {"type": "tokens_revoked", "tokens": {"oauth": [PARTNER]}}
    )

    lead = store.find_installation(enterprise_id=None, team_id=TEAM, user_id=LEAD)
    assert store.find_installation(enterprise_id=None, team_id=TEAM, user_id=PARTNER) is None
    assert lead is not None
    assert (lead.user_token, lead.bot_token) == (LEAD_TOKEN, BOT_TOKEN)
    assert _paused(oauth) == [False]

    bot_line = _send_event(
        oauth, log, {"type": "tokens_revoked", "tokens": {"bot": [oauth.standin.bot_user_id]}}
    )

    lead = store.find_installation(enterprise_id=None, team_id=TEAM, user_id=LEAD)
    assert store.find_bot(enterprise_id=None, team_id=TEAM) is None
    assert lead is not None
    assert (lead.user_token, lead.bot_token) == (LEAD_TOKEN, None)
    assert _paused(oauth) == [True]
    assert partner_line == (
        f"tokens revoked in workspace {TEAM!r}: 1 user and 0 bot tokens removed, 0 schedules paused"
    )
    assert PARTNER not in partner_line
    assert bot_line.endswith("0 user and 1 bot tokens removed, 1 schedules paused")


@pytest.mark.parametrize(
    "tokens",
    [{"oauth": LEAD}, {"oauth": 5, "bot": {"id": "B"}}, "revoked", {"oauth": [7, None]}],
    ids=["ids-as-text", "not-lists", "tokens-as-text", "ids-not-text"],
)
def test_a_malformed_revocation_removes_nothing_and_is_answered(
    oauth: Workspace, store: DatabaseInstallationStore, log: pytest.LogCaptureFixture, tokens: Any
) -> None:
    _install(store, oauth.standin, user_id="U")  # "ULEAD" read letter by letter starts with U
    _install(store, oauth.standin)

    line = _send_event(oauth, log, {"type": "tokens_revoked", "tokens": tokens})

    for user_id in ("U", LEAD):
        kept = store.find_installation(enterprise_id=None, team_id=TEAM, user_id=user_id)
        assert kept is not None
        assert kept.bot_token == BOT_TOKEN
    assert line.endswith(": 0 user and 0 bot tokens removed, 0 schedules paused")


def test_uninstalled_in_single_workspace_mode_pauses_the_schedules_all_the_same(
    workspace: Workspace, log: pytest.LogCaptureFixture
) -> None:
    workspace.command("/plan", "digest daily 09:00")

    line = _send_event(workspace, log, {"type": "app_uninstalled"})

    assert _paused(workspace) == [True]
    assert line.endswith(": no stored tokens removed, 1 schedules paused")
