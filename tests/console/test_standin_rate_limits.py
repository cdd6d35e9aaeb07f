"""The stand-in's opt-in posting limits: per channel and per workspace, answered like Slack.

A clock the tests move stands in for time, so nothing here sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.console.standin import SlackStandIn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def standin(clock: Clock) -> Iterator[SlackStandIn]:
    with SlackStandIn(clock=clock) as running:
        yield running


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    # No retry handlers: every 429 reaches the test as the app's client would first see it.
    return WebClient(base_url=standin.api_url, token="xoxb-test")


def post(client: WebClient, channel: str) -> int | str:
    """200, or what a refusal said (slack_sdk raises it as a SlackApiError)."""
    try:
        client.chat_postMessage(channel=channel, text="hello")
    except SlackApiError as error:
        answer = error.response
        return (
            f"{answer.status_code} {answer['error']}, Retry-After {answer.headers['retry-after']}"
        )
    return 200


def limited(retry_after: int) -> str:
    return f"429 ratelimited, Retry-After {retry_after}"


def test_without_enforcement_nothing_is_rate_limited(standin, client):
    assert [post(client, "C1") for _ in range(5)] == [200] * 5


def test_one_post_per_second_per_channel(standin, client, clock):
    standin.enforce_rate_limits(per_channel_per_second=1.0)

    assert post(client, "C1") == 200
    assert post(client, "C1") == limited(1)
    assert post(client, "C2") == 200  # another channel has its own limit
    clock.advance(0.5)
    assert post(client, "C1") == limited(1)  # Retry-After is whole seconds, at least 1
    clock.advance(0.5)
    assert post(client, "C1") == 200


def test_a_slow_limit_asks_for_a_longer_wait_rounded_up(standin, client, clock):
    standin.enforce_rate_limits(per_channel_per_second=0.25)

    assert post(client, "C1") == 200
    assert post(client, "C1") == limited(4)
    clock.advance(2.5)
    assert post(client, "C1") == limited(2)


def test_the_workspace_limit_allows_a_seconds_burst_then_its_rate(standin, client, clock):
    standin.enforce_rate_limits(per_channel_per_second=1.0, workspace_per_second=3.0)

    assert [post(client, f"C{n}") for n in range(4)] == [200, 200, 200, limited(1)]
    clock.advance(1 / 3)
    assert post(client, "C4") == 200
    assert post(client, "C5") == limited(1)


def test_refused_posts_are_recorded_as_failed_and_do_not_use_the_limit(standin, client, clock):
    standin.enforce_rate_limits(per_channel_per_second=1.0, workspace_per_second=2.0)

    assert post(client, "C1") == 200
    assert post(client, "C1") == limited(1)  # over C1's limit: not counted against the workspace
    assert post(client, "C2") == 200
    assert post(client, "C3") == limited(1)

    calls = standin.calls_to("chat.postMessage")
    assert [(call.status, call.error, call.ok) for call in calls] == [
        (200, None, True),
        (429, "ratelimited", False),
        (200, None, True),
        (429, "ratelimited", False),
    ]
    assert [m["text"] for m in standin.messages("C1")] == ["hello"]
    assert standin.messages("C3") == []


def test_only_chat_post_message_is_limited(standin, client):
    standin.enforce_rate_limits(per_channel_per_second=1.0, workspace_per_second=1.0)
    posted = client.chat_postMessage(channel="C1", text="first")

    client.chat_update(channel="C1", ts=posted["ts"], text="edited")
    client.chat_postEphemeral(channel="C1", user="U1", text="just you")

    assert all(call.ok for call in standin.calls if call.method != "auth.test")


def test_reset_and_a_new_enforcement_start_afresh(standin, client, clock):
    standin.enforce_rate_limits(per_channel_per_second=1.0)
    assert post(client, "C1") == 200
    assert post(client, "C1") == limited(1)

    standin.enforce_rate_limits(per_channel_per_second=1.0)
    assert post(client, "C1") == 200
    standin.reset()
    assert [post(client, "C1") for _ in range(3)] == [200] * 3


def test_limits_must_be_positive(standin):
    with pytest.raises(ValueError, match="positive"):
        standin.enforce_rate_limits(per_channel_per_second=0)
    with pytest.raises(ValueError, match="positive"):
        standin.enforce_rate_limits(workspace_per_second=-1)
