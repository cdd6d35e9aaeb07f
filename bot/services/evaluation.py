"""What the evaluation reports read (SPEC §8): the measures' points, the reflections by side,
the completed stages to mark on the charts and, for the partnership report, the plan and the
concerns.

Everything is read in one transaction and returned as plain values, so that
the charts and the PDF can be drawn afterwards, outside it. Anonymous
reflections carry no user id from here on, so no name can slip into a report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.services import you_said
from bot.services.measures import MeasureSeries, series_of
from bot.services.partners import require_lead, shown_side, sides_shown_anonymously
from bot.services.stages import list_stages
from storage.models import (
    CheckinResponse,
    CheckinRun,
    Concern,
    Project,
    Role,
    Schedule,
    Stage,
    StageStatus,
    YouSaidWeDid,
)


@dataclass(frozen=True)
class Reflection:
    """What one response said; `user_id` is None when it was given anonymously."""

    role: str
    user_id: str | None
    day: date
    working: str
    not_working: str


@dataclass(frozen=True)
class StageMarker:
    """A completed stage, marked on the charts on the day it was completed."""

    day: date
    label: str


@dataclass(frozen=True)
class EvaluationReport:
    project: Project
    series: list[MeasureSeries]
    responses_by_role: dict[str, int]
    # Every reflection, oldest first.
    reflections: list[Reflection]
    completed: list[StageMarker]

    @property
    def empty(self) -> bool:
        """Nothing to report: no response to any check-in and no point of any measure."""
        return not self.responses_by_role and not any(s.observations for s in self.series)

    @property
    def reflections_by_side(self) -> dict[str, list[Reflection]]:
        """The reflections of each side (role), in the order of the roles."""
        by_side: dict[str, list[Reflection]] = {}
        for reflection in self.reflections:
            by_side.setdefault(reflection.role, []).append(reflection)
        return dict(sorted(by_side.items(), key=lambda item: _role_order(item[0])))


def report_of(*, session: Session, project: Project) -> EvaluationReport:
    """Every measure's points, and the reflections, across all the project's check-ins."""
    zone = ZoneInfo(project.timezone)
    responses = _responses(session, project)
    shown = sides_shown_anonymously(session=session, project=project)
    return EvaluationReport(
        project=project,
        series=series_of(session=session, project=project),
        responses_by_role=_count(response.role for _, response in responses),
        reflections=[
            _reflection(response, run, zone, shown)
            for run, response in responses
            if response.working or response.not_working
        ],
        completed=_completed(list_stages(session=session, project=project), zone),
    )


@dataclass(frozen=True)
class PartnershipReport:
    """The partnership report's content (SPEC §8): from the project's start to `today`."""

    evaluation: EvaluationReport
    today: date
    started: date
    stages: list[Stage]
    # The concerns raised, grouped by principle ("N. Title"), oldest first within each.
    concerns: dict[str, list[Concern]]
    # What the public "You said, we did" page shows, newest first.
    you_said_we_did: list[YouSaidWeDid]

    @property
    def project(self) -> Project:
        return self.evaluation.project


def partnership_report_of(
    *, session: Session, project: Project, by: str, today: date
) -> PartnershipReport:
    """Everything the partnership report shows, for a lead."""
    require_lead(
        session=session, project=project, user_id=by, action="download the partnership report"
    )
    zone = ZoneInfo(project.timezone)
    return PartnershipReport(
        evaluation=report_of(session=session, project=project),
        today=today,
        started=project.created_at.astimezone(zone).date(),
        stages=list_stages(session=session, project=project),
        concerns=_concerns_by_principle(session, project),
        you_said_we_did=you_said.published_pairs(session=session, project=project),
    )


def _concerns_by_principle(session: Session, project: Project) -> dict[str, list[Concern]]:
    query = (
        select(Concern)
        .where(Concern.project_id == project.id)
        .order_by(col(Concern.principle_position), col(Concern.created_at), col(Concern.id))
    )
    grouped: dict[str, list[Concern]] = {}
    for concern in session.exec(query):
        principle = f"{concern.principle_position}. {concern.principle_title}"
        grouped.setdefault(principle, []).append(concern)
    return grouped


def _completed(stages: list[Stage], zone: ZoneInfo) -> list[StageMarker]:
    return [
        StageMarker(stage.completed_at.astimezone(zone).date(), f"{stage.position}. {stage.title}")
        for stage in stages
        if stage.status == StageStatus.DONE and stage.completed_at is not None
    ]


def _responses(session: Session, project: Project) -> list[tuple[CheckinRun, CheckinResponse]]:
    """The project's responses, oldest run first, in the order they were last changed."""
    query = (
        select(CheckinRun, CheckinResponse)
        .join(CheckinResponse, col(CheckinResponse.run_id) == col(CheckinRun.id))
        .join(Schedule, col(Schedule.id) == col(CheckinRun.schedule_id))
        .where(Schedule.project_id == project.id)
        .order_by(col(CheckinRun.run_at), col(CheckinResponse.updated_at), col(CheckinResponse.id))
    )
    return [(run, response) for run, response in session.exec(query).all()]


def _reflection(
    response: CheckinResponse, run: CheckinRun, zone: ZoneInfo, shown: set[str]
) -> Reflection:
    """An anonymous reflection keeps its side only where enough partners share it (SPEC §4)."""
    return Reflection(
        role=shown_side(response.role, anonymous=response.anonymous, shown=shown),
        user_id=None if response.anonymous else response.user_id,
        day=run.run_at.astimezone(zone).date(),
        working=response.working,
        not_working=response.not_working,
    )


def _role_order(role: str) -> int:
    """Sides in the order of the roles; "not shown" ones last."""
    order = list(Role)
    return order.index(Role(role)) if role in set(Role) else len(order)


def _count(roles: Iterable[str]) -> dict[str, int]:
    """How many of each role, in the order of the roles (lead first, service users last)."""
    counted: dict[str, int] = {}
    for role in roles:
        counted[role] = counted.get(role, 0) + 1
    return dict(sorted(counted.items(), key=lambda item: _role_order(item[0])))
