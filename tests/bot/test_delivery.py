"""The outbox and its sender against the real stand-in and a real database."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import event
from sqlmodel import Session, select

from bot.console.standin import SlackStandIn
from bot.delivery import MAX_BACKOFF_SECONDS, Sender, Unreachable, enqueue
from bot.installations import StaticToken
from bot.views.message import Message, Upload
from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade
from storage.models import OutboxMessage, OutboxStatus

TOKEN = "xoxb-delivery"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def standin():
    with SlackStandIn() as running:
        yield running


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def unreachable():
    return []


@pytest.fixture
def sender(migrated_engine, standin, clock, unreachable):
    return _sender(migrated_engine, standin, clock, unreachable, "instance-a")


def _sender(engine, standin, clock, unreachable, name):
    return Sender(
        engine=engine,
        tokens=StaticToken(TOKEN),
        api_url=standin.api_url,
        instance_id=name,
        clock=clock,
        on_unreachable=unreachable.append,
    )


def _enqueue(engine, key, channel="C1", text="hello", **options):
    with unit_of_work(engine) as session:
        return enqueue(
            session,
            key=key,
            team_id="T1",
            channel_id=channel,
            message=Message(text=text),
            **options,
        )


def _row(engine, key) -> OutboxMessage:
    with Session(engine) as session:
        return session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()


def test_a_row_is_posted_once_and_its_ts_recorded(migrated_engine, standin, sender):
    assert _enqueue(migrated_engine, "k1")
    assert sender.deliver_due() == 1
    assert sender.deliver_due() == 0
    (post,) = standin.calls_to("chat.postMessage")
    row = _row(migrated_engine, "k1")
    assert (row.status, row.message_ts, row.posted_channel_id) == (
        "sent",
        post.response["ts"],
        "C1",
    )


def test_a_private_row_is_shown_to_its_user_alone_in_its_thread(migrated_engine, standin, sender):
    assert _enqueue(migrated_engine, "private", reply_to_ts="1700000000.000100", visible_to="U2")
    assert sender.deliver_due() == 1
    assert standin.calls_to("chat.postMessage") == []
    (shown,) = standin.calls_to("chat.postEphemeral")
    assert (shown.args["user"], shown.args["thread_ts"]) == ("U2", "1700000000.000100")
    row = _row(migrated_engine, "private")
    assert (row.status, row.message_ts) == (OutboxStatus.SENT, shown.response["message_ts"])


def test_the_same_key_is_written_once(migrated_engine, standin, sender):
    assert _enqueue(migrated_engine, "same")
    assert not _enqueue(migrated_engine, "same", text="again")
    sender.deliver_due()
    assert [call.args["text"] for call in standin.calls_to("chat.postMessage")] == ["hello"]


def test_two_senders_racing_post_each_row_once(migrated_engine, standin, clock, unreachable):
    for n in range(20):
        _enqueue(migrated_engine, f"race:{n}", channel=f"C{n}")
    senders = [_sender(migrated_engine, standin, clock, unreachable, f"i{n}") for n in range(2)]
    threads = [threading.Thread(target=s.deliver_due) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted = sorted(call.args["channel"] for call in standin.calls_to("chat.postMessage"))
    assert posted == sorted(f"C{n}" for n in range(20))


def test_a_rate_limit_waits_retry_after_then_posts(migrated_engine, standin, sender, clock):
    standin.rate_limit("chat.postMessage", retry_after=7)
    _enqueue(migrated_engine, "limited")
    _enqueue(migrated_engine, "same-channel-next")
    sender.deliver_due()
    assert _row(migrated_engine, "limited").status == OutboxStatus.PENDING
    # The channel is waiting: its next row is not tried either.
    assert len(standin.calls_to("chat.postMessage")) == 1
    clock.advance(6)
    assert sender.deliver_due() == 0
    clock.advance(2)
    assert sender.deliver_due() == 2
    assert _row(migrated_engine, "limited").status == OutboxStatus.SENT


def test_server_errors_are_retried_with_growing_backoff(migrated_engine, standin, sender, clock):
    standin.server_error("chat.postMessage", status=503, times=3)
    _enqueue(migrated_engine, "flaky")
    waits = []
    for _ in range(3):
        sender.deliver_due()
        row = _row(migrated_engine, "flaky")
        assert row.status == OutboxStatus.PENDING
        waits.append((row.next_attempt_at - clock()).total_seconds())
        clock.advance(waits[-1] + 0.01)
    assert waits[0] < waits[1] < waits[2]
    sender.deliver_due()
    assert _row(migrated_engine, "flaky").status == OutboxStatus.SENT


def test_not_in_a_public_channel_joins_it_and_posts(migrated_engine, standin, sender):
    standin.add_channel("CPUBLIC", "ward", is_member=False)
    _enqueue(migrated_engine, "join-first", channel="CPUBLIC")
    sender.deliver_due()
    sender.deliver_due()
    assert len(standin.calls_to("conversations.join")) == 1
    assert _row(migrated_engine, "join-first").status == OutboxStatus.SENT


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived"])
def test_a_lost_channel_keeps_the_row_as_failed_and_reports_it(
    migrated_engine, standin, sender, unreachable, error
):
    standin.fail("chat.postMessage", error)
    _enqueue(migrated_engine, "lost", channel="CGONE")
    sender.deliver_due()
    row = _row(migrated_engine, "lost")
    assert (row.status, row.last_error) == (OutboxStatus.FAILED, error)
    assert unreachable == [Unreachable("T1", "CGONE", error)]


def test_a_revoked_token_fails_the_row_and_logs_it(migrated_engine, standin, sender, caplog):
    standin.revoke(TOKEN, error="token_revoked")
    _enqueue(migrated_engine, "revoked")
    sender.deliver_due()
    assert _row(migrated_engine, "revoked").status == OutboxStatus.FAILED
    assert "refused our token (token_revoked)" in caplog.text


def test_a_thread_reply_waits_for_its_parent(migrated_engine, standin, sender, clock):
    _enqueue(migrated_engine, "reply", thread_key="parent")
    sender.deliver_due()
    assert standin.calls_to("chat.postMessage") == []
    _enqueue(migrated_engine, "parent")
    sender.deliver_due()
    clock.advance(1)
    sender.deliver_due()
    parent, reply = standin.calls_to("chat.postMessage")
    assert reply.args["thread_ts"] == parent.response["ts"]


def test_a_direct_message_opens_the_conversation_first(migrated_engine, standin, sender):
    _enqueue(migrated_engine, "dm", channel="UOWNER")
    sender.deliver_due()
    assert standin.calls_to("conversations.open")[0].args["users"] == "UOWNER"
    assert standin.calls_to("chat.postMessage")[0].args["channel"].startswith("D")


def test_a_sender_that_died_mid_post_is_taken_over_after_its_lease(
    migrated_engine, standin, sender, clock
):
    _enqueue(migrated_engine, "orphan")
    with unit_of_work(migrated_engine) as session:
        row = session.exec(select(OutboxMessage)).one()
        row.claimed_by, row.claimed_until = "dead-instance", clock() + timedelta(seconds=60)
    assert sender.deliver_due() == 0
    clock.advance(61)
    assert sender.deliver_due() == 1
    assert _row(migrated_engine, "orphan").status == OutboxStatus.SENT


def test_a_file_is_shared_once_in_a_direct_message(migrated_engine, standin, sender):
    upload = Upload(
        filename="plan.csv",
        title="The plan",
        content=b"stage,status\n1,done\n",
        comment="Your export",
    )
    with unit_of_work(migrated_engine) as session:
        assert enqueue(session, key="export:1", team_id="T1", channel_id="ULEAD", message=upload)
    sender.deliver_due()
    sender.deliver_due()
    (shared,) = standin.files.values()
    assert shared["content"] == b"stage,status\n1,done\n"
    assert shared["channel_id"].startswith("D")
    assert shared["initial_comment"] == "Your export"
    assert _row(migrated_engine, "export:1").status == OutboxStatus.SENT


def _abandon(engine, key, clock):
    """Leave the row as a sender that died mid-post leaves it: claimed, lease run out."""
    with unit_of_work(engine) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        row.claimed_by, row.claimed_until = "dead-instance", clock() - timedelta(seconds=1)
        row.attempts = 1


def test_a_post_that_reached_slack_before_its_sender_died_is_not_posted_again(
    migrated_engine, standin, sender, clock
):
    _enqueue(migrated_engine, "celebrate:stage:7:1", channel="C1")
    row = _row(migrated_engine, "celebrate:stage:7:1")
    # The dead sender's post: Slack has it, with the key in its metadata.
    posted = WebClient(token=TOKEN, base_url=standin.api_url).chat_postMessage(
        channel="C1",
        text="hello",
        metadata={"event_type": "changebot_outbox", "event_payload": {"key": row.key}},
    )
    _abandon(migrated_engine, row.key, clock)
    sender.deliver_due()
    assert len(standin.calls_to("chat.postMessage")) == 1
    recorded = _row(migrated_engine, row.key)
    assert (recorded.status, recorded.message_ts) == (OutboxStatus.SENT, posted["ts"])


def test_a_post_that_never_reached_slack_is_posted_once_by_the_next_sender(
    migrated_engine, standin, sender, clock
):
    _enqueue(migrated_engine, "lost-in-flight", channel="C1")
    _abandon(migrated_engine, "lost-in-flight", clock)
    sender.deliver_due()
    (post,) = standin.calls_to("chat.postMessage")
    assert post.args["metadata"]["event_payload"]["key"] == "lost-in-flight"
    assert _row(migrated_engine, "lost-in-flight").status == OutboxStatus.SENT


def test_a_refused_token_is_reported_once_per_failing_row(migrated_engine, standin, sender):
    refused = []
    sender.on_refused = lambda team, error: refused.append((team, error))
    standin.revoke(TOKEN)
    _enqueue(migrated_engine, "a")
    sender.deliver_due()
    assert refused == [("T1", "invalid_auth")]


def test_a_rate_limit_in_a_quiet_channel_holds_back_the_whole_workspace(
    migrated_engine, standin, sender, clock
):
    standin.rate_limit("chat.postMessage", retry_after=2, channel="CQUIET")
    _enqueue(migrated_engine, "quiet", channel="CQUIET")
    _enqueue(migrated_engine, "other:1", channel="COTHER", text="other 1")
    _enqueue(migrated_engine, "other:2", channel="COTHER", text="other 2")
    sender.deliver_due()
    # CQUIET had not posted for a while: the 429 was the workspace's, so after the round
    # it was in (CQUIET and COTHER side by side), COTHER's next post waits too.
    posted = [c.args.get("text") for c in standin.calls_to("chat.postMessage") if c.ok]
    assert posted == ["other 1"]
    clock.advance(2.1)
    assert sender.deliver_due() == 2


def test_each_channel_keeps_its_order_while_channels_post_side_by_side(
    migrated_engine, standin, sender
):
    for n in range(6):
        for channel in ("CA", "CB", "CC"):
            _enqueue(migrated_engine, f"{channel}:{n}", channel=channel, text=f"{channel} {n}")
    assert sender.deliver_due() == 18
    for channel in ("CA", "CB", "CC"):
        texts = [
            c.args["text"]
            for c in standin.calls_to("chat.postMessage")
            if c.args["channel"] == channel
        ]
        assert texts == [f"{channel} {n}" for n in range(6)]


def test_a_reply_to_a_post_that_failed_for_good_fails_too_instead_of_waiting_forever(
    migrated_engine, standin, sender, clock
):
    standin.fail("chat.postMessage", "channel_not_found", channel="CGONE")
    _enqueue(migrated_engine, "parent", channel="CGONE")
    _enqueue(migrated_engine, "reply", channel="CGONE", thread_key="parent")
    sender.deliver_due()
    clock.advance(1)
    sender.deliver_due()
    reply = _row(migrated_engine, "reply")
    assert (reply.status, reply.last_error) == (OutboxStatus.FAILED, "parent_failed")


def test_an_update_held_back_by_a_failure_never_overwrites_a_later_one(
    migrated_engine, standin, sender, clock
):
    """A card is acknowledged, then resolved; the first update hits a server error and the
    second goes first: the card must end up saying what was written last."""
    _enqueue(migrated_engine, "card", text="open")
    sender.deliver_due()
    standin.server_error("chat.update", times=1)
    _enqueue(migrated_engine, "card:acknowledged", text="acknowledged", update_key="card")
    sender.deliver_due()
    _enqueue(migrated_engine, "card:resolved", text="resolved", update_key="card")
    sender.deliver_due()
    clock.advance(MAX_BACKOFF_SECONDS)
    sender.deliver_due()
    (card,) = standin.messages("C1")
    assert card["text"] == "resolved"
    assert [call.args["text"] for call in standin.calls_to("chat.update") if call.ok] == [
        "resolved"
    ]
    assert _row(migrated_engine, "card:acknowledged").status == OutboxStatus.SENT


def test_a_database_that_is_down_is_one_traceback_and_fewer_tries_until_it_is_back(
    tmp_path, standin, caplog
):
    folder = tmp_path / "mounted-later"
    url = f"sqlite:///{folder / 'changebot.db'}"
    engine = make_engine(url)
    sender = Sender(
        engine=engine,
        tokens=StaticToken(TOKEN),
        api_url=standin.api_url,
        instance_id="instance-a",
        poll_interval=0.01,
    )
    caplog.set_level(logging.INFO, logger="bot.delivery")
    tries: list[None] = []
    event.listen(engine, "do_connect", lambda *_: tries.append(None))
    sender.start()
    try:
        time.sleep(0.6)  # sixty passes at the poll interval; the backoff makes it six
        assert len(tries) < 10
        folder.mkdir()
        upgrade(url)
        _enqueue(engine, "after-the-outage")
        sender.wake()
        standin.wait_for("chat.postMessage")
    finally:
        sender.stop()
        engine.dispose()
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [bool(record.exc_info) for record in errors] == [True]
    assert "the outbox pass works again, after" in caplog.text
