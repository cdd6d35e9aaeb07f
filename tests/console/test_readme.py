"""The README shows a newcomer the console as it is: its sample session is replayed here."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.config import Settings
from bot.console.terminal import run_console

ROOT = Path(__file__).resolve().parents[2]
_PROMPT = re.compile(r"^\w+@#[\w-]+> (.*)$")


def _sample_session() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    after = readme.split("A session:", 1)[1]
    return after.split("```", 2)[1].strip("\n").splitlines()


def test_the_readmes_console_session_is_what_the_console_prints(tmp_path):
    session = _sample_session()
    typed = [match.group(1) for line in session if (match := _PROMPT.match(line))]
    expected = [line for line in session if not _PROMPT.match(line)]
    assert len(session) <= 14
    assert len(typed) >= 4
    shown = io.StringIO()
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/readme.db")
    run_console(settings, stdin=io.StringIO("\n".join(typed) + "\n"), stdout=shown)
    printed = shown.getvalue().splitlines()
    for line in expected:
        assert line in printed, f"{line!r} is not what the console prints:\n{shown.getvalue()}"


def test_the_readme_leaves_deployment_detail_to_its_own_page():
    readme = (ROOT / "README.md").read_text()
    deploying = (ROOT / "docs" / "deploying.md").read_text()
    assert "docs/deploying.md" in readme
    for detail in ("Posts are written before they are sent", "One instance runs the", "SIGKILL"):
        assert detail in deploying
        assert detail not in readme
    for kept in ("## Create the Slack app", "Socket Mode", "over HTTP", "## Configuration"):
        assert kept in readme
    assert ":who" in readme
    assert ":cancel" in readme
    assert ":clock +7d" in readme
    assert re.search(r"about\s+\d+\s+minutes on a 2-CPU machine", readme)
