"""The app factory: a Bolt app built from settings, with every listener registered.

No import-time globals: tests, the console and `changebot run` each build
their own app around their own runtime.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.delivery import TokenSource
from bot.installations import (
    DatabaseInstallationStore,
    DatabaseOAuthStateStore,
    InstalledTokens,
    StaticToken,
    oauth_pages,
)
from bot.listeners import register_all
from bot.listeners.failures import tell_the_user_briefly
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# What changebot does in a workspace, and no more (manifest.yml declares the same).
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:join",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "im:write",
    # users.info, for the names in the export (bot/people.py).
    "users:read",
)


def token_source(settings: Settings, engine: Engine) -> TokenSource:
    """Where the sender finds a workspace's bot token: the settings, or its installation."""
    if settings.oauth_enabled:
        return InstalledTokens(DatabaseInstallationStore.for_settings(settings, engine))
    return StaticToken(str(settings.slack_bot_token))


def create_app(settings: Settings, runtime: Runtime) -> App:
    # Bolt takes the single-workspace token from this client, and copies its
    # base URL into every request's client: SLACK_API_URL reaches every call.
    client = WebClient(base_url=settings.slack_api_url, token=settings.slack_bot_token, timeout=10)
    options: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret or "",
        "client": client,
        # Every listener answers Slack itself, on time (bot/listeners/surfaces.py): an event
        # is stored before its 200, so one that cannot be stored gets a 5xx and is retried.
        "process_before_response": True,
        "listener_executor": runtime.listener_pool,
        "logger": logging.getLogger("bot.bolt"),
    }
    if settings.oauth_enabled:
        options["oauth_settings"] = OAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=DatabaseInstallationStore.for_settings(settings, runtime.engine),
            state_store=DatabaseOAuthStateStore(engine=runtime.engine),
            callback_options=oauth_pages(),
        )
    app = App(**options)
    register_all(app, runtime)
    app.error(tell_the_user_briefly)
    return app
