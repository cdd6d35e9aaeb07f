"""The console serves the public pages on a local port and says where, so a newcomer can try
the form a service user sees (SPEC §7: "in every mode, console included")."""

from __future__ import annotations

import io
import json
import socket
import urllib.error
import urllib.request

from sqlmodel import Session, select

from bot.config import Settings
from bot.console.terminal import run_console
from bot.console.workspace import CHANNELS, PEOPLE, open_workspace
from storage.models import FeedbackLink


def _settings(tmp_path, **given) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/console.db", **given)


def _status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_console_prints_where_the_public_pages_are_at_start(tmp_path):
    port = _free_port()
    shown = io.StringIO()
    run_console(_settings(tmp_path, port=port), stdin=io.StringIO(":quit\n"), stdout=shown)
    assert (
        f"Public pages for service users: http://localhost:{port} "
        "(a lead's /feedback link gives a project's link)"
    ) in shown.getvalue().splitlines()


def test_the_link_a_lead_gets_in_the_console_opens_the_form_it_serves(tmp_path):
    port = _free_port()
    with open_workspace(_settings(tmp_path, port=port)) as workspace:
        lead, place = PEOPLE[0], CHANNELS[0]
        workspace.command(user=lead, place=place, command="/stage", text="add Open the ward")
        activity = workspace.command(user=lead, place=place, command="/feedback", text="link")
        assert activity.response is not None
        with Session(workspace.runtime.engine) as session:
            token = session.exec(select(FeedbackLink.token)).one()
        link = f"http://localhost:{port}/f/{token}"
        assert link in activity.response.body
        status, page = _status(link)
        assert status == 200
        assert "Overall, how was your experience of our service?" in page
        assert _status(f"{workspace.public_url}/f/unknown")[0] == 404


def test_a_taken_port_gives_way_to_a_free_one_and_the_links_follow_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with open_workspace(_settings(tmp_path, port=port)) as workspace:
            assert workspace.public_url != f"http://localhost:{port}"
            assert workspace.runtime.settings.public_base == workspace.public_url
            assert _status(f"{workspace.public_url}/f/unknown")[0] == 404


def test_the_console_answers_the_health_check_beside_the_pages(tmp_path):
    """SPEC §5: `/healthz` on PORT in every mode; the console's Slack is in process, so its
    port answers nothing else of Slack's."""
    with open_workspace(_settings(tmp_path, port=_free_port())) as workspace:
        status, body = _status(f"{workspace.public_url}/healthz")
        assert status == 200
        assert json.loads(body)["ok"] is True
        assert _status(f"{workspace.public_url}/slack/events")[0] == 404
