"""A project's record as one list of dated events, for `/plan export`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.services.feedback import feedback_side
from bot.services.partners import require_lead, shown_side, sides_shown_anonymously
from bot.services.stages import history_of
from storage.models import (
    CheckinResponse,
    CheckinRun,
    Concern,
    ConcernStatus,
    Feedback,
    Measure,
    MeasureValue,
    Project,
    Schedule,
    Stage,
    StageSignoff,
)


@dataclass(frozen=True)
class RecordEvent:
    """One row of the export: something that happened in the project, when and by whom."""

    at: datetime
    event: str
    stage: int | None
    who: str
    role: str
    detail: str


def project_record(*, session: Session, project: Project, by: str) -> list[RecordEvent]:
    """Every event of the project, oldest first; only a lead may take the record away."""
    require_lead(session=session, project=project, user_id=by, action="export the project's record")
    stages = list(session.exec(select(Stage).where(Stage.project_id == project.id)))
    positions = {stage.id: stage.position for stage in stages}
    shown = sides_shown_anonymously(session=session, project=project)
    events = [
        *_stage_events(stages),
        *_history_events(session, project),
        *_signoff_events(session, positions),
        *_feedback_events(session, project, positions, shown),
        *_concern_events(session, project),
        *_checkin_events(session, project, shown),
    ]
    return sorted(events, key=lambda event: (event.at, event.event))


def _stage_events(stages: Iterable[Stage]) -> list[RecordEvent]:
    events = []
    for stage in stages:
        due = f" (due {stage.due_on.isoformat()})" if stage.due_on else ""
        events.append(
            RecordEvent(
                stage.created_at,
                "stage added",
                stage.position,
                stage.created_by,
                "",
                stage.title + due,
            )
        )
        if stage.started_at:
            events.append(
                RecordEvent(stage.started_at, "stage started", stage.position, "", "", "")
            )
    return events


def _history_events(session: Session, project: Project) -> list[RecordEvent]:
    """Every completion and reopening, not only the stage's latest state."""
    return [
        RecordEvent(
            entry.at,
            f"stage {entry.kind}",
            stage.position,
            entry.user_id,
            "",
            entry.outcome or "",
        )
        for entry, stage in history_of(session=session, project=project)
    ]


def _signoff_events(session: Session, positions: dict[int | None, int]) -> list[RecordEvent]:
    query = select(StageSignoff).where(col(StageSignoff.stage_id).in_(list(positions)))
    return [
        RecordEvent(
            signoff.confirmed_at,
            "stage signed off",
            positions[signoff.stage_id],
            signoff.user_id,
            signoff.side,
            signoff.outcome or "",
        )
        for signoff in session.exec(query)
    ]


def _feedback_events(
    session: Session, project: Project, positions: dict[int | None, int], shown: set[str]
) -> list[RecordEvent]:
    query = select(Feedback).where(Feedback.project_id == project.id)
    return [
        RecordEvent(
            feedback.created_at,
            "feedback",
            positions.get(feedback.stage_id),
            feedback.author_id or ("feedback page" if feedback.link_id else "anonymous"),
            feedback_side(feedback, shown=shown),
            (f"rating {feedback.rating}/5: " if feedback.rating else "") + feedback.text,
        )
        for feedback in session.exec(query)
    ]


def _concern_events(session: Session, project: Project) -> list[RecordEvent]:
    events = []
    for concern in session.exec(select(Concern).where(Concern.project_id == project.id)):
        # The concern's number tells apart the rows of two concerns about one principle.
        principle = (
            f"concern #{concern.id}, "
            f"principle {concern.principle_position} ({concern.principle_title})"
        )
        raiser = "anonymous" if concern.anonymous else concern.raised_by
        events.append(
            RecordEvent(
                concern.created_at,
                "concern raised",
                None,
                raiser,
                "",
                f"{principle}: {concern.text}",
            )
        )
        if concern.acknowledged_at:
            events.append(
                RecordEvent(
                    concern.acknowledged_at,
                    "concern acknowledged",
                    None,
                    concern.acknowledged_by or "",
                    "",
                    principle,
                )
            )
        if concern.status == ConcernStatus.WITHDRAWN:
            # The withdrawer is the raiser: named only where the raiser is.
            events.append(
                RecordEvent(
                    concern.resolved_at or concern.created_at,
                    "concern withdrawn",
                    None,
                    raiser,
                    "",
                    principle,
                )
            )
        elif concern.resolved_at:
            events.append(
                RecordEvent(
                    concern.resolved_at,
                    "concern resolved",
                    None,
                    concern.resolved_by or "",
                    "",
                    f"{principle}: {concern.resolution_note or ''}",
                )
            )
    return events


def _checkin_events(session: Session, project: Project, shown: set[str]) -> list[RecordEvent]:
    measures = {
        m.id: m for m in session.exec(select(Measure).where(Measure.project_id == project.id))
    }
    query = (
        select(CheckinResponse, CheckinRun)
        .join(CheckinRun, col(CheckinRun.id) == col(CheckinResponse.run_id))
        .join(Schedule, col(Schedule.id) == col(CheckinRun.schedule_id))
        .where(Schedule.project_id == project.id)
    )
    events = []
    for response, run in session.exec(query):
        values = session.exec(select(MeasureValue).where(MeasureValue.response_id == response.id))
        figures = "; ".join(
            f"{measures[v.measure_id].name} = {v.value:g}"
            for v in values
            if v.measure_id in measures
        )
        said = [
            part
            for part in (
                figures,
                _labelled("working", response.working),
                _labelled("not working", response.not_working),
            )
            if part
        ]
        events.append(
            RecordEvent(
                response.updated_at,
                f"check-in response ({run.title})",
                None,
                "anonymous" if response.anonymous else response.user_id,
                shown_side(response.role, anonymous=response.anonymous, shown=shown),
                " | ".join(said),
            )
        )
    return events


def _labelled(label: str, text: str) -> str:
    return f"{label}: {text}" if text else ""
