"""Helpers for the public pages' tests: a project with a feedback link, and a visitor's HTTP.

The visitor speaks plain HTTP/1.1 to the served app on loopback and follows no
redirect, so that a test sees the 303 after a post as a browser gets it.
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlencode, urlsplit

from sqlmodel import Session, select

from bot.services.feedback_links import close_link, replace_link, share_link
from storage.models import Feedback, Project

from .conftest import CHANNEL, LEAD, Workspace

_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]*)"')


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def form_token(self) -> str:
        found = _FORM_TOKEN.search(self.body)
        assert found, f"no anti-forgery token on the page:\n{self.body}"
        return unescape(found.group(1))

    @property
    def title(self) -> str:
        found = re.search(r"<title>(.*?)</title>", self.body, re.S)
        return unescape(found.group(1)).strip() if found else ""


class Visitor:
    """Someone with a browser, at `address` when the app believes one proxy."""

    def __init__(self, base_url: str, *, address: str | None = None) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self.address = address

    def get(self, path: str) -> Page:
        return self.request("GET", path, body=None)

    def post(self, path: str, fields: dict[str, str]) -> Page:
        return self.request("POST", path, body=urlencode(fields))

    def request(self, method: str, path: str, *, body: str | None = None) -> Page:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        if self.address:
            headers["X-Forwarded-For"] = self.address
        connection = http.client.HTTPConnection(self._host, self._port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return Page(answer.status, dict(answer.getheaders()), answer.read().decode())
        finally:
            connection.close()


def start_project(workspace: Workspace, *, shares_feedback: bool = False) -> None:
    """A project in the channel, made as a lead makes it (its first `/stage`)."""
    reply = workspace.stage("add Pilot the new rota")
    assert reply.status == 200, reply.body
    with workspace.runtime.transaction() as session:
        project = _project(session)
        project.post_feedback_in_channel = shares_feedback
        session.add(project)


def link_path(workspace: Workspace, *, stage_number: int | None = None) -> str:
    """The path of the project's current feedback link, made if need be, as `/feedback link`."""
    with workspace.runtime.transaction() as session:
        project = _project(session)
        answer = share_link(session=session, project=project, by=LEAD, stage_number=stage_number)
        return f"/f/{answer.link.token}"


def replace(workspace: Workspace) -> str:
    with workspace.runtime.transaction() as session:
        return f"/f/{replace_link(session=session, project=_project(session), by=LEAD).link.token}"


def close(workspace: Workspace) -> None:
    with workspace.runtime.transaction() as session:
        close_link(session=session, project=_project(session), by=LEAD)


def feedback(workspace: Workspace) -> list[Feedback]:
    with Session(workspace.runtime.engine) as session:
        return list(session.exec(select(Feedback).order_by(Feedback.id)))


def _project(session: Session) -> Project:
    return session.exec(select(Project).where(Project.channel_id == CHANNEL)).one()
