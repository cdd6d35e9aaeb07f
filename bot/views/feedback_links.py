"""Replies to `/feedback link`: where service users give feedback, and what came of a change."""

from __future__ import annotations

from bot.services.feedback_links import LinkAnswer, LinkChange, link_subject
from bot.views import addresses
from bot.views.message import Message, Upload, blocks, context, section
from bot.views.poster import poster_pdf, qr_png
from bot.views.replies import confirmation
from bot.views.text import escape
from storage.models import Project

_CHANGES = {
    LinkChange.MADE: "This is a new link.",
    LinkChange.REOPENED: "It was closed, and is open again.",
    LinkChange.UNCHANGED: "",
    LinkChange.REPLACED: "The old link now says it has been replaced: put up the new poster.",
}


def link_shared(project: Project, answer: LinkAnswer, base: str) -> Message:
    """The link in the lead's reply; the QR code and the poster follow by direct message."""
    page = addresses.feedback_page(base, answer.link.token)
    heading = f":link: The feedback page for {_what(project, answer)}: <{page}>"
    said = " ".join(
        part
        for part in (
            _CHANGES[answer.change],
            "Anyone can answer there without Slack: service users, carers, visitors.",
            "Answers are anonymous and come to this project as feedback.",
        )
        if part
    )
    published = addresses.you_said_page(base, answer.link.token)
    return Message(
        text=heading,
        blocks=blocks(
            section(f"{heading}\n{said}"),
            context(
                "Its QR code and an A4 poster are on their way to you in a direct message.",
                f"What you publish with *We did something about this* appears at <{published}>.",
            ),
        ),
    )


def link_closed(project: Project, answer: LinkAnswer | None, base: str) -> Message:
    if answer is None:
        return confirmation("There is no feedback link to close: `/feedback link` makes one.")
    page = addresses.feedback_page(base, answer.link.token)
    published = addresses.you_said_page(base, answer.link.token)
    return confirmation(
        f":no_entry: The feedback page for {_what(project, answer)} is closed: <{page}> now says"
        f" that feedback is closed. “You said, we did” stays at <{published}>."
        " `/feedback link` opens it again."
    )


def poster_files(project: Project, answer: LinkAnswer, base: str) -> list[Upload]:
    """The QR code (PNG) and the poster (PDF) for the lead to print."""
    page = addresses.feedback_page(base, answer.link.token)
    name = f"feedback-{answer.link.id}"
    stage_title = answer.stage.title if answer.stage is not None else None
    about = link_subject(project, answer.stage)
    poster = poster_pdf(
        project_name=project.name,
        url=page,
        you_said_url=addresses.you_said_page(base, answer.link.token),
        stage_title=stage_title,
    )
    return [
        Upload(
            filename=f"{name}-qr.png",
            title=f"QR code: feedback on {about}",
            content=qr_png(page),
            comment=f"The QR code of <{page}>, for a screen or a leaflet.",
            alt_text=f"A QR code that opens {page}, the feedback form on {about}.",
        ),
        Upload(
            filename=f"{name}-poster.pdf",
            title=f"Poster: feedback on {about}",
            content=poster,
            comment="An A4 poster to print for a ward, a waiting room or a reception desk.",
        ),
    ]


def _what(project: Project, answer: LinkAnswer) -> str:
    if answer.stage is None:
        return f"*{escape(project.name, 200)}*"
    return f"stage {answer.stage.position} ({escape(answer.stage.title, 200)})"
