"""Files sent to one person privately: the project's record."""

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
