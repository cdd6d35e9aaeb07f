"""The action plan in Block Kit: the stage list, confirmations and celebrations."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.services.stages import AwaitingSignoff, Completion, Progress
from bot.views.checkins import impact_checkin_offer
from bot.views.message import Message, blocks, confirm_dialog, context, header, mention, section
from bot.views.text import Limit, counted, escape
from storage.models import Stage, StageSignoff, StageStatus

_STATUS = {
    StageStatus.PLANNED: ":white_circle: planned",
    StageStatus.IN_PROGRESS: ":large_blue_circle: in progress",
    StageStatus.DONE: ":white_check_mark: done",
}
_BAR_CELLS = 10
NO_STAGES = "The plan has no stages yet. Add the first with `/stage add TITLE`."


def progress_words(progress: Progress) -> str:
    """ "3 of 7 stages, 43%", or, before there is any stage, how to add the first: what a
    notification and a screen reader say of the progress."""
    if not progress.total:
        return NO_STAGES
    noun = "stage" if progress.total == 1 else "stages"
    return f"{progress.done} of {progress.total} {noun}, {progress.percent}%"


def progress_bar(progress: Progress) -> str:
    """The words, then a bar for the eye: a screen reader names each of the bar's cells
    ("black parallelogram"), so the figures come before them, not after ten of them."""
    if not progress.total:
        return NO_STAGES
    # From the percentage, so that the bar is full only when the plan is.
    filled = progress.percent * _BAR_CELLS // 100
    bar = "▰" * filled + "▱" * (_BAR_CELLS - filled)
    return f"{progress_words(progress)} {bar}"


def stage_line(stage: Stage, today: date) -> str:
    parts = [f"*{stage.position}.* {escape(stage.title, 600)}", _STATUS[stage.status]]
    if stage.owner_id:
        parts.append(f"owner {mention(stage.owner_id)}")
    if stage.due_on:
        overdue = stage.status != StageStatus.DONE and stage.due_on < today
        parts.append(
            f"due {stage.due_on.isoformat()}" + (" :hourglass: *overdue*" if overdue else "")
        )
    return " · ".join(parts)


def stage_list(stages: list[Stage], progress: Progress, today: date) -> Message:
    if not stages:
        return Message(text=NO_STAGES, blocks=blocks(section(NO_STAGES)))
    lines = [stage_line(stage, today) for stage in stages]
    items = [section(progress_bar(progress))]
    items += [section(line) for line in lines[:45]]
    if len(lines) > 45:
        items.append(context(f"…and {counted(len(lines) - 45, 'more stage')}."))
    return Message(text=f"The plan: {progress_words(progress)}", blocks=blocks(*items))


def stage_added(stage: Stage, today: date) -> Message:
    text = f"Added stage {stage_line(stage, today)}"
    if stage.due_on and stage.due_on < today:
        text += f"\nIts due date has already passed, so stage {stage.position} is overdue."
    return Message(text=text, blocks=blocks(section(text)))


def stage_started(stage: Stage) -> Message:
    text = f":large_blue_circle: Stage {stage.position} is in progress: {escape(stage.title, 600)}"
    return Message(text=text, blocks=blocks(section(text)))


def stage_reopened(stage: Stage) -> Message:
    title = escape(stage.title, 600)
    text = (
        f":leftwards_arrow_with_hook: Stage {stage.position} is open again: {title}. "
        "The channel has been told."
    )
    return Message(text=text, blocks=blocks(section(text)))


def reopening_note(stage: Stage, by: str) -> Message:
    """The channel's short note that a completed stage is open again."""
    text = (
        f":leftwards_arrow_with_hook: Stage {stage.position} ({escape(stage.title, 1500)}) "
        f"was reopened by {mention(by)}: it is in progress again."
    )
    return Message(text=text, blocks=blocks(section(text)))


def stage_edited(stage: Stage, today: date) -> Message:
    text = f":pencil2: Stage {stage_line(stage, today)}"
    return Message(text=text, blocks=blocks(section(text)))


def stage_moved(stage: Stage, stages: list[Stage], today: date) -> Message:
    """The plan in its new order, so the mover sees every stage's new number."""
    moved = f":arrow_right_hook: {escape(stage.title, 600)} is now stage {stage.position}."
    items = [section(moved), *(section(stage_line(each, today)) for each in stages[:45])]
    return Message(text=moved, blocks=blocks(*items))


REMOVE_STAGE = "remove_stage"


def removal_question(stage: Stage) -> Message:
    """`/stage remove N` asks first: a button, and Slack's dialog before it acts."""
    title = escape(stage.title, 1500)
    text = (
        f":wastebasket: Remove stage {stage.position} ({title}) from the plan? "
        "The stages after it move up one number."
    )
    remove = ButtonElement(
        text=f"Remove stage {stage.position}",
        action_id=REMOVE_STAGE,
        value=str(stage.id),
        style="danger",
        confirm=confirm_dialog(
            f"Remove stage {stage.position}?",
            f"{title} leaves the plan; this cannot be undone.",
            confirm="Remove",
            deny="Keep it",
        ),
    )
    return Message(text=text, blocks=blocks(section(text), ActionsBlock(elements=[remove])))


def stage_removed(stage: Stage) -> Message:
    text = (
        f":wastebasket: Removed {escape(stage.title, 1500)} from the plan; "
        "the stages after it moved up one number."
    )
    return Message(text=text, blocks=blocks(section(text)))


def completion_reply(completion: Completion) -> Message:
    stage = completion.stage
    text = f":white_check_mark: Stage {stage.position} is done, and the channel has been told."
    return Message(text=text, blocks=blocks(section(text)))


def celebration(completion: Completion, *, propose_impact_checkin: bool = False) -> Message:
    """What the channel sees when a stage is done: a celebration, or a note if done again.

    A project with measures is offered a check-in on the stage's impact (SPEC §4).
    """
    if completion.again:
        return _completed_again(completion)
    if completion.progress.finished:
        celebrated = _project_finished(completion)
    else:
        celebrated = _stage_done(completion)
    if not propose_impact_checkin:
        return celebrated
    offer = impact_checkin_offer(completion.stage).to_dict()
    return Message(text=celebrated.text, blocks=[*celebrated.blocks, offer])


def _stage_done(completion: Completion) -> Message:
    stage = completion.stage
    title = escape(stage.title, 1500)
    lines = [f":tada: *Stage {stage.position} is done!*  {title}"]
    lines.append(_outcome_line(stage))
    # The notification is all many people read of it: the outcome and the progress too.
    return Message(
        text=f":tada: Stage {stage.position} is done: {title}\n{_outcome_line(stage)}\n"
        f"{progress_words(completion.progress)}",
        blocks=blocks(
            section("\n".join(lines)),
            context(_people_line(stage)),
            section(progress_bar(completion.progress)),
        ),
    )


def _project_finished(completion: Completion) -> Message:
    stage = completion.stage
    name = escape(completion.project.name, Limit.HEADER)
    return Message(
        text=f":trophy: Every stage of {name} is done!",
        blocks=blocks(
            header(f"🏆 Every stage of {completion.project.name} is done!"),
            section(
                f":confetti_ball: The last stage, *{stage.position}. {escape(stage.title, 1500)}*, "
                f"is complete.\n{_outcome_line(stage)}"
            ),
            context(_people_line(stage)),
            section(progress_bar(completion.progress)),
            section(
                "Thank you, everyone: managers, staff, union representatives and service users. "
                "This is what partnership looks like."
            ),
        ),
    )


def _completed_again(completion: Completion) -> Message:
    stage = completion.stage
    text = (
        f":white_check_mark: Stage {stage.position} ({escape(stage.title, 1500)}) was completed "
        f"again by {mention(stage.completed_by)}. {_outcome_line(stage)}"
    )
    return Message(
        text=text, blocks=blocks(section(text), context(progress_bar(completion.progress)))
    )


def _outcome_line(stage: Stage) -> str:
    if stage.outcome:
        return f"*Outcome:* {escape(stage.outcome, 1200)}"
    return "_No outcome was recorded._"


def _people_line(stage: Stage) -> str:
    owner = f"Owned by {mention(stage.owner_id)}" if stage.owner_id else "No owner"
    return f"{owner} · completed by {mention(stage.completed_by)}"


CONFIRM_SIGNOFF = "confirm_stage_signoff"


def awaiting_signoff(waiting: AwaitingSignoff) -> Message:
    """The channel post asking the other side to confirm a stage under joint sign-off."""
    stage, confirmed = waiting.stage, waiting.confirmed
    other = waiting.waiting_for
    text = (
        f":handshake: Stage {stage.position} ({escape(stage.title, 1500)}) is signed off by "
        f"{mention(confirmed.user_id)} for the {confirmed.side} side. "
        f"Waiting for the {other} side to confirm: {_who_can_confirm(waiting)}."
    )
    lines = [text]
    if confirmed.outcome:
        lines.append(f"*Outcome:* {escape(confirmed.outcome, 1200)}")
    confirm = ButtonElement(
        text=f"Confirm for the {other} side",
        action_id=CONFIRM_SIGNOFF,
        value=f"{stage.id}:{waiting.round}",
        style="primary",
        confirm=confirm_dialog(
            f"Confirm stage {stage.position}?",
            f"You sign it off for the {other} side, and the stage is done.",
            confirm="Confirm",
        ),
    )
    return Message(
        text=text, blocks=blocks(section("\n".join(lines)), ActionsBlock(elements=[confirm]))
    )


def _who_can_confirm(waiting: AwaitingSignoff) -> str:
    if not waiting.can_confirm:
        return (
            f"nobody is of the {waiting.waiting_for} side yet (a lead sets sides with `/plan role`)"
        )
    people = [mention(user) for user in waiting.can_confirm[:10]]
    return " or ".join(people) + (" or others" if len(waiting.can_confirm) > 10 else "")


def signed_off(stage: Stage, confirmations: list[StageSignoff]) -> Message:
    """The waiting message once both sides have confirmed: no button left to press."""
    who = " and ".join(f"{mention(c.user_id)} ({c.side})" for c in confirmations)
    text = (
        f":handshake: Stage {stage.position} ({escape(stage.title, 1500)}) is signed off by {who}."
    )
    return Message(text=text, blocks=blocks(section(text)))


def awaiting_reply(waiting: AwaitingSignoff) -> Message:
    text = (
        f":handshake: You confirmed stage {waiting.stage.position} for the "
        f"{waiting.confirmed.side} side. The channel has been asked for the "
        f"{waiting.waiting_for} side's confirmation."
    )
    return Message(text=text, blocks=blocks(section(text)))
