"""Momentum in Block Kit: the overdue nudge and the progress digest."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.parsing.schedule import ScheduleSpec
from bot.services.momentum import Digest
from bot.services.stages import Progress
from bot.views.dates import schedule_times, viewers_moment
from bot.views.message import Message, blocks, context, header, mention, section
from bot.views.stages import progress_bar, progress_words
from bot.views.text import counted, escape
from storage.models import Project, Stage

_LISTED = 10
# Each pair takes two lines of up to 200 characters: five fit in one section.
_PAIRS_LISTED = 5


def overdue_nudge(project: Project, stage: Stage) -> Message:
    """A direct message to a stage's owner, once, when the stage passes its due date."""
    due = stage.due_on.isoformat() if stage.due_on else "its due date"
    text = (
        f":alarm_clock: Stage {stage.position} of *{escape(project.name, 150)}*, "
        f"_{escape(stage.title, 1500)}_, was due on {due} and is not done yet.\n"
        f"When it is, `/stage done {stage.position} OUTCOME` in <#{project.channel_id}> "
        "celebrates it with everyone. If the date needs to move, talk to the project lead."
    )
    return Message(text=text, blocks=blocks(section(text)))


def digest(view: Digest, progress: Progress) -> Message:
    zone = ZoneInfo(view.project.timezone)
    items = [header(f"Progress digest: {view.project.name}"), section(progress_bar(progress))]
    items.append(section(_completed(view)))
    items.append(section(_overdue(view)))
    feedback = view.feedback_received
    items.append(section(f":speech_balloon: {counted(feedback, 'piece')} of feedback received."))
    items.extend(section(line) for line in _you_said_we_did(view))
    concerns = len(view.open_concerns)
    items.append(
        section(
            f":warning: {counted(concerns, 'open principle concern')}."
            if concerns
            else ":white_check_mark: No open principle concerns."
        )
    )
    items.append(context(_next_checkin(view.next_checkin, zone)))
    return Message(text=f"Progress digest: {progress_words(progress)}", blocks=blocks(*items))


def _completed(view: Digest) -> str:
    since = "since the project began" if view.first else "since the last digest"
    if not view.completed:
        return f":hourglass_flowing_sand: No stages completed {since}."
    lines = [
        f"• *{s.position}.* {escape(s.title, 200)} (by {mention(s.completed_by)})"
        for s in view.completed[:_LISTED]
    ]
    return f":tada: *Completed {since}:*\n" + "\n".join(lines)


def _you_said_we_did(view: Digest) -> list[str]:
    """What was answered on the public page since, and how many page answers still wait."""
    lines = []
    if view.answered:
        count = len(view.answered)
        since = "since the project began" if view.first else "since the last digest"
        pairs = [
            f"• You said: {escape(pair.you_said, 200)}\n   We did: {escape(pair.we_did, 200)}"
            for pair in view.answered[:_PAIRS_LISTED]
        ]
        lines.append(
            f":loudspeaker: *You said, we did*: {counted(count, 'answer')}"
            f" published {since}:\n" + "\n".join(pairs)
        )
    waiting = view.waiting_for_response
    if waiting:
        lines.append(
            f":mailbox_with_mail: {counted(waiting, 'answer')} from the feedback"
            f" page {'wait' if waiting != 1 else 'waits'} for a response: `/feedback list`."
        )
    return lines


def _overdue(view: Digest) -> str:
    if not view.overdue:
        return ":calendar: Nothing is overdue."
    lines = [
        f"• *{s.position}.* {escape(s.title, 200)}, due {s.due_on}"
        + (f", owner {mention(s.owner_id)}" if s.owner_id else "")
        for s in view.overdue[:_LISTED]
    ]
    return ":alarm_clock: *Overdue:*\n" + "\n".join(lines)


def _next_checkin(when: datetime | None, zone: ZoneInfo) -> str:
    if when is None:
        return "No evaluation check-in is scheduled: a lead can add one with `/checkin schedule`."
    return f"Next check-in: {viewers_moment(when, zone)}."


def digest_scheduled(
    spec: ScheduleSpec, first: datetime | None, zone: ZoneInfo, *, replaced: int
) -> Message:
    text = (
        f":newspaper: The progress digest will be posted here {schedule_times(spec, first, zone)}."
    )
    if replaced:
        text += " It replaces the previous digest."
    return Message(text=text, blocks=blocks(section(text)))


def digest_stopped(stopped: int) -> Message:
    text = ":newspaper: The digest is stopped." if stopped else "There is no digest to stop."
    return Message(text=text, blocks=blocks(section(text)))
