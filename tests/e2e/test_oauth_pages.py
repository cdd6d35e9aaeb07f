"""The OAuth install and redirect pages through the real app over HTTP: the state that ties
a redirect to the browser that began the install, and what the pages carry and say."""

from __future__ import annotations

import http.client
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet

from bot.console.standin import SlackStandIn

from .conftest import Workspace, app_settings, serving

COOKIE = "slack-app-oauth-state"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https://platform.slack-edge.com;"
        " form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Page:
    status: int
    headers: http.client.HTTPMessage
    body: str


@pytest.fixture
def oauth(sqlite_url: str, standin: SlackStandIn) -> Iterator[Workspace]:
    settings = app_settings(sqlite_url, standin).model_copy(
        update={
            "slack_bot_token": None,
            "slack_client_id": "1111.2222",
            "slack_client_secret": "oauth-client-secret",
            "changebot_encryption_key": Fernet.generate_key().decode(),
        }
    )
    with serving(sqlite_url, standin, settings) as running:
        yield running


def _get(workspace: Workspace, path: str, *, cookie: str | None = None) -> Page:
    address = urlsplit(workspace.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        answer = connection.getresponse()
        return Page(answer.status, answer.headers, answer.read().decode())
    finally:
        connection.close()


def _install(workspace: Workspace) -> tuple[str, str]:
    """Open the install page as a browser does: the state it hands out, and its cookie."""
    page = _get(workspace, "/slack/install")
    assert page.status == 200
    found = re.search(rf"{COOKIE}=([^;]+)", page.headers["Set-Cookie"])
    assert found
    return found.group(1), f"{COOKIE}={found.group(1)}"


def _redirect(workspace: Workspace, *, cookie: str | None = None, **query: str) -> Page:
    return _get(workspace, f"/slack/oauth_redirect?{urlencode(query)}", cookie=cookie)


def test_a_redirect_is_taken_once_and_only_from_the_browser_that_began_the_install(oauth):
    state, cookie = _install(oauth)

    elsewhere = _redirect(oauth, state=state, code="stolen")
    assert elsewhere.status == 400
    assert "invalid_browser" in elsewhere.body
    assert oauth.standin.calls_to("oauth.v2.access") == []

    taken = _redirect(oauth, cookie=cookie, state=state, code="from-slack")
    assert "invalid_code" in taken.body  # the stand-in knows no codes: Slack was asked
    assert len(oauth.standin.calls_to("oauth.v2.access")) == 1

    again = _redirect(oauth, cookie=cookie, state=state, code="from-slack")
    assert again.status == 401
    assert "invalid_state" in again.body
    assert len(oauth.standin.calls_to("oauth.v2.access")) == 1


def test_the_oauth_pages_are_not_cached_or_framed_and_load_nothing_but_slacks_button(oauth):
    state, cookie = _install(oauth)
    pages = [
        _get(oauth, "/slack/install"),
        _redirect(oauth, cookie=cookie, state=state, code="x"),
        _redirect(oauth, error="access_denied"),
        _get(oauth, "/slack/nothing-here"),
    ]
    for page in pages:
        for name, value in HEADERS.items():
            assert page.headers[name] == value


def test_the_failure_page_shows_no_words_written_into_its_address(oauth, caplog):
    caplog.set_level(logging.WARNING, logger="bot.installations")
    crafted = "Your NHS account is locked. Call 0800 000 000 to unlock it"

    spoofed = _redirect(oauth, error=crafted)
    cancelled = _redirect(oauth, error="access_denied")

    assert "NHS account" not in spoofed.body
    assert "0800" not in spoofed.body
    assert "unknown_error" in spoofed.body
    assert "access_denied" in cancelled.body
    logged = [record.getMessage() for record in caplog.records]
    assert logged == [
        "an OAuth install did not complete: not an error code",
        "an OAuth install did not complete: access_denied",
    ]
