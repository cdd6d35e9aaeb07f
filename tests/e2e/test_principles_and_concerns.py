"""Principles and concerns end to end: signed commands, buttons, forms and events."""

from __future__ import annotations

import json
import time

from sqlmodel import Session, func, select

from bot.console.form import fields, state_values
from bot.runs.principles import post_principle_reminder
from bot.runs.scheduled import ScheduleRun
from bot.services import schedules
from bot.services.concerns import EntryKind
from storage.models import Concern, ConcernEntry, OutboxMessage, Project, Schedule

from .conftest import CHANNEL, LEAD, PARTNER, Workspace, wait_until

BOT_USER = "UCHANGEBOT"
THREAD = "1699990000.000100"  # a partner's message that started a conversation


def _text(message: dict) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks", []))


def _filled(view: dict, **typed: str) -> dict:
    """What Slack sends for a form: each field as it was opened, unless typed over."""
    answers = [
        (field, {"type": field.kind, "value": typed[field.block_id]})
        if field.block_id in typed
        else (field, field.kept())
        for field in fields(view)
    ]
    return state_values(answers)


def _concerns(workspace: Workspace) -> list[Concern]:
    with Session(workspace.runtime.engine) as session:
        return list(session.exec(select(Concern).order_by(Concern.id)))


def _replies(workspace: Workspace, concern: Concern) -> list[tuple[str | None, str, bool]]:
    with Session(workspace.runtime.engine) as session:
        entries = session.exec(
            select(ConcernEntry)
            .where(ConcernEntry.concern_id == concern.id, ConcernEntry.kind == EntryKind.REPLY)
            .order_by(ConcernEntry.created_at)
        )
        return [(e.user_id, e.text, e.deleted) for e in entries]


def _card_sent(workspace: Workspace) -> bool:
    with Session(workspace.runtime.engine) as session:
        card = session.exec(select(OutboxMessage).where(OutboxMessage.key == "concern:1")).one()
        return card.message_ts is not None


def _card(workspace: Workspace) -> dict:
    """The one concern card in the channel, as it stands now (updates included)."""
    (card,) = [m for m in workspace.standin.messages(CHANNEL) if "Concern #" in m["text"]]
    return card


def _thread(workspace: Workspace, ts: str) -> list[dict]:
    return [m for m in workspace.standin.messages(CHANNEL) if m["thread_ts"] == ts]


def _event(workspace: Workspace, event: dict, **delivery):
    signed = workspace.requests.event({"channel": CHANNEL, **event}, **delivery)
    assert workspace.send(signed).status == 200
    return signed


def _mention(text: str, ts: str) -> dict:
    """A partner's reply in THREAD that mentions changebot."""
    return {
        "type": "app_mention",
        "user": PARTNER,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "thread_ts": THREAD,
    }


def test_principles_are_listed_and_agreement_is_recorded_once(workspace):
    listed = workspace.command("/principles", "")
    assert listed.json()["response_type"] == "ephemeral"
    for line in ("*1. Shared commitment*", "*5. Transparency*", "*6. Adding value*"):
        assert line in listed.text
    assert "Nobody has agreed" in listed.text
    assert "is recorded" in workspace.command("/principles", "agree", user=PARTNER).text
    assert "already agreed" in workspace.command("/principles", "agree", user=PARTNER).text
    assert f"1 partner has agreed: <@{PARTNER}>" in workspace.command("/principles", "").text
    assert workspace.posts() == []


def test_a_lead_edits_the_set_and_the_channel_is_asked_to_agree_again(workspace):
    workspace.command("/principles", "agree")
    refused = workspace.command("/principles", "edit", user=PARTNER)
    assert "Only a project lead can edit the principles" in refused.text
    assert workspace.standin.calls_to("views.open") == []
    assert workspace.command("/principles", "edit").body == ""
    view = workspace.opened_view(1)
    values = _filled(
        view, **{"title-1": "Shared success", "title-6": "", "meaning-6": "", "title-7": "Fair pay"}
    )
    answer = workspace.submit(view, values).json()
    assert answer["response_action"] == "update"
    assert "Saved: 6 principles. 1 agreement was cleared." in json.dumps(answer["view"])
    (post,) = workspace.wait_for_posts(1)
    assert f"<@{LEAD}> has changed the principles" in _text(post.args)
    listed = workspace.command("/principles", "").text
    assert "*1. Shared success*" in listed
    assert "*6. Fair pay*" in listed
    assert "Adding value" not in listed
    assert "Nobody has agreed" in listed


def _start_project(workspace: Workspace) -> None:
    """The lead's first command makes the channel a project, with them as its lead."""
    assert workspace.command("/principles", "").status == 200


def test_a_concern_is_posted_acknowledged_and_resolved_through_its_buttons(workspace):
    _start_project(workspace)
    raised = workspace.command("/concern", "5 We were not told about the new rota", user=PARTNER)
    assert raised.json()["response_type"] == "ephemeral"
    assert "Your concern #1 about principle 5: Transparency is posted" in raised.text
    workspace.wait_for_posts(1)
    card = _card(workspace)
    assert "principle 5: Transparency" in _text(card)
    assert f"Raised by <@{PARTNER}>" in _text(card)
    assert ":red_circle: open" in _text(card)

    assert workspace.press(card, "concern_acknowledge", user=PARTNER).status == 200
    refusal = workspace.standin.wait_for("response_url")[-1]
    assert "Only a project lead or a management partner can acknowledge" in json.dumps(refusal.args)
    assert "You raised this one, so you can withdraw it" in json.dumps(refusal.args)

    workspace.press(card, "concern_acknowledge")
    workspace.standin.wait_for("chat.update")
    wait_until(lambda: len(_thread(workspace, card["ts"])) == 1, what="the acknowledgement line")
    assert f"acknowledged by <@{LEAD}>" in _text(_card(workspace))
    assert f"<@{LEAD}> acknowledged this concern" in _thread(workspace, card["ts"])[0]["text"]

    workspace.press(_card(workspace), "concern_resolve")
    form = workspace.opened_view(1)
    assert workspace.submit(form, _filled(form, note="")).json()["errors"] == {
        "note": "Say how the concern was resolved."
    }
    assert workspace.submit(form, _filled(form, note="Rota now shared a month ahead")).body == ""
    workspace.standin.wait_for("chat.update", 2)
    wait_until(lambda: len(_thread(workspace, card["ts"])) == 2, what="the resolution line")
    resolved = _card(workspace)
    assert "*Resolution:* Rota now shared a month ahead" in _text(resolved)
    assert "concern_resolve" not in _text(resolved)
    assert "resolved this concern" in _thread(workspace, card["ts"])[1]["text"]
    assert (_concerns(workspace)[0].status, _concerns(workspace)[0].resolved_by) == (
        "resolved",
        LEAD,
    )
    assert all(call.problems == [] for call in workspace.standin.calls)


def test_a_principle_out_of_range_or_not_a_number_is_refused_and_nothing_is_posted(workspace):
    _start_project(workspace)
    for text, explanation in {
        "9 Something happened": "There is no principle 9: the principles are numbered 1 to 6",
        "0 Something happened": "`0` is not a principle number",
        "abc Something happened": "No principle's title starts with `abc`.",
        "5": "Say what the concern about principle 5 is",
    }.items():
        reply = workspace.command("/concern", text)
        assert reply.json()["response_type"] == "ephemeral"
        assert explanation in reply.text, text
        assert "/concern N TEXT" in reply.text
    workspace.settle()
    assert workspace.posts() == []
    assert _concerns(workspace) == []


def test_the_list_shows_open_concerns_first_with_age_and_a_link_to_the_thread(workspace):
    workspace.command("/concern", "2 First concern", user=PARTNER)
    workspace.command("/concern", "3 Second concern", user=PARTNER)
    workspace.wait_for_posts(2)
    listed = workspace.command("/concern", "list")
    assert listed.text.index("First concern") < listed.text.index("Second concern")
    assert "principle 2: Legitimate interests" in listed.text
    assert "raised under a minute ago" in listed.text
    (first, _) = workspace.posts()
    assert f"/archives/{CHANNEL}/p{first.response['ts'].replace('.', '')}|thread>" in listed.text


def test_a_mention_in_a_thread_raises_the_concern_there_and_a_retry_changes_nothing(workspace):
    mention = _mention("concern 3 Two posts are being cut without consultation", "1699990100.0002")
    signed = _event(workspace, mention)
    (post,) = workspace.wait_for_posts(1)
    assert post.args["thread_ts"] == THREAD
    assert "principle 3: Employment security" in _text(post.args)
    (concern,) = _concerns(workspace)
    assert (concern.thread_ts, concern.raised_by) == (THREAD, PARTNER)

    event_id = json.loads(signed.body)["event_id"]
    _event(workspace, mention, event_id=event_id, retry_num=1)
    workspace.settle()
    assert len(workspace.posts()) == 1
    assert len(_concerns(workspace)) == 1


def test_the_writer_of_a_mention_raising_an_anonymous_concern_is_told_it_named_them(workspace):
    _start_project(workspace)
    with Session(workspace.runtime.engine) as session:
        project = session.exec(select(Project)).one()
        project.anonymous_concerns = True
        session.add(project)
        session.commit()
    _event(workspace, _mention("concern 3 Two posts are being cut", "1699990100.0010"))
    (card,) = workspace.wait_for_posts(1)
    assert "someone (raised anonymously)" in _text(card.args)
    (told,) = workspace.standin.wait_for("chat.postEphemeral", 1)
    assert (told.args["user"], told.args["thread_ts"]) == (PARTNER, THREAD)
    assert "your mention does: Slack shows who wrote it" in told.args["text"]
    assert "`/concern`" in told.args["text"]


def test_a_named_concern_raised_by_mention_gets_no_private_note(workspace):
    _event(workspace, _mention("concern 3 Two posts are being cut", "1699990100.0011"))
    workspace.wait_for_posts(1)
    workspace.settle()
    assert workspace.standin.calls_to("chat.postEphemeral") == []


def test_the_raiser_withdraws_a_concern_raised_in_a_thread_and_the_thread_is_told(workspace):
    _start_project(workspace)
    _event(workspace, _mention("concern 1 We are not working together", "1699990100.0005"))
    (post,) = workspace.wait_for_posts(1)
    card = workspace.standin.message(CHANNEL, post.response["ts"])
    workspace.press(card, "concern_withdraw")
    refusal = workspace.standin.wait_for("response_url")[-1]
    assert "Only the person who raised a concern can withdraw it" in json.dumps(refusal.args)
    workspace.press(card, "concern_withdraw", user=PARTNER)
    workspace.standin.wait_for("chat.update")
    (line,) = workspace.wait_for_posts(2)[1:]
    assert line.args["thread_ts"] == THREAD
    assert f"<@{PARTNER}> withdrew this concern" in line.args["text"]
    assert ":white_circle: withdrawn" in _text(_card(workspace))
    assert "concern_withdraw" not in _text(_card(workspace))


def test_other_mentions_get_the_introduction_and_a_bad_concern_is_explained_to_its_writer(
    workspace,
):
    _event(workspace, _mention("hi", "1699990100.000300"))
    _event(workspace, _mention("concern 9 x", "1699990100.000400"))
    (hello,) = workspace.wait_for_posts(1)
    assert "I'm changebot" in hello.args["text"]
    (refused,) = workspace.standin.wait_for("chat.postEphemeral", 1)
    assert "There is no principle 9" in refused.args["text"]
    assert (refused.args["user"], refused.args["thread_ts"]) == (PARTNER, THREAD)
    workspace.settle()
    assert len(workspace.posts()) == 1  # the thread saw the introduction, not the refusal
    assert _concerns(workspace) == []


def test_replies_in_the_concerns_thread_become_its_history(workspace):
    workspace.command("/concern", "4 Night shifts doubled", user=PARTNER)
    (card,) = workspace.wait_for_posts(1)
    thread = card.response["ts"]
    # People reply once the card is in Slack, by which time the sender has recorded its ts.
    wait_until(lambda: _card_sent(workspace), what="the card's ts recorded")
    now = time.time()
    first, second = f"{now:.6f}", f"{now + 1:.6f}"

    def reply(ts, text, **extra):
        _event(workspace, {"type": "message", "ts": ts, "thread_ts": thread, "text": text, **extra})

    reply(second, "We will look at the rota", user=LEAD)
    reply(first, "It is every week now &amp; rising", user=PARTNER)
    reply(f"{now + 2:.6f}", "I post status lines", user=BOT_USER, bot_id="BCHANGEBOT")
    _event(
        workspace, {"type": "message", "ts": f"{now + 3:.6f}", "text": "Unrelated", "user": LEAD}
    )
    (concern,) = _concerns(workspace)
    wait_until(lambda: len(_replies(workspace, concern)) == 2, what="two replies kept")
    edited = {"ts": second, "thread_ts": thread, "text": "We will fix the rota", "user": LEAD}
    edited["edited"] = {"user": LEAD, "ts": f"{now + 4:.6f}"}
    _event(workspace, {"type": "message", "subtype": "message_changed", "message": edited})
    previous = {"ts": first, "thread_ts": thread, "user": PARTNER}
    deleted = {"subtype": "message_deleted", "deleted_ts": first, "previous_message": previous}
    _event(workspace, {"type": "message", **deleted})
    wait_until(
        lambda: (
            _replies(workspace, concern)
            == [(PARTNER, "", True), (LEAD, "We will fix the rota", False)]
        ),
        what="the edit and the deletion reflected",
    )


def test_the_message_shortcut_raises_a_concern_linked_to_the_messages_thread(workspace):
    message = {"type": "message", "user": PARTNER, "text": "Rota changed"}
    message |= {"ts": "1699990200.000100", "thread_ts": THREAD}
    shortcut = workspace.requests.message_shortcut(
        user_id=PARTNER, channel_id=CHANNEL, callback_id="raise_principle_concern", message=message
    )
    assert workspace.send(shortcut).status == 200
    form = workspace.opened_view(1)
    options = form["blocks"][0]["element"]["options"]
    assert [o["value"] for o in options] == ["1", "2", "3", "4", "5", "6"]
    values = _filled(form, description="Changed without asking us")
    values["principle"] = {"principle": {"type": "static_select", "selected_option": options[4]}}
    answer = workspace.submit(form, values, user=PARTNER).json()
    assert answer["response_action"] == "update"
    (post,) = workspace.wait_for_posts(1)
    assert post.args["thread_ts"] == THREAD
    assert "principle 5: Transparency" in _text(post.args)
    assert _concerns(workspace)[0].thread_ts == THREAD


def test_a_reminder_is_scheduled_and_its_button_opens_the_concern_form_with_its_principle(
    workspace,
):
    _start_project(workspace)
    refused = workspace.command("/principles", "remind weekly mon 09:00", user=PARTNER)
    assert "Only a project lead" in refused.text
    reply = workspace.command("/principles", "remind weekly mon 09:00")
    assert "one principle every Monday at 09:00 (Europe/London time), the first on Monday" in (
        reply.text
    )
    with Session(workspace.runtime.engine) as session:
        (schedule,) = session.exec(select(Schedule)).all()
        project = session.get_one(Project, schedule.project_id)
    wait_until(
        lambda: f"schedule:{schedule.id}" in {job.id for job in workspace.runtime.scheduler.jobs()},
        what="the reminder's job",
    )
    bad = workspace.command("/principles", "remind weekly someday 09:00")
    assert "is not a day of the week" in bad.text
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Schedule)).one() == 1

    runtime = workspace.runtime
    fired_at = schedules.next_run_of(schedule, project, after=runtime.clock())
    for _ in range(2):  # the run fired twice (two instances, a restart) posts once
        with runtime.transaction() as session:
            row = session.get_one(Schedule, schedule.id)
            post_principle_reminder(ScheduleRun(session, runtime, project, row, fired_at))
    (post,) = workspace.wait_for_posts(1)
    assert "Principle 1 of 6: Shared commitment" in _text(post.args)
    posted = workspace.standin.message(CHANNEL, post.response["ts"])
    workspace.press(posted, "principle_raise_concern", user=PARTNER)
    form = workspace.opened_view(1)
    assert form["blocks"][0]["element"]["initial_option"]["value"] == "1"


def test_a_second_concern_raised_in_a_concerns_thread_gets_a_thread_of_its_own(workspace):
    workspace.command("/concern", "5 The rota was changed without telling us", user=PARTNER)
    (card,) = workspace.wait_for_posts(1)
    thread = card.response["ts"]
    wait_until(lambda: _card_sent(workspace), what="the card's ts recorded")
    mention = {**_mention("concern 3 Two posts go as well", "1699990100.0007"), "thread_ts": thread}
    _event(workspace, mention)
    _, second, pointer = workspace.wait_for_posts(3)
    assert "Concern #2" in second.args["text"]
    assert "thread_ts" not in second.args
    assert pointer.args["thread_ts"] == thread
    assert (
        f"Concern #2 about principle 3: Employment security is posted in <#{CHANNEL}>"
        in (pointer.args["text"])
    )
    first, raised = _concerns(workspace)
    assert (first.thread_ts, raised.thread_ts) == (thread, None)


def test_a_manager_who_raised_a_concern_is_asked_to_leave_answering_it_to_another(workspace):
    _start_project(workspace)
    workspace.command("/plan", f"role <@{PARTNER}> management")
    workspace.command("/concern", "1 The union side was not invited", user=PARTNER)
    workspace.wait_for_posts(1)
    workspace.press(_card(workspace), "concern_resolve", user=PARTNER)
    refusal = json.dumps(workspace.standin.wait_for("response_url")[-1].args)
    assert "You raised this concern, so another lead or management partner should resolve it" in (
        refusal
    )
    assert f"Ask <@{LEAD}>." in refusal
    assert workspace.standin.calls_to("views.open") == []


def test_a_mention_with_its_description_on_the_next_lines_raises_the_concern(workspace):
    _event(workspace, _mention("concern 5\nThe rota changed.\nNobody asked us.", "1699990100.0008"))
    _event(workspace, _mention("concern help", "1699990100.0009"))
    (post,) = workspace.wait_for_posts(1)
    assert ">The rota changed.\\n>Nobody asked us." in _text(post.args)
    assert _concerns(workspace)[0].text == "The rota changed.\nNobody asked us."
    (helped,) = workspace.standin.wait_for("chat.postEphemeral", 1)
    assert "name the principle and say what happened" in _text(helped.args)
    assert "@changebot concern N TEXT" in _text(helped.args)
