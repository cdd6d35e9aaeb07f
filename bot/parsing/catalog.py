"""The forms of the commands whose features are still being built (SPEC §3).

Each moves to its own parsing module when its feature lands; until then the
command answers `help` with these forms and says plainly that the rest is not
available yet.
"""

from __future__ import annotations

from bot.parsing.forms import CommandForms, Form

PLAN = CommandForms(
    command="/plan",
    summary="the project overview and its settings",
    forms=(
        Form("", "the overview: need for change, stages, next check-in, open concerns"),
        Form("need TEXT", "set the need-for-change statement (lead)"),
        Form("role @user ROLE", "give a partner a role (lead)"),
        Form("digest SCHEDULE", "a recurring progress digest in the channel (lead)"),
        Form("signoff joint|single", "joint management–union sign-off of stages, or not (lead)"),
        Form("export", "a CSV of the project's record, sent to you privately (lead)"),
        Form("help", "this message"),
    ),
)

FEEDBACK = CommandForms(
    command="/feedback",
    summary="feedback on the project or a stage",
    forms=(
        Form("TEXT", "feedback on the project"),
        Form("#N TEXT", "feedback on stage N"),
        Form("", "a form: stage, rating, whose view, anonymous, text"),
        Form("help", "this message"),
    ),
)

PRINCIPLES = CommandForms(
    command="/principles",
    summary="the principles the partners agreed to work by",
    forms=(
        Form("", "the principles, numbered, with who has agreed them"),
        Form("agree", "record that you agree to the principles"),
        Form("remind SCHEDULE", "a recurring principle-of-the-week reminder (lead)"),
        Form("edit", "edit the set (lead)"),
        Form("help", "this message"),
    ),
)

CHECKIN = CommandForms(
    command="/checkin",
    summary="evaluation check-ins and the service measures they collect",
    forms=(
        Form("schedule SCHEDULE [TITLE]", "schedule an evaluation check-in (lead)"),
        Form("list", "scheduled check-ins, with ids and next run"),
        Form("cancel ID", "stop a check-in (lead)"),
        Form("pause ID", "hold a check-in for a while (lead)"),
        Form("resume ID", "start a held check-in again (lead)"),
        Form("measure add NAME [unit U] [target T] [lower-is-better]", "add a measure (lead)"),
        Form("report", "each measure over time against its target"),
        Form("help", "this message"),
    ),
)

CONCERN = CommandForms(
    command="/concern",
    summary="concerns raised against an agreed principle",
    forms=(
        Form("N TEXT", "raise a concern against principle N; it gets its own thread"),
        Form("list", "open and recent concerns"),
        Form("help", "this message"),
    ),
)
