"""Slack `message` events into thread replies, edits and deletions; everything else is None."""

import json
from pathlib import Path

from bot.parsing.threads import Bot, Deletion, Edit, Reply, thread_change

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads"
BOT = Bot(user_id="UCHANGEBOT", bot_id="BCHANGEBOT")
THREAD, REPLY = "1700000000.000100", "1700000050.000200"


def _event(name):
    return json.loads((PAYLOADS / name).read_text())["event"]


def _reply(**fields):
    message = {"type": "message", "channel": "C1", "user": "U1", "text": "Agreed"}
    return {**message, "ts": REPLY, "thread_ts": THREAD, **fields}


def test_a_reply_in_a_thread_as_slack_sends_it():
    change = thread_change(_event("message_in_thread.json"), BOT)
    assert change == Reply(
        channel_id="C111",
        thread_ts="1726133698.626339",
        message_ts="1726133700.887259",
        user_id="W222",
        text="When Slack was released?",
    )


def test_a_reply_also_sent_to_the_channel_is_a_reply():
    change = thread_change(_event("message_thread_broadcast.json"), BOT)
    assert isinstance(change, Reply)
    assert change.thread_ts == "1633663824.000500"


def test_reply_text_is_stored_as_the_person_typed_it():
    change = thread_change(_reply(text="Hours &amp; pay <@U9|sam>"), BOT)
    assert isinstance(change, Reply)
    assert change.text == "Hours & pay @sam"


def test_top_level_messages_and_thread_parents_are_not_replies():
    top_level = {key: value for key, value in _reply().items() if key != "thread_ts"}
    assert thread_change(top_level, BOT) is None
    assert thread_change(_reply(ts=THREAD), BOT) is None


def test_the_bots_own_messages_are_ignored_by_bot_id_or_user():
    assert thread_change(_reply(bot_id="BCHANGEBOT", user=None), BOT) is None
    assert thread_change(_reply(user="UCHANGEBOT"), BOT) is None
    assert isinstance(thread_change(_reply(bot_id="BOTHER", user="UOTHER"), BOT), Reply)


def test_joins_and_other_subtypes_are_not_replies():
    assert thread_change(_reply(subtype="channel_join"), BOT) is None


def test_an_edited_reply():
    event = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "hidden": True,
        "ts": "1700000099.000300",
        "message": _reply(text="Agreed, with changes", edited={"user": "U1", "ts": "1700000099"}),
        "previous_message": _reply(),
    }
    assert thread_change(event, BOT) == Edit("C1", THREAD, REPLY, "Agreed, with changes")


def test_a_change_that_is_not_an_edit_is_ignored():
    """Slack also sends message_changed when a link unfurls or a reply count goes up."""
    unfurled = {"subtype": "message_changed", "channel": "C1", "message": _reply()}
    assert thread_change(unfurled, BOT) is None
    edited_by_bot = _reply(user="UCHANGEBOT", edited={"user": "UCHANGEBOT", "ts": "1"})
    assert thread_change({"subtype": "message_changed", "message": edited_by_bot}, BOT) is None


def test_a_deleted_reply():
    event = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "hidden": True,
        "ts": "1700000099.000300",
        "deleted_ts": REPLY,
        "previous_message": _reply(),
    }
    assert thread_change(event, BOT) == Deletion("C1", THREAD, REPLY)
    outside = {**event, "previous_message": {"ts": REPLY, "text": "top level"}}
    assert thread_change(outside, BOT) is None
