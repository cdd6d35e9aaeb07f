"""`changebot console`: a simulated Slack workspace in the terminal, with the real app in it.

You are one of a few people in one of two channels. Slash commands are typed as in Slack;
lines starting with a colon are the console's own (`:help`). After each line the console
prints what changebot did about it, in order: the reply only you see, then what it posted
in channels and DMs, then any form (modal) it opened, asked field by field. Buttons are
numbered as they appear and pressed with `:press N`.
"""

from __future__ import annotations

import inspect
import json
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from apscheduler.job import Job
from slack_bolt import BoltResponse

from bot.config import Settings
from bot.console import form
from bot.console.render import THREAD_MARK, Rendered, framed, render_message, render_view
from bot.console.standin import Call
from bot.console.workspace import (
    CHANNELS,
    PEOPLE,
    Activity,
    Person,
    Workspace,
    message_ts,
    open_workspace,
)
from bot.listeners.commands import COMMANDS as SLASH_COMMANDS

log = logging.getLogger(__name__)

WELCOME = """\
changebot console: the real changebot in a simulated Slack workspace on this computer.
You are {user} in #{channel}. Type slash commands as in Slack: /stage add Open the new ward
Lines starting with a colon are the console's own: :help lists them, :quit leaves.
"""
HINT = (
    "Type a slash command (/stage help), or a console command (:help lists them). "
    "To talk to changebot, use :mention TEXT."
)
CANCEL = ":cancel"
_VIEW_OPENED = frozenset({"views.open", "views.push", "views.update"})

Json = dict[str, Any]


def run_console(
    settings: Settings, *, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    with open_workspace(settings) as workspace:
        Console(workspace, stdin=stdin, stdout=stdout).run()
    return 0


class _Target(Protocol):
    """Where a numbered button lives, fetched afresh when it is pressed."""

    def press(self, workspace: Workspace, user: Person, element: Json) -> Activity: ...


@dataclass(frozen=True)
class _InMessage:
    channel_id: str
    # A posted message is read back from the stand-in (it may have been edited since);
    # an ephemeral one exists only as it was shown.
    message: Json

    def press(self, workspace: Workspace, user: Person, element: Json) -> Activity:
        message = self.message
        if "ts" in message:
            message = workspace.standin.message(self.channel_id, message["ts"])
        return workspace.press(
            user=user, channel_id=self.channel_id, message=message, element=element
        )


@dataclass(frozen=True)
class _InView:
    # The view as shown. The stand-in's copy wins when the app has changed it since (its
    # hash differs); a view the app answered a submission with exists only as shown.
    view: Json

    def press(self, workspace: Workspace, user: Person, element: Json) -> Activity:
        current = workspace.view(self.view["id"])
        changed = current is not None and current.get("hash") != self.view.get("hash")
        view = current if current is not None and changed else self.view
        return workspace.press_in_view(user=user, view=view, element=element)


@dataclass(frozen=True)
class _Button:
    element: Json
    target: _Target


# Where files the app shares (run charts, exports) are written for you to open.
SHARED_FILES = Path("changebot-files")


class Console:
    """One person's session: who they are, where they are, and the buttons shown so far."""

    def __init__(self, workspace: Workspace, *, stdin: TextIO, stdout: TextIO) -> None:
        self._workspace = workspace
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = stdin.isatty()
        self._user = PEOPLE[0]
        self._place = CHANNELS[0]
        self._buttons: dict[int, _Button] = {}
        # Where the button being pressed is: a response_url answer may replace that message.
        self._origin: _Target | None = None
        self._done = False

    def run(self) -> None:
        """Greet, show what is already waiting, then handle lines until :quit, EOF or Ctrl-C."""
        self._say(WELCOME.format(user=self._user.name, channel=self._place.name))
        self._show(self._workspace.catch_up())
        try:
            while not self._done:
                line = self._read(f"{self._user.name}@#{self._place.name}> ")
                if line is None:
                    break
                self._attempt(line.strip())
        except KeyboardInterrupt:
            self._say("")

    def _attempt(self, line: str) -> None:
        """Handle one line; a failure is told and logged, and the session goes on."""
        try:
            self._handle(line)
        except Exception as error:
            log.exception("the console failed on %r", line)
            self._say(f"! That did not work: {error}")

    def _handle(self, line: str) -> None:
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            self._slash(command, text.strip())
        elif line.startswith(":"):
            name, _, argument = line.partition(" ")
            action = COMMANDS.get(name)
            if action is None:
                self._say(f"There is no console command {name}. :help lists them.")
            else:
                action(self, argument.strip())
        elif line:
            self._say(HINT)

    # -- the console's commands (their docstrings are the help) -------------------------

    def act_as(self, name: str) -> None:
        """:as NAME — act as another person (:who lists them)."""
        person = self._workspace.person(name)
        if person is None:
            self._say(f"There is nobody called {name!r} here. " + _people())
            return
        self._user = person
        self._say(f"You are {person.name} ({person.persona}) now.")

    def move_to(self, name: str) -> None:
        """:in #CHANNEL — go to another channel."""
        place = self._workspace.place(name)
        if place is None:
            self._say(f"There is no channel {name!r} here. " + _channels())
            return
        self._place = place
        self._say(f"You are in #{place.name} now.")

    def who(self, _argument: str) -> None:
        """:who — the people and channels of this workspace."""
        self._say(
            f"You are {self._user.name}, in #{self._place.name}.",
            _people(),
            _channels(),
            "Roles are given in changebot itself: whoever first uses a channel becomes "
            "its project's lead.",
        )

    def press(self, argument: str) -> None:
        """:press N — press button [N] of a message, modal or Home tab shown above."""
        button = self._buttons.get(int(argument)) if argument.isdigit() else None
        if button is None:
            self._say(f"There is no button [{argument}]. Buttons are numbered as they appear.")
            return
        activity = button.target.press(self._workspace, self._user, button.element)
        self._origin = button.target
        try:
            self._show(activity, handled_as="button")
        finally:
            self._origin = None

    def home(self, _argument: str) -> None:
        """:home — open changebot's Home tab."""
        self._show(self._workspace.open_home(self._user), handled_as="Home tab")

    def mention(self, text: str) -> None:
        """:mention TEXT — say "@changebot TEXT" in this channel."""
        self._say(*framed(f"#{self._place.name}  {self._user.name}: ", [f"@changebot {text}"]))
        activity = self._workspace.mention(
            user=self._user, place=self._place, text=text, ts=message_ts()
        )
        self._show(activity, handled_as="mention")

    def list_jobs(self, _argument: str) -> None:
        """:jobs — the scheduled jobs and when each runs next (in local time)."""
        lines = [_job_line(job) for job in self._workspace.jobs()]
        self._say(*(lines or ["No jobs are scheduled."]))

    def fire(self, job_id: str) -> None:
        """:fire [ID] — run the jobs that are due now, or job ID whenever it is due."""
        if job_id:
            chosen = [job for job in self._workspace.jobs() if job.id == job_id]
            missing = f"There is no job {job_id!r}; :jobs lists them."
        else:
            chosen = self._workspace.due_jobs()
            missing = "No job is due now; :fire ID runs one anyway."
        if not chosen:
            self._say(missing)
        for job in chosen:
            activity = self._workspace.run_job(job)
            self._say(f"Ran {job.id}.")
            self._show(activity)

    def help(self, _argument: str) -> None:
        """:help — this list."""
        self._say(
            "Slash commands: " + ", ".join(sorted(SLASH_COMMANDS)) + " (each answers `help`).",
            *(f"  {inspect.getdoc(action)}" for action in COMMANDS.values()),
        )

    def quit(self, _argument: str) -> None:
        """:quit — leave the console (so does Ctrl-D)."""
        self._done = True

    # -- slash commands and forms ------------------------------------------------------

    def _slash(self, command: str, text: str) -> None:
        if command not in SLASH_COMMANDS:
            self._say(
                f"{command} is not a changebot command. The commands are "
                + ", ".join(sorted(SLASH_COMMANDS))
                + "; each answers `help`, as in /stage help."
            )
            return
        activity = self._workspace.command(
            user=self._user, place=self._place, command=command, text=text
        )
        self._show(activity, handled_as="command")

    def _fill(self, view: Json) -> None:
        """Ask the modal's fields and submit it; fields changebot finds wrong are asked again.

        A modal without a submit button only informs: it is shown, and nothing is asked.
        """
        if not view.get("submit"):
            return
        fields = form.fields(view)
        answers = [field.kept() for field in fields]
        asking: Iterable[int] = range(len(fields))
        self._say(f"Fill in the form, one answer per line; {CANCEL} closes it unsent.")
        while self._answer(fields, answers, asking):
            values = form.state_values(zip(fields, answers, strict=True))
            activity = self._workspace.submit(user=self._user, view=view, values=values)
            reply = _payload(activity.response)
            if reply.get("response_action") != "errors":
                self._submitted(activity, reply, view)
                return
            errors: dict[str, str] = reply.get("errors") or {}
            asking = [index for index, f in enumerate(fields) if f.block_id in errors]
            self._say(
                *(f"! {fields[index].label}: {errors[fields[index].block_id]}" for index in asking)
            )
            self._show(Activity(None, activity.calls))
        self._say("(form closed without sending)")

    def _answer(
        self, fields: list[form.Field], answers: list[form.Value], asking: Iterable[int]
    ) -> bool:
        """Ask the fields at the `asking` positions; False when the person cancels."""
        for index in asking:
            answer = self._ask(fields[index], index + 1)
            if answer is None:
                return False
            answers[index] = answer
        return True

    def _ask(self, field: form.Field, number: int) -> form.Value | None:
        """One field's answer, asked until it fits; None when the person cancels."""
        self._say(field.question(number, self._workspace.names))
        while (typed := self._read("> ")) is not None and typed.strip() != CANCEL:
            try:
                return field.answer(typed)
            except form.InvalidAnswer as error:
                self._say(f"! {error}")
        return None

    def _submitted(self, activity: Activity, reply: Json, view: Json) -> None:
        """After a submission: the form closes, or changebot shows the next view in it."""
        if activity.response is not None and activity.response.status == 404:
            self._say("Nothing in changebot handled that form, so nothing happened.")
        self._show(Activity(None, activity.calls))
        if reply.get("response_action") in ("update", "push"):
            # The answer replaces the view; Slack keeps its id (and the stand-in its hash).
            next_view = {"id": view["id"], "hash": view.get("hash"), **reply["view"]}
            self._say("The form changed:", *self._view_lines(next_view))
            self._fill(next_view)

    # -- showing what the app did ------------------------------------------------------

    def _show(self, activity: Activity, *, handled_as: str = "") -> None:
        if activity.response is not None:
            self._answered(activity.response, handled_as)
        for call in activity.calls:
            self._show_call(call)
        for call in activity.calls:
            if call.ok and call.method in _VIEW_OPENED:
                self._fill(call.response["view"])

    def _answered(self, response: BoltResponse, handled_as: str) -> None:
        """Bolt's answer to the request: an ephemeral reply in the ack, or nothing at all."""
        if response.status == 404:
            self._say(f"Nothing in changebot handled that {handled_as}, so nothing happened.")
            return
        if response.status != 200:
            self._say(f"! changebot answered HTTP {response.status}: {response.body}")
            return
        reply = _payload(response)
        if reply.get("text") or reply.get("blocks"):
            shown = {"message_ts": message_ts(), **reply}
            self._message(
                self._reply_prefix(reply), shown, _InMessage(self._place.channel_id, shown)
            )

    def _show_call(self, call: Call) -> None:
        if not call.ok:
            self._say(f"! Slack refused {call.method}: {call.error}", *call.problems)
            return
        self._say(*(f"! {call.method}: {problem}" for problem in call.problems))
        shown = _SHOWN.get(call.method)
        if shown is not None:
            shown(self, call)

    def _posted(self, call: Call) -> None:
        channel, message = call.response["channel"], call.response["message"]
        prefix = self._where(channel)
        if message.get("thread_ts"):
            prefix = THREAD_MARK + prefix
        self._message(prefix, message, _InMessage(channel, message))

    def _edited(self, call: Call) -> None:
        channel, message = call.response["channel"], call.response["message"]
        self._message("(edited) " + self._where(channel), message, _InMessage(channel, message))

    def _ephemeral(self, call: Call) -> None:
        args = call.args
        message = {"message_ts": call.response["message_ts"], **_content(args)}
        who = (
            "you"
            if args.get("user") == self._user.user_id
            else "@" + self._workspace.names.user(str(args.get("user")))
        )
        self._message(f"(only {who}) ", message, _InMessage(str(args["channel"]), message))

    def _responded(self, call: Call) -> None:
        """A response_url answer: it lands where the action happened, in place or as new."""
        args = call.args
        if args.get("delete_original") in (True, "true"):
            self._say("(deleted) the message that was acted on")
            return
        replacing = args.get("replace_original") in (True, "true")
        origin = self._origin
        if replacing and isinstance(origin, _InMessage) and "ts" in origin.message:
            self._message("(edited) " + self._where(origin.channel_id), _content(args), origin)
            return
        prefix = ("(edited) " if replacing else "") + self._reply_prefix(args)
        message = {"message_ts": message_ts(), **_content(args)}
        self._message(prefix, message, _InMessage(self._place.channel_id, message))

    def _modal(self, call: Call) -> None:
        self._say("A form opened for you:", *self._view_lines(call.response["view"]))

    def _home(self, call: Call) -> None:
        owner = self._workspace.names.user(str(call.args.get("user_id")))
        self._say(*framed(f"Home tab of @{owner}: ", self._view_lines(call.response["view"])))

    def _shared(self, call: Call) -> None:
        channel = call.args.get("channel_id")
        prefix = self._where(str(channel)) if channel else "(only you) "
        message = {"text": call.args.get("initial_comment") or "", "files": call.response["files"]}
        self._message(prefix, message, _InMessage(channel or self._place.channel_id, message))
        for shared in call.response["files"]:
            self._say(f"  (file saved to {self._save(shared['id'])})")

    def _save(self, file_id: str) -> Path:
        """Write a shared file (a chart, an export) where the person can open it."""
        upload = self._workspace.standin.files[file_id]
        SHARED_FILES.mkdir(exist_ok=True)
        path = SHARED_FILES / f"{file_id}-{Path(upload['filename']).name}"
        path.write_bytes(upload["content"])
        return path.resolve()

    def _message(self, prefix: str, message: Json, target: _Target) -> None:
        rendered = render_message(message, self._workspace.names, first_button=self._next_button)
        self._say(*framed(prefix, self._numbered(rendered, target)))

    def _view_lines(self, view: Json) -> list[str]:
        rendered = render_view(view, self._workspace.names, first_button=self._next_button)
        return self._numbered(rendered, _InView(view))

    def _numbered(self, rendered: Rendered, target: _Target) -> list[str]:
        """The lines, with their buttons remembered under the numbers they show."""
        for element in rendered.buttons:
            self._buttons[self._next_button] = _Button(element, target)
        return rendered.lines

    @property
    def _next_button(self) -> int:
        return len(self._buttons) + 1

    def _where(self, channel_id: str) -> str:
        names = self._workspace.names
        if channel_id in names.dms:
            return f"DM to @{names.dms[channel_id]}: "
        return f"#{names.channel(channel_id)}  changebot: "

    def _reply_prefix(self, reply: Json) -> str:
        if reply.get("response_type") == "in_channel":
            return self._where(self._place.channel_id)
        return "(only you) "

    # -- the terminal ------------------------------------------------------------------

    def _read(self, prompt: str) -> str | None:
        """The next line, or None at the end; the prompt only shows to a person at a TTY."""
        if self._interactive:
            self._stdout.write(prompt)
            self._stdout.flush()
        line = self._stdin.readline()
        return line.rstrip("\n") if line else None

    def _say(self, *lines: str) -> None:
        for line in lines:
            self._stdout.write(line + "\n")
        self._stdout.flush()


COMMANDS: dict[str, Callable[[Console, str], None]] = {
    ":as": Console.act_as,
    ":in": Console.move_to,
    ":who": Console.who,
    ":press": Console.press,
    ":home": Console.home,
    ":mention": Console.mention,
    ":jobs": Console.list_jobs,
    ":fire": Console.fire,
    ":help": Console.help,
    ":quit": Console.quit,
}
# What changebot does with each Web API call, as the console shows it.
_SHOWN: dict[str, Callable[[Console, Call], None]] = {
    "chat.postMessage": Console._posted,
    "chat.update": Console._edited,
    "chat.postEphemeral": Console._ephemeral,
    "response_url": Console._responded,
    "views.open": Console._modal,
    "views.push": Console._modal,
    "views.update": Console._modal,
    "views.publish": Console._home,
    "files.completeUploadExternal": Console._shared,
}


def _people() -> str:
    return "People: " + ", ".join(f"{p.name} ({p.persona})" for p in PEOPLE) + "."


def _channels() -> str:
    return "Channels: " + ", ".join(f"#{place.name}" for place in CHANNELS) + "."


def _job_line(job: Job) -> str:
    when = job.next_run_time
    return f"{job.id}  " + (f"next {when.astimezone():%a %d %b %Y %H:%M %Z}" if when else "paused")


def _payload(response: BoltResponse | None) -> Json:
    """Bolt's response body as JSON; a plain-text ack is read as a message's text."""
    body = response.body if response is not None else ""
    if not body:
        return {}
    if body.startswith("{"):
        decoded: Json = json.loads(body)
        return decoded
    return {"text": body}


def _content(args: Json) -> Json:
    return {key: args[key] for key in ("text", "blocks") if key in args}
