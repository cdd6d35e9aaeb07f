"""The principles a project's partners agree to work by."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Principle, Project, saved_id

# The TUC's six principles of partnership: every new project starts with them.
DEFAULT_PRINCIPLES: tuple[tuple[str, str], ...] = (
    ("Shared commitment", "A shared commitment to the success of the organisation."),
    ("Legitimate interests", "Recognising each other's legitimate interests."),
    ("Employment security", "A commitment to employment security."),
    ("Quality of working life", "A focus on the quality of working life."),
    ("Transparency", "Openness and sharing information."),
    ("Adding value", "Adding value: mutual gains for everyone involved."),
)


def seed_default_principles(*, session: Session, project: Project) -> None:
    for position, (title, meaning) in enumerate(DEFAULT_PRINCIPLES, start=1):
        session.add(
            Principle(project_id=saved_id(project), position=position, title=title, meaning=meaning)
        )


def list_principles(*, session: Session, project: Project) -> list[Principle]:
    query = (
        select(Principle)
        .where(Principle.project_id == project.id)
        .order_by(col(Principle.position))
    )
    return list(session.exec(query))
