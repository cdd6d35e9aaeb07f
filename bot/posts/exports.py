"""Files sent to one person privately: the project's record, the partnership report."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery import enqueue
from bot.views.message import Upload
from storage.models import Project


def send_record(
    session: Session, project: Project, *, to: str, upload: Upload, request_id: str
) -> None:
    """The export, in a direct message to the lead who asked for it."""
    enqueue(
        session,
        key=f"export:{project.id}:{to}:{request_id}",
        team_id=project.team_id,
        channel_id=to,
        message=upload,
    )


def send_partnership_report(
    session: Session, project: Project, *, to: str, upload: Upload, request_id: str
) -> None:
    """The partnership report's PDF, in a direct message to the lead who asked for it."""
    enqueue(
        session,
        key=f"partnership-report:{project.id}:{to}:{request_id}",
        team_id=project.team_id,
        channel_id=to,
        message=upload,
    )
