"""Files sent to one person privately: the record, the partnership report, the poster."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery import enqueue
from bot.views.message import Upload
from storage.models import Project


def send_record(
    session: Session, project: Project, *, to: str, upload: Upload, request_id: str
) -> None:
    """The export, in a direct message to the lead who asked for it."""
    _send_privately(session, project, "export", to=to, upload=upload, request_id=request_id)


def send_partnership_report(
    session: Session, project: Project, *, to: str, upload: Upload, request_id: str
) -> None:
    """The partnership report's PDF, in a direct message to the lead who asked for it."""
    _send_privately(
        session, project, "partnership-report", to=to, upload=upload, request_id=request_id
    )


def send_feedback_poster(
    session: Session, project: Project, *, to: str, uploads: list[Upload], request_id: str
) -> None:
    """The feedback link's QR code and poster, in a direct message to the lead who asked."""
    for number, upload in enumerate(uploads, start=1):
        _send_privately(
            session,
            project,
            f"feedback-poster-{number}",
            to=to,
            upload=upload,
            request_id=request_id,
        )


def _send_privately(
    session: Session, project: Project, kind: str, *, to: str, upload: Upload, request_id: str
) -> None:
    """One file per request, by direct message: `export:7:UALEX:<trigger>`."""
    enqueue(
        session,
        key=f"{kind}:{project.id}:{to}:{request_id}",
        team_id=project.team_id,
        channel_id=to,
        message=upload,
    )
