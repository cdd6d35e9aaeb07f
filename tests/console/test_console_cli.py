"""`changebot run` with no Slack credentials, as a newcomer first meets it: the console."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

CHANGEBOT = str(Path(sys.executable).with_name("changebot"))
SCRIPT = "/stage add Open the new ward\n/stage done 1 Ward opened on time\n:quit\n"


def test_run_without_credentials_at_a_terminal_says_so_and_runs_the_console(tmp_path):
    # No SLACK_* variables, and a working directory with no .env: nothing reaches Slack.
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    environment = {**keep, "DATABASE_URL": f"sqlite:///{tmp_path / 'changebot.db'}"}
    # The console is for a person: its input is a terminal (without one, `run` refuses).
    keyboard, terminal = pty.openpty()
    try:
        os.write(keyboard, SCRIPT.encode())
        result = subprocess.run(  # noqa: S603 - our own console script
            [CHANGEBOT, "run"],
            stdin=terminal,
            env=environment,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
    finally:
        os.close(keyboard)
        os.close(terminal)
    assert result.returncode == 0, result.stderr
    assert "no Slack credentials" in result.stderr + result.stdout
    assert "(only you) Added stage *1.* Open the new ward" in result.stdout
    assert "#new-ward  changebot: == 🏆 Every stage of new-ward is done! ==" in result.stdout
    assert "*Outcome:* Ward opened on time" in result.stdout
    assert " INFO " not in result.stderr
    assert "Traceback" not in result.stderr
