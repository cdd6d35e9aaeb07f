"""`changebot console`: a simulated Slack workspace in the terminal, with the real app in it.

You are one of a few people in one of two channels. Slash commands are typed as in Slack;
lines starting with a colon are the console's own (`:help`). After each line the console
prints what changebot did about it, in order: the reply only you see, then what it posted
in channels and DMs, then any form (modal) it opened, asked field by field. Buttons are
numbered as they appear and pressed with `:press N`. The console has its own clock
(`:clock +7d`): scheduled jobs run as it passes their times, and what changebot posts
in the background shows as soon as it is posted.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from slack_bolt import BoltResponse

from bot.config import Settings
from bot.console import form
from bot.console.render import THREAD_MARK, Rendered, framed, render_message, render_view
from bot.console.requests import ElementGone
from bot.console.standin import Call
from bot.console.workspace import (
    CHANNELS,
    PEOPLE,
    Activity,
    Member,
    Person,
    Ran,
    Workspace,
    message_ts,
    open_workspace,
)
from bot.listeners.commands import COMMANDS as SLASH_COMMANDS
from bot.scheduling.sync import SCHEDULE_JOB_PREFIX

log = logging.getLogger(__name__)

WELCOME = """\
changebot console: the real changebot in a simulated Slack workspace on this computer.
You are {user} in #{channel}. Type slash commands as in Slack: /stage add Open the new ward
(each answers help, as in /stage help).
Lines starting with a colon are the console's own: :help lists them, :as NAME acts as
someone else (:who lists everyone), :quit leaves.
Public pages for service users: {pages} (a lead's /feedback link gives a project's link)
"""
HINT = (
    "Type a slash command (/stage help), or a console command (:help lists them). "
    "To talk to changebot, use :mention TEXT."
)
CANCEL = ":cancel"
_VIEW_OPENED = frozenset({"views.open", "views.push", "views.update"})
# How often the console looks for what changebot did in the background, and for jobs due.
WATCH_SECONDS = 0.25
_CLOCK_STEP = re.compile(r"\+(\d{1,4})([mhdw])")
_CLOCK_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# How far one `:clock` may jump: every job due on the way runs.
MAX_JUMP = timedelta(days=366)

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
            try:
                message = workspace.standin.message(self.channel_id, message["ts"])
            except KeyError as deleted:
                raise ElementGone("the message was deleted") from deleted
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
        # The posted messages shown, newest last, for `:shortcut`: (channel, message).
        self._messages: list[tuple[str, Json]] = []
        # Where the button being pressed is: a response_url answer may replace that message.
        self._origin: _Target | None = None
        self._done = False
        self._zone = ZoneInfo(workspace.runtime.settings.changebot_timezone)
        # Held while a line is handled, and by the watcher while it shows what happened
        # in the background: the two never write to the screen at once.
        self._busy = threading.RLock()
        self._prompt = ""

    def run(self) -> None:
        """Greet, show what is already waiting, then handle lines until :quit, EOF or Ctrl-C."""
        self._say(
            WELCOME.format(
                user=self._user.name,
                channel=self._place.name,
                pages=self._workspace.public_url,
            )
        )
        self._show(self._workspace.catch_up())
        stopping = threading.Event()
        watcher = threading.Thread(
            target=self._watch, args=(stopping,), name="console-watch", daemon=True
        )
        watcher.start()
        try:
            while not self._done:
                self._prompt = f"{self._user.name}@#{self._place.name}> "
                line = self._read(self._prompt)
                if line is None:
                    break
                self._attempt(line.strip())
        except KeyboardInterrupt:
            self._say("")
        finally:
            stopping.set()
            watcher.join()

    def _attempt(self, line: str) -> None:
        """Handle one line; a failure is told and logged, and the session goes on."""
        with self._busy:
            try:
                self._handle(line)
            except Exception as error:
                log.exception("the console failed on %s", _what_was_typed(line))
                self._say(f"! That did not work: {error}")

    def _watch(self, stopping: threading.Event) -> None:
        """While the person reads or types: run the jobs that fall due as time passes, and
        show at once what changebot posted in the background (then the prompt again)."""
        while not stopping.wait(WATCH_SECONDS):
            with self._busy:
                ran = self._workspace.pass_time()
                activity = self._workspace.catch_up()
                if not activity.calls and not any(run.activity.calls for run in ran):
                    continue
                self._say("")
                self._ran(ran, ask=False)
                self._show(activity, ask=False)
                if self._interactive:
                    self._stdout.write(self._prompt)
                    self._stdout.flush()

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
        if not name:
            self._say("Write :as NAME, as in :as sam. " + _people())
            return
        person = self._workspace.person(name)
        if person is None:
            self._say(f"There is nobody called {name!r} here. " + _people())
            return
        self._user = person
        self._say(f"You are {person.name} ({person.persona}) now.")

    def move_to(self, name: str) -> None:
        """:in #CHANNEL — go to another channel."""
        if not name:
            self._say("Write :in #CHANNEL, as in :in #forum. " + _channels())
            return
        place = self._workspace.place(name)
        if place is None:
            self._say(f"There is no channel {name!r} here. " + _channels())
            return
        self._place = place
        self._say(f"You are in #{place.name} now.")

    def who(self, _argument: str) -> None:
        """:who — the people, their sides and leads in this channel's project, the channels."""
        members = self._workspace.members(self._place)
        if members is None:
            project = (
                f"#{self._place.name} has no project yet: whoever first uses changebot here "
                "becomes its lead."
            )
            people = [_people()]
        else:
            project = f"In #{self._place.name}'s project now (sides are set with /plan role):"
            people = [f"  {_member_line(member)}" for member in members]
        you = f"You are {self._user.name}, in #{self._place.name}."
        self._say(you, project, *people, _channels())

    def press(self, argument: str) -> None:
        """:press N — press button [N] of a message, modal or Home tab shown above."""
        if not argument:
            self._say("Write :press N, with the number a button shows, as in :press 1.")
            return
        button = self._buttons.get(int(argument)) if argument.isdigit() else None
        if button is None:
            self._say(f"There is no button [{argument}]. Buttons are numbered as they appear.")
            return
        try:
            activity = button.target.press(self._workspace, self._user, button.element)
        except ElementGone:
            self._say(
                f"Button [{argument}] is gone: the message or form it was on has changed "
                "since. Press a button shown since then."
            )
            return
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
        message, activity = self._workspace.mention(user=self._user, place=self._place, text=text)
        self._messages.append((self._place.channel_id, message))
        self._show(activity, handled_as="mention")

    def shortcut(self, argument: str) -> None:
        """:shortcut [N] — the message shortcut "Raise principle concern", on the latest
        message shown (or the Nth latest)."""
        back = int(argument) if argument.isdigit() else 0 if argument else 1
        if not 1 <= back <= len(self._messages):
            self._say(
                f"There is no message {argument or 1} back: {len(self._messages)} "
                "messages in channels have been shown (:mention TEXT posts one)."
            )
            return
        channel_id, message = self._messages[-back]
        shown = render_message(message, self._workspace.names, first_button=0).lines
        self._say(f'Raise principle concern, on: "{shown[0] if shown else ""}"')
        activity = self._workspace.shortcut(user=self._user, channel_id=channel_id, message=message)
        self._show(activity, handled_as="shortcut")

    def list_jobs(self, _argument: str) -> None:
        """:jobs — the scheduled jobs, what each is and when it runs next (console clock)."""
        lines = [self._job_line(job) for job in self._workspace.jobs()]
        self._say(*(lines or ["No jobs are scheduled."]))

    def fire(self, job_id: str) -> None:
        """:fire [ID] — move the clock to the next run of job ID (or of the next check-in,
        digest or reminder) and run it, with everything due before it."""
        jobs = self._workspace.jobs()
        if job_id:
            chosen = next((job for job in jobs if job.id == job_id), None)
            if chosen is None:
                self._say(f"There is no job {job_id!r}; :jobs lists them.")
                return
        else:
            waiting = [
                (at, job)
                for job in jobs
                if job.id.startswith(SCHEDULE_JOB_PREFIX)
                and (at := self._workspace.next_run(job)) is not None
            ]
            soonest = min(waiting, key=lambda pair: pair[0], default=None)
            if soonest is None:
                self._say("No check-in, digest or reminder is scheduled; :fire ID runs a job.")
                return
            chosen = soonest[1]
        at = self._workspace.next_run(chosen)
        if at is None:
            self._say(f"{chosen.id} ({self._workspace.label(chosen.id)}) has no run to come.")
            return
        self._pass_time(at, told=chosen.id)

    def clock(self, argument: str) -> None:
        """:clock [+7d | +3h | YYYY-MM-DD HH:MM] — the console's time, or move it forward;
        jobs due on the way run at their own times."""
        if argument:
            target = self._clock_target(argument)
            if target is None:
                return
            self._pass_time(target, told=None)
        offset = self._workspace.clock.offset
        ahead = f"{_duration(offset)} ahead of real time" if offset else "real time"
        self._say(f"It is {self._when(self._workspace.clock.now())} ({ahead}).")

    def _clock_target(self, argument: str) -> datetime | None:
        """Where `:clock ARGUMENT` moves the clock to, or None (and why) when it cannot."""
        now = self._workspace.clock.now()
        step = _CLOCK_STEP.fullmatch(argument)
        if step:
            target = now + timedelta(**{_CLOCK_UNITS[step.group(2)]: int(step.group(1))})
        else:
            try:
                local = datetime.strptime(argument, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - zone below
            except ValueError:
                self._say("Write :clock +30m, +3h, +7d, +2w or :clock 2027-01-04 09:00.")
                return None
            target = local.replace(tzinfo=self._zone)
        if target <= now:
            self._say(f"The clock only goes forward: it is {self._when(now)} already.")
            return None
        if target - now > MAX_JUMP:
            self._say("The clock moves at most a year at a time.")
            return None
        return target

    def _pass_time(self, until: datetime, *, told: str | None) -> None:
        """Move the clock on and show what each job did; `told` is the job fired, which
        says why when it posted nothing."""
        ran = self._workspace.pass_time(until)
        self._say(f"The clock moved to {self._when(until)}.")
        self._ran(ran, told=told)

    def _ran(self, ran: list[Ran], *, told: str | None = None, ask: bool = True) -> None:
        """What the jobs run did. A schedule's run (or the job fired) that posted nothing
        says why; the standing jobs are quiet unless they posted something."""
        for run in ran:
            posted = any(call.ok for call in run.activity.calls)
            if not (posted or run.job_id.startswith(SCHEDULE_JOB_PREFIX) or run.job_id == told):
                continue
            self._say(f"At {self._when(run.at)}, {run.job_id} ran: {run.label}.")
            if not posted:
                why = "; ".join(run.said) or "it had nothing to post"
                self._say(f"  It posted nothing: {why}.")
            self._show(run.activity, ask=ask)

    def _job_line(self, job: Job) -> str:
        when = self._workspace.next_run(job)
        next_run = f"next {self._when(when)}" if when else "paused or all run"
        return f"{job.id}  {self._workspace.label(job.id)} · {next_run}"

    def _when(self, instant: datetime) -> str:
        return f"{instant.astimezone(self._zone):%a %d %b %Y %H:%M %Z}"

    def help(self, _argument: str) -> None:
        """:help — this list."""
        self._say(
            "Slash commands: " + ", ".join(sorted(SLASH_COMMANDS)) + " (each answers `help`).",
            # A docstring wrapped in the source is one line on the screen.
            *(f"  {' '.join(str(inspect.getdoc(action)).split())}" for action in COMMANDS.values()),
            f"In a form: one answer a line, as each field asks; {CANCEL} closes it unsent.",
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
            if typed.strip().partition(" ")[0] in COMMANDS:
                self._say(f"! A form is open: answer ({number}) first, or {CANCEL} to close it.")
                continue
            if field.multiline and typed.strip() == form.LINES_FENCE:
                typed = self._lines_until_fence()
            try:
                return field.answer(typed, self._workspace.names)
            except form.InvalidAnswer as error:
                self._say(f"! {error}")
        return None

    def _lines_until_fence(self) -> str:
        """The lines of a several-line answer, up to the closing fence or the end of input."""
        lines = []
        while (line := self._read("… ")) is not None and line.strip() != form.LINES_FENCE:
            lines.append(line)
        return "\n".join(lines)

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

    def _show(self, activity: Activity, *, handled_as: str = "", ask: bool = True) -> None:
        """What changebot did; a form it opened is asked, unless it opened in the background
        (then the next prompt is the person's, not the form's)."""
        if activity.response is not None:
            self._answered(activity.response, handled_as)
        for call in activity.calls:
            self._show_call(call)
        for call in activity.calls:
            if ask and call.ok and call.method in _VIEW_OPENED:
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
        if isinstance(target, _InMessage) and "ts" in message:
            self._messages.append((target.channel_id, message))
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
        """The next line, or None at the end; the prompt only shows to a person at a TTY,
        and Ctrl-D there ends the prompt's line, so the shell's prompt starts on its own."""
        if self._interactive:
            self._stdout.write(prompt)
            self._stdout.flush()
        line = self._stdin.readline()
        if not line and self._interactive:
            self._say("")
        return line.rstrip("\n") if line else None

    def _say(self, *lines: str) -> None:
        for line in lines:
            self._stdout.write(line + "\n")
        self._stdout.flush()


def _what_was_typed(line: str) -> str:
    """The command a failed line named, for the log: never the words after it, which are
    a person's (the stage's title, the feedback)."""
    word = line.split(maxsplit=1)[0] if line.strip() else ""
    return word if word[:1] in ("/", ":") and word[1:].isalnum() else "a line of text"


COMMANDS: dict[str, Callable[[Console, str], None]] = {
    ":as": Console.act_as,
    ":in": Console.move_to,
    ":who": Console.who,
    ":press": Console.press,
    ":home": Console.home,
    ":mention": Console.mention,
    ":shortcut": Console.shortcut,
    ":jobs": Console.list_jobs,
    ":fire": Console.fire,
    ":clock": Console.clock,
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


def _member_line(member: Member) -> str:
    person = member.person
    parts = [member.side] if member.side and member.side != "lead" else []
    if member.lead:
        parts.append("lead")
    part = ", ".join(parts) if parts else "not in the project yet"
    return f"{person.name} ({person.persona}): {part}"


def _duration(offset: timedelta) -> str:
    """An offset as people say it: "7 days 2 h 5 min"."""
    minutes = round(offset.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes or not parts else []
    return " ".join(parts)


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
