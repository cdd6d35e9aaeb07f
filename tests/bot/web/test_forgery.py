"""The form's anti-forgery token: accepted for its own link while fresh, never for another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.web.forgery import Verdict, check, issue

KEY = b"k" * 32
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_token_is_good_for_its_link_for_a_day_then_expired():
    token = issue(key=KEY, link_token="abc", now=NOW)
    assert check(key=KEY, link_token="abc", token=token, now=NOW) is Verdict.VALID
    a_day = NOW + timedelta(days=1)
    assert check(key=KEY, link_token="abc", token=token, now=a_day) is Verdict.VALID
    later = a_day + timedelta(seconds=1)
    assert check(key=KEY, link_token="abc", token=token, now=later) is Verdict.EXPIRED


def test_a_token_for_another_link_another_key_or_made_up_is_forged():
    token = issue(key=KEY, link_token="abc", now=NOW)
    assert check(key=KEY, link_token="abd", token=token, now=NOW) is Verdict.FORGED
    assert check(key=b"x" * 32, link_token="abc", token=token, now=NOW) is Verdict.FORGED
    issued, _, signature = token.partition(".")
    moved = f"{int(issued) + 3600}.{signature}"
    assert check(key=KEY, link_token="abc", token=moved, now=NOW) is Verdict.FORGED
    for made_up in (
        "",
        ".",
        "abc",
        "1.",
        f"{'9' * 40}.{signature}",
        "-1.x",
        "1.é",
        f"{issued}.{signature[:-1]}é",
    ):
        assert check(key=KEY, link_token="abc", token=made_up, now=NOW) is Verdict.FORGED


def test_a_token_from_a_clock_a_little_ahead_is_accepted_but_not_one_far_ahead():
    ahead = issue(key=KEY, link_token="abc", now=NOW + timedelta(minutes=2))
    assert check(key=KEY, link_token="abc", token=ahead, now=NOW) is Verdict.VALID
    far = issue(key=KEY, link_token="abc", now=NOW + timedelta(hours=1))
    assert check(key=KEY, link_token="abc", token=far, now=NOW) is Verdict.FORGED
