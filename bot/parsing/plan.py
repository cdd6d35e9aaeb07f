"""`/plan` text into typed requests (SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.parsing.forms import CommandForms, Form, ShowHelp, split_subcommand
from bot.parsing.schedule import ScheduleSpec, parse_schedule
from bot.parsing.slack_text import to_plain, user_id_in
from storage.models import SIDES, Role, SignoffMode

PLAN = CommandForms(
    command="/plan",
    summary="the project overview and its settings",
    forms=(
        Form("", "the overview: need for change, stages, next check-in, open concerns"),
        Form("need TEXT", "set the need-for-change statement (lead)"),
        Form(
            "role @user SIDE",
            "set a partner's side: "
            + ", ".join(SIDES)
            + "; `lead` grants the lead permission and keeps the side (lead)",
        ),
        Form("lead @user [off]", "grant or withdraw the lead permission (lead)"),
        Form("settings", "a form with every setting of the project (lead)"),
        Form("digest SCHEDULE", "a recurring progress digest in the channel (lead)"),
        Form("digest off", "stop the digest (lead)"),
        Form("signoff joint|single", "joint management–union sign-off of stages, or not (lead)"),
        Form("export", "a CSV of the project's record, sent to you privately (lead)"),
        Form("report", "the partnership report as a PDF, sent to you privately (lead)"),
        Form("help", "this message"),
    ),
)


@dataclass(frozen=True)
class ShowOverview:
    pass


@dataclass(frozen=True)
class SetNeed:
    need: str


@dataclass(frozen=True)
class SetRole:
    user_id: str
    role: Role


@dataclass(frozen=True)
class SetLead:
    user_id: str
    lead: bool


@dataclass(frozen=True)
class OpenSettings:
    pass


@dataclass(frozen=True)
class SetSignoff:
    mode: SignoffMode


@dataclass(frozen=True)
class ExportRecord:
    pass


@dataclass(frozen=True)
class PartnershipReport:
    pass


@dataclass(frozen=True)
class ScheduleDigest:
    spec: ScheduleSpec


@dataclass(frozen=True)
class StopDigest:
    pass


PlanRequest = (
    ShowOverview
    | SetNeed
    | SetRole
    | SetLead
    | OpenSettings
    | SetSignoff
    | ExportRecord
    | PartnershipReport
    | ScheduleDigest
    | StopDigest
    | ShowHelp
)

_ROLE_ALIASES = {
    "service user": Role.SERVICE_USER,
    "serviceuser": Role.SERVICE_USER,
    "manager": Role.MANAGEMENT,
    "rep": Role.UNION,
}


def parse_plan(text: str) -> PlanRequest:
    word, rest = split_subcommand(text)
    if word == "":
        return ShowOverview()
    if word == "help":
        return ShowHelp()
    if word == "need":
        need = to_plain(rest).strip()
        if not need:
            raise PLAN.error("Say what the need for change is.", form="need")
        return SetNeed(need)
    if word == "role":
        return _parse_role(rest)
    if word == "lead":
        return _parse_lead(rest)
    if word == "settings":
        return OpenSettings()
    if word == "signoff":
        return _parse_signoff(rest)
    if word == "export":
        return ExportRecord()
    if word == "report":
        return PartnershipReport()
    if word == "digest":
        return _parse_digest(rest)
    raise PLAN.unknown(to_plain(word))


def _parse_role(rest: str) -> SetRole:
    person, _, role_text = rest.partition(" ")
    user_id = _partner_in(person, form="role", example="role @alex union")
    role_word = role_text.strip().lower()
    role = _ROLE_ALIASES.get(role_word) or next((r for r in Role if r.value == role_word), None)
    if role is None:
        sides = f"one of: {', '.join(SIDES)} (or `lead`)"
        shown = to_plain(role_text.strip())
        problem = f"`{shown}` is not a side; use {sides}." if shown else f"Which side? Use {sides}."
        raise PLAN.error(problem, form="role")
    return SetRole(user_id, role)


def _parse_lead(rest: str) -> SetLead:
    person, _, switch = rest.partition(" ")
    user_id = _partner_in(person, form="lead", example="lead @alex")
    choice = switch.strip().lower()
    if choice not in ("", "on", "off"):
        raise PLAN.error(
            f"`{to_plain(switch.strip())}` is not `off`: end with `off` to withdraw the lead "
            "permission, or with the @mention to grant it.",
            form="lead",
        )
    return SetLead(user_id, lead=choice != "off")


def _partner_in(person: str, *, form: str, example: str) -> str:
    """The user id of the one person named; a user group, a channel or a bare name says so."""
    user_id = user_id_in(person)
    if user_id is not None:
        return user_id
    how = f"Name one person with an @mention, for example `/plan {example}`."
    if not person:
        raise PLAN.error(f"Who? {how}", form=form)
    raise PLAN.error(f"`{to_plain(person)}` is not a person. {how}", form=form)


def _parse_digest(rest: str) -> ScheduleDigest | StopDigest:
    if rest.strip().lower() in ("off", "stop", "cancel"):
        return StopDigest()
    if not rest.strip():
        raise PLAN.error("Say when the digest should be posted.", form="digest")
    return ScheduleDigest(parse_schedule(to_plain(rest)))


def _parse_signoff(rest: str) -> SetSignoff:
    choice = rest.strip().lower()
    if choice not in (SignoffMode.JOINT, SignoffMode.SINGLE):
        raise PLAN.error("Choose `joint` or `single` sign-off.", form="signoff")
    return SetSignoff(SignoffMode(choice))
