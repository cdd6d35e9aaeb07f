"""The routes of the public pages, and the one place in bot/web that opens transactions.

Each handler parses, calls services, renders a template. A POST is counted
against the rate limits first, in a transaction of its own, so that the hit
stands even when the post is then refused; then come the anti-forgery
token, the robots' field, and the answer, stored and shared in one
transaction as the `/feedback` command stores and shares its feedback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, make_response, redirect, render_template, request, url_for
from sqlmodel import Session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from bot.posts.feedback import share
from bot.runtime import Runtime
from bot.services import rate_limits
from bot.services.feedback_links import PublicLink, find_link, link_subject
from bot.services.page_answers import MAX_ANSWER_LENGTH, AnswerProblems, take_answer
from bot.services.site_keys import site_key
from bot.services.you_said import published_pairs
from bot.web import forgery
from bot.web import form as questions
from bot.web.form import FormState
from storage.models import LinkState, saved_id

FORGERY_KEY = "public-form-token"
ADDRESS_KEY = "public-address-hash"
RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True)
class _Onward:
    href: str
    text: str


@dataclass(frozen=True)
class _Pair:
    """A published pair as the page shows it: its day in the project's time zone."""

    you_said: str
    we_did: str
    day: date


def register(app: Flask, runtime: Runtime) -> None:
    pages = _Pages(runtime)
    app.add_url_rule("/f/<token>", "form", pages.form, methods=["GET"])
    app.add_url_rule("/f/<token>", "send", pages.send, methods=["POST"])
    app.add_url_rule("/f/<token>/thank-you", "thanks", pages.thanks, methods=["GET"])
    app.add_url_rule("/f/<token>/you-said-we-did", "you_said", pages.you_said, methods=["GET"])
    app.register_error_handler(HTTPException, _http_error)


class _Pages:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._keys: dict[str, bytes] = {}
        self._keys_lock = threading.Lock()

    def form(self, token: str) -> Response:
        with self._runtime.transaction() as session:
            found = find_link(session=session, token=token)
            key = self._key(session, FORGERY_KEY)
        if found is None or not found.open:
            return _unavailable(found)
        return _form_page(found, FormState(), key=key, now=self._runtime.clock())

    def send(self, token: str) -> Response:
        now = self._runtime.clock()
        with self._runtime.transaction() as session:
            found = find_link(session=session, token=token)
            admitted = rate_limits.admit(
                session=session, buckets=self._buckets(session, found), now=now
            )
            key = self._key(session, FORGERY_KEY)
        if not admitted:
            return _too_many()
        if found is None or not found.open:
            return _unavailable(found)
        posted = request.form
        answer = questions.read_answer(posted)
        sent_token = posted.get(questions.FORGERY_FIELD, "")
        verdict = forgery.check(key=key, link_token=token, token=sent_token, now=now)
        if verdict is forgery.Verdict.FORGED:
            return _refused_form(token)
        if verdict is forgery.Verdict.EXPIRED:
            return _form_page(found, questions.expired(answer), key=key, now=now, status=400)
        if questions.robot_filled(posted):
            return redirect(url_for("thanks", token=token), 303)
        try:
            with self._runtime.transaction() as session:
                current = find_link(session=session, token=token)
                if current is None or not current.open:
                    return _unavailable(current)
                share(session, take_answer(session=session, link=current, answer=answer))
        except AnswerProblems as problems:
            state = FormState(answer, problems.problems)
            return _form_page(found, state, key=key, now=now, status=400)
        return redirect(url_for("thanks", token=token), 303)

    def thanks(self, token: str) -> Response:
        found = self._read(lambda session: find_link(session=session, token=token))
        if found is None or found.link.state == LinkState.REPLACED:
            return _unavailable(found)
        return _render("thanks.html", 200, project=found.project, token=token)

    def you_said(self, token: str) -> Response:
        def read(session: Session) -> tuple[PublicLink | None, list[_Pair]]:
            found = find_link(session=session, token=token)
            if found is None:
                return None, []
            zone = ZoneInfo(found.project.timezone)
            return found, [
                _Pair(pair.you_said, pair.we_did, pair.published_at.astimezone(zone).date())
                for pair in published_pairs(session=session, project=found.project)
            ]

        found, pairs = self._read(read)
        if found is None or found.link.state == LinkState.REPLACED:
            return _unavailable(found)
        return _render(
            "you_said.html",
            200,
            project=found.project,
            token=token,
            pairs=pairs,
            link_open=found.open,
        )

    def _read(self, reading: Callable[[Session], Any]) -> Any:
        with self._runtime.transaction() as session:
            return reading(session)

    def _buckets(self, session: Session, found: PublicLink | None) -> dict[str, rate_limits.Window]:
        address = rate_limits.address_bucket(
            request.remote_addr or "", key=self._key(session, ADDRESS_KEY)
        )
        buckets = {address: rate_limits.PER_ADDRESS}
        if found is not None:
            buckets[rate_limits.link_bucket(saved_id(found.link))] = rate_limits.PER_LINK
        return buckets

    def _key(self, session: Session, name: str) -> bytes:
        """A site key, read from the database once and kept: it never changes."""
        with self._keys_lock:
            if name not in self._keys:
                self._keys[name] = site_key(session=session, name=name)
            return self._keys[name]


def _form_page(
    found: PublicLink, state: FormState, *, key: bytes, now: datetime, status: int = 200
) -> Response:
    return _render(
        "form.html",
        status,
        project=found.project,
        token=found.link.token,
        answer=state.answer,
        problems=state.problems,
        form_token=forgery.issue(key=key, link_token=found.link.token, now=now),
        forgery_field=questions.FORGERY_FIELD,
        robot_field=questions.ROBOT_FIELD,
        experience_question=questions.EXPERIENCE_QUESTION,
        experiences=questions.EXPERIENCES,
        source_question=questions.SOURCE_QUESTION,
        sources=questions.SOURCES,
        text_questions=questions.TEXT_QUESTIONS,
        text_hint=questions.TEXT_HINT,
        heading=f"Feedback on {link_subject(found.project, found.stage)}",
    )


def _unavailable(found: PublicLink | None) -> Response:
    """The page for a link that takes no answers: unknown (404), replaced or closed (410)."""
    if found is None:
        return _message(
            404,
            "Page not found",
            "If you typed the web address, check it is correct.",
            "If you scanned a poster or followed a link, ask a member of staff for the"
            " feedback link.",
        )
    if found.link.state == LinkState.REPLACED:
        return _message(
            410,
            "This link has been replaced",
            "The team now collects feedback at a new link.",
            "Ask a member of staff for the new one.",
            project=found.project,
        )
    return _message(
        410,
        "Feedback is closed",
        f"The team behind {found.project.name} is not taking feedback at this link just now.",
        project=found.project,
        onward=_Onward(
            url_for("you_said", token=found.link.token), "See what they have done: You said, we did"
        ),
    )


def _refused_form(token: str) -> Response:
    return _message(
        400,
        "Your answers could not be sent",
        "The form was not sent from this site, or it was changed on the way, so nothing was kept.",
        onward=_Onward(url_for("form", token=token), "Go back to the form and try again"),
    )


def _too_many() -> Response:
    page = _message(
        429,
        "Too many answers sent",
        "This form has been sent too many times in a short while.",
        "Wait a few minutes, then try again.",
    )
    page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return page


def _http_error(error: HTTPException) -> Response:
    """Flask's own refusals (no such page, too large, wrong method, a failure) as pages like
    ours, in plain English rather than HTTP's own names for them."""
    if error.code == 404:
        return _unavailable(None)
    if error.code == 413:
        page = _message(
            413,
            "Your answers are too long to send",
            f"Each answer can be up to {MAX_ANSWER_LENGTH:,} characters.",
            "Go back, shorten your answers, then press Send again.",
        )
    else:
        page = _message(
            error.code or 400,
            "Sorry, there is a problem with the service",
            "Go back and try again.",
        )
    # What the refusal itself says, such as the methods a 405 allows (`Allow`).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            page.headers[name] = value
    return page


def _message(
    status: int,
    heading: str,
    *paragraphs: str,
    project: Any = None,
    onward: _Onward | None = None,
) -> Response:
    return _render(
        "message.html",
        status,
        heading=heading,
        paragraphs=paragraphs,
        project=project,
        onward=onward,
    )


def _render(template: str, status: int, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)
