"""Service users outside Slack, in the services: links, page answers, rate limits, and
"You said, we did", against a real migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.services import (
    checkins,
    feedback,
    feedback_links,
    momentum,
    page_answers,
    rate_limits,
    site_keys,
    stages,
    you_said,
)
from bot.services.erasure import forget_person
from bot.services.feedback_links import LinkChange
from bot.services.page_answers import AnswerProblems, PageAnswer
from bot.services.partners import set_role
from storage.models import (
    CheckinRun,
    Experience,
    Feedback,
    FeedbackLink,
    LinkState,
    PageHit,
    PageSource,
    Role,
    Schedule,
    ScheduleKind,
    YouSaidWeDid,
)

from .conftest import LEAD

STAFF = "USTAFF"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _link(session, project, stage_number=None):
    return feedback_links.share_link(
        session=session, project=project, by=LEAD, stage_number=stage_number
    )


def _public(session, token):
    found = feedback_links.find_link(session=session, token=token)
    assert found is not None
    return found


def _answer(session, project, **said):
    link = _public(session, _link(session, project).link.token)
    return page_answers.take_answer(session=session, link=link, answer=PageAnswer(**said))


# -- links ---------------------------------------------------------------------------------


def test_a_lead_gets_one_link_per_project_and_the_same_link_when_asking_again(session, project):
    first = _link(session, project)
    again = _link(session, project)
    assert first.change == LinkChange.MADE
    assert again.change == LinkChange.UNCHANGED
    assert again.link.token == first.link.token
    assert len(first.link.token) >= 22  # 128 random bits
    found = _public(session, first.link.token)
    assert (found.project.id, found.stage, found.open) == (project.id, None, True)


def test_a_stage_has_a_link_of_its_own(session, project):
    stages.add_stage(session=session, project=project, by=LEAD, title="Quiet hours")
    whole, stage = _link(session, project), _link(session, project, stage_number=1)
    assert whole.link.token != stage.link.token
    assert _public(session, stage.link.token).stage.title == "Quiet hours"
    with pytest.raises(NotFound):
        _link(session, project, stage_number=2)


def test_only_a_lead_hands_out_replaces_or_closes_the_link(session, project):
    set_role(session=session, project=project, by=LEAD, user_id=STAFF, role=Role.STAFF)
    for change in (
        feedback_links.share_link,
        feedback_links.replace_link,
        feedback_links.close_link,
    ):
        with pytest.raises(NotAllowed, match="Only a project lead"):
            change(session=session, project=project, by=STAFF)
    assert session.exec(select(FeedbackLink)).all() == []


def test_replacing_a_link_leaves_the_old_token_saying_so(session, project):
    old = _link(session, project).link.token
    new = feedback_links.replace_link(session=session, project=project, by=LEAD)
    assert new.change == LinkChange.REPLACED
    assert new.link.token != old
    assert _public(session, old).link.state == LinkState.REPLACED
    assert _public(session, new.link.token).open


def test_a_closed_link_keeps_its_token_and_opens_again_when_asked(session, project):
    token = _link(session, project).link.token
    assert feedback_links.open_token(session=session, project=project) == token
    closed = feedback_links.close_link(session=session, project=project, by=LEAD)
    assert feedback_links.open_token(session=session, project=project) is None
    assert closed is not None
    assert not _public(session, token).open
    reopened = _link(session, project)
    assert (reopened.change, reopened.link.token) == (LinkChange.REOPENED, token)
    assert _public(session, token).open


def test_closing_when_there_is_no_link_closes_nothing(session, project):
    assert feedback_links.close_link(session=session, project=project, by=LEAD) is None


@pytest.mark.parametrize("token", ["", "nope", "x" * 65, "../etc"])
def test_a_token_never_handed_out_finds_nothing(session, project, token):
    _link(session, project)
    assert feedback_links.find_link(session=session, token=token) is None


def test_the_public_token_is_the_projects_own_link_before_a_stages(session, project):
    assert feedback_links.public_token(session=session, project=project) is None
    stages.add_stage(session=session, project=project, by=LEAD, title="Quiet hours")
    stage = _link(session, project, stage_number=1).link.token
    assert feedback_links.public_token(session=session, project=project) == stage
    whole = _link(session, project).link.token
    assert feedback_links.public_token(session=session, project=project) == whole


# -- page answers ----------------------------------------------------------------------------


def test_an_answer_becomes_anonymous_feedback_with_its_source_and_rating(session, project):
    given = _answer(
        session,
        project,
        experience="very-good",
        good="  Kind nurses  ",
        better="Parking",
        source="carer",
    )
    stored = session.get(Feedback, given.feedback.id)
    assert stored.author_id is None
    assert (stored.rating, stored.experience, stored.source_role) == (
        5,
        Experience.VERY_GOOD,
        PageSource.CARER,
    )
    assert stored.text == "What was good: Kind nurses\n\nWhat could be better: Parking"
    assert stored.link_id is not None


def test_dont_know_is_an_answer_without_a_rating_and_no_description_is_not_said(session, project):
    stored = _answer(session, project, experience="dont-know").feedback
    assert (stored.rating, stored.text, stored.source_role) == (None, "", PageSource.NOT_SAID)


def test_a_stage_links_answer_is_about_that_stage(session, project):
    stage = stages.add_stage(session=session, project=project, by=LEAD, title="Quiet hours")
    link = _public(session, _link(session, project, stage_number=1).link.token)
    given = page_answers.take_answer(session=session, link=link, answer=PageAnswer(good="Calm"))
    assert given.feedback.stage_id == stage.id
    assert given.stage.title == "Quiet hours"


@pytest.mark.parametrize(
    "answer", [PageAnswer(), PageAnswer(good="   ", better="\r\n\t"), PageAnswer(source="carer")]
)
def test_nothing_answered_is_refused_and_nothing_is_stored(session, project, answer):
    with pytest.raises(AnswerProblems) as refused:
        _answer(session, project, **answer.__dict__)
    assert list(refused.value.problems) == ["experience"]
    assert "at least one question" in refused.value.problems["experience"]
    assert session.exec(select(Feedback)).all() == []


def test_line_endings_count_as_one_character_and_2000_is_the_most(session, project):
    exactly = "a\r\n" * 999 + "bb"  # 999 * 2 + 2 = 2,000 characters as the person sees them
    assert page_answers.answer_length(exactly) == 2000
    stored = _answer(session, project, good=exactly).feedback
    assert "\r" not in stored.text
    with pytest.raises(AnswerProblems) as refused:
        _answer(session, project, good=exactly, better="c" * 2001)
    assert refused.value.problems == {
        "better": "Your answer to “What could be better?” must be 2,000 characters or fewer:"
        " it has 2,001."
    }


def test_every_problem_is_found_at_once_in_the_pages_order(session, project):
    with pytest.raises(AnswerProblems) as refused:
        _answer(
            session, project, source="robot", better="x" * 2001, good="y" * 2001, experience="meh"
        )
    assert list(refused.value.problems) == ["experience", "good", "better", "source"]


def test_a_closed_link_takes_no_answer(session, project):
    token = _link(session, project).link.token
    feedback_links.close_link(session=session, project=project, by=LEAD)
    link = _public(session, token)
    with pytest.raises(NotAllowed):
        page_answers.take_answer(session=session, link=link, answer=PageAnswer(good="Hi"))


def test_a_page_answer_shows_its_description_even_in_a_small_project(session, project):
    page = _answer(session, project, good="Hi", source="service-user").feedback
    typed = feedback.give_feedback(
        session=session, project=project, by=LEAD, text="Hi", anonymous=True
    ).feedback
    assert feedback.feedback_side(page, shown=set()) == "service-user"
    assert feedback.feedback_side(typed, shown=set()) == "not shown, to keep it anonymous"


# -- rate limits -----------------------------------------------------------------------------


def _admit(session, address, link_id, now):
    key = site_keys.site_key(session=session, name="addresses")
    buckets = {
        rate_limits.address_bucket(address, key=key): rate_limits.PER_ADDRESS,
        rate_limits.link_bucket(link_id): rate_limits.PER_LINK,
    }
    return rate_limits.admit(session=session, buckets=buckets, now=now)


def test_ten_posts_a_minute_from_one_address_and_the_eleventh_is_refused(session):
    seconds = [NOW + timedelta(seconds=5 * n) for n in range(11)]
    admitted = [_admit(session, "203.0.113.9", 1, at) for at in seconds]
    assert admitted == [True] * 10 + [False]
    assert _admit(session, "203.0.113.10", 1, seconds[-1])  # another address is not held up
    # The window rolls, and refused posts count too: a minute after the first, ten are still
    # in it; a minute after the last, none is.
    assert not _admit(session, "203.0.113.9", 1, NOW + timedelta(seconds=61))
    assert _admit(session, "203.0.113.9", 1, NOW + timedelta(seconds=122))


def test_three_hundred_posts_an_hour_on_one_link(session):
    at = [NOW + timedelta(seconds=10 * n) for n in range(301)]
    admitted = [_admit(session, f"198.51.100.{n % 250}-{n}", 7, when) for n, when in enumerate(at)]
    assert admitted == [True] * 300 + [False]
    assert _admit(session, "192.0.2.1", 8, at[-1])  # another link is not held up
    assert not _admit(session, "192.0.2.1", 7, NOW + timedelta(hours=1, seconds=1))
    assert _admit(session, "192.0.2.1", 7, at[-1] + timedelta(hours=1, seconds=1))


def test_the_limiter_keeps_no_address_and_forgets_hits_it_no_longer_counts(session):
    _admit(session, "203.0.113.9", 1, NOW)
    buckets = [hit.bucket for hit in session.exec(select(PageHit))]
    assert len(buckets) == 2
    assert not any("203.0.113.9" in bucket for bucket in buckets)
    _admit(session, "192.0.2.1", 2, NOW + timedelta(hours=2))
    assert {hit.at for hit in session.exec(select(PageHit))} == {NOW + timedelta(hours=2)}


def test_a_quiet_links_last_sender_is_forgotten_within_minutes_not_at_the_next_post(session):
    _admit(session, "203.0.113.9", 1, NOW)
    assert rate_limits.forget_expired(session=session, now=NOW + timedelta(seconds=30)) == 0
    assert rate_limits.forget_expired(session=session, now=NOW + timedelta(seconds=61)) == 1
    buckets = [hit.bucket for hit in session.exec(select(PageHit))]
    assert buckets == [rate_limits.link_bucket(1)]  # the link's count lasts its hour


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"),  # one host's /64
        ("203.0.113.9", "::ffff:203.0.113.9"),  # IPv4, and IPv4 written the IPv6 way
    ],
)
def test_one_sender_is_one_bucket_whichever_of_its_addresses_it_uses(session, first, second):
    key = site_keys.site_key(session=session, name="addresses")
    assert rate_limits.address_bucket(first, key=key) == rate_limits.address_bucket(second, key=key)
    other = rate_limits.address_bucket("2001:db8:1:3::1", key=key)
    assert other != rate_limits.address_bucket("2001:db8:1:2::1", key=key)


def test_control_characters_are_not_kept_and_do_not_count(session, project):
    stored = _answer(
        session, project, good="Kind\x00 staff\x07", better="x" * 1999 + "\x00\x00"
    ).feedback
    assert stored.text == "What was good: Kind staff\n\nWhat could be better: " + "x" * 1999


def test_a_site_key_is_made_once_and_read_back(session):
    key = site_keys.site_key(session=session, name="forms")
    assert len(key) == 32
    assert site_keys.site_key(session=session, name="forms") == key
    assert site_keys.site_key(session=session, name="addresses") != key


# -- you said, we did ------------------------------------------------------------------------


def _publish(session, project, feedback_id, *, at=NOW, you="You said it", we="We did it"):
    return you_said.publish(
        session=session,
        project=project,
        by=LEAD,
        feedback_id=feedback_id,
        you_said=you,
        we_did=we,
        now=at,
    )


def test_a_lead_sees_the_twenty_most_recent_pieces_of_feedback_newest_first(session, project):
    for n in range(22):
        session.add(
            Feedback(
                project_id=project.id,
                source_role="staff",
                author_id=LEAD,
                text=f"Feedback {n}",
                created_at=NOW + timedelta(minutes=n),
            )
        )
    session.flush()
    recent = you_said.recent_feedback(session=session, project=project, by=LEAD)
    assert [item.feedback.text for item in recent] == [f"Feedback {n}" for n in range(21, 1, -1)]
    set_role(session=session, project=project, by=LEAD, user_id=STAFF, role=Role.STAFF)
    with pytest.raises(NotAllowed):
        you_said.recent_feedback(session=session, project=project, by=STAFF)


def test_publishing_answers_feedback_on_the_page_and_again_edits_it(session, project):
    first = _answer(session, project, good="Kind").feedback
    second = _answer(session, project, better="Parking").feedback
    assert you_said.waiting_for_response(session=session, project=project) == 2
    _publish(session, project, first.id, you="Staff were kind", we="We told them")
    _publish(session, project, second.id, at=NOW + timedelta(days=1), we="More spaces")
    pairs = you_said.published_pairs(session=session, project=project)
    assert [pair.we_did for pair in pairs] == ["More spaces", "We told them"]
    assert you_said.waiting_for_response(session=session, project=project) == 0
    _publish(session, project, first.id, at=NOW + timedelta(days=2), we="We thanked them")
    assert [p.we_did for p in you_said.published_pairs(session=session, project=project)] == [
        "We thanked them",
        "More spaces",
    ]
    assert len(session.exec(select(YouSaidWeDid)).all()) == 2


def test_a_withdrawn_answer_leaves_the_page_and_the_answer_waits_again(session, project):
    answered = _answer(session, project, good="Kind").feedback
    _publish(session, project, answered.id)
    you_said.withdraw(session=session, project=project, by=LEAD, feedback_id=answered.id, now=NOW)
    assert you_said.published_pairs(session=session, project=project) == []
    assert you_said.waiting_for_response(session=session, project=project) == 1
    with pytest.raises(NotFound):
        you_said.withdraw(
            session=session, project=project, by=LEAD, feedback_id=answered.id, now=NOW
        )


@pytest.mark.parametrize(("you", "we", "field"), [("  ", "x", "you_said"), ("x", "", "we_did")])
def test_both_halves_are_needed(session, project, you, we, field):
    answered = _answer(session, project, good="Kind").feedback
    with pytest.raises(InvalidInput) as refused:
        _publish(session, project, answered.id, you=you, we=we)
    assert refused.value.field == f"you_said_we_did.{field}"


def test_only_a_lead_answers_and_only_this_projects_feedback(session, project):
    answered = _answer(session, project, good="Kind").feedback
    set_role(session=session, project=project, by=LEAD, user_id=STAFF, role=Role.STAFF)
    with pytest.raises(NotAllowed):
        you_said.answerable(session=session, project=project, by=STAFF, feedback_id=answered.id)
    with pytest.raises(NotFound):
        you_said.answerable(session=session, project=project, by=LEAD, feedback_id=answered.id + 9)


def test_forgetting_the_lead_keeps_the_answer_and_the_link(session, project):
    answered = _answer(session, project, good="Kind").feedback
    _publish(session, project, answered.id)
    erased = forget_person(session=session, user_id=LEAD)
    assert (erased.you_said_we_did, erased.feedback_links) == (1, 1)
    assert you_said.published_pairs(session=session, project=project)[0].published_by != LEAD


# -- the digest and the check-in follow-up ---------------------------------------------------


def test_the_digest_lists_what_was_answered_since_and_what_still_waits(session, project):
    old = _answer(session, project, good="Kind").feedback
    _answer(session, project, better="Parking")
    _publish(session, project, old.id, at=NOW - timedelta(days=8), we="Old answer")
    newer = _answer(session, project, good="Tea").feedback
    _publish(session, project, newer.id, at=NOW - timedelta(days=1), we="More tea")
    digest = momentum.digest_of(
        session=session, project=project, since=NOW - timedelta(days=7), now=NOW
    )
    assert [pair.we_did for pair in digest.answered] == ["More tea"]
    assert digest.waiting_for_response == 1


def _checkin_run(session, project, run_at):
    schedule = Schedule(
        project_id=project.id, kind=ScheduleKind.CHECKIN, spec="weekly mon 10:00", created_by=LEAD
    )
    session.add(schedule)
    session.flush()
    run = CheckinRun(schedule_id=schedule.id, run_at=run_at, title="Check-in")
    session.add(run)
    session.flush()
    return run


@pytest.mark.parametrize(
    ("source", "heard"), [("service-user", True), ("carer", True), ("", True), ("staff", False)]
)
def test_a_page_answer_since_the_run_is_the_service_users_voice(session, project, source, heard):
    run = _checkin_run(session, project, NOW - timedelta(days=1))
    answered = _answer(session, project, good="Kind", source=source).feedback
    answered.created_at = NOW - timedelta(hours=2)
    session.add(answered)
    missing = checkins.missing_voices(session=session, run=run, project=project, now=NOW)
    assert (Role.SERVICE_USER not in missing) is heard


def test_a_page_answer_before_the_run_does_not_count_for_it(session, project):
    answered = _answer(session, project, good="Kind", source="service-user").feedback
    answered.created_at = NOW - timedelta(days=3)
    session.add(answered)
    run = _checkin_run(session, project, NOW - timedelta(days=1))
    missing = checkins.missing_voices(session=session, run=run, project=project, now=NOW)
    assert Role.SERVICE_USER in missing
