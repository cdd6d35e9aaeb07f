"""The public pages (SPEC §7) through the real app over HTTP: the form, its abuse cases, the
links' states, "You said, we did", the headers, and what reaches the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.console.standin import SlackStandIn
from bot.services.you_said import publish
from storage.models import Experience, PageSource, Project
from storage.types import utcnow

from .conftest import CHANNEL, LEAD, Workspace, app_settings, serving
from .public_pages import Visitor, close, feedback, link_path, replace, start_project

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}
ADDRESS = "203.0.113.77"


def served(database_url: str, standin: SlackStandIn):
    """The app believing one proxy in front of it, so a test can come from many addresses."""
    settings = app_settings(database_url, standin).model_copy(
        update={"changebot_trusted_proxies": 1}
    )
    return serving(database_url, standin, settings)


@pytest.fixture
def site(sqlite_url: str, standin: SlackStandIn) -> Iterator[Workspace]:
    with served(sqlite_url, standin) as running:
        start_project(running, shares_feedback=True)
        yield running


def _visitor(site: Workspace, address: str = ADDRESS) -> Visitor:
    return Visitor(site.url, address=address)


def _answers(token: str, **fields: str) -> dict[str, str]:
    return {"form_token": token, "website": "", **fields}


def test_a_sent_form_becomes_anonymous_feedback_and_reaches_the_channel_once(site):
    path = link_path(site)
    visitor = _visitor(site)
    form = visitor.get(path)
    assert form.status == 200
    assert form.title == "Feedback on new-ward"
    assert '<h1 class="heading">Feedback on new-ward</h1>' in form.body
    for asked in (
        "Overall, how was your experience of our service?",
        "Neither good nor poor",
        "Don&#39;t know",
        "What was good?",
        "What could be better?",
        "Which best describes you?",
        "A carer, family member or friend",
        "Prefer not to say",
        "anonymous",
    ):
        assert asked in form.body
    sent = visitor.post(
        path,
        _answers(
            form.form_token,
            experience="good",
            good="Kind nurses <b>always</b>",
            better="Shorter waits",
            source="carer",
        ),
    )
    assert sent.status == 303
    assert sent.headers["Location"].endswith(f"{path}/thank-you")
    thanks = visitor.get(f"{path}/thank-you")
    assert thanks.status == 200
    assert "You said, we did" in thanks.body
    (stored,) = feedback(site)
    assert (stored.author_id, stored.rating, stored.experience, stored.source_role) == (
        None,
        4,
        Experience.GOOD,
        PageSource.CARER,
    )
    assert stored.text == (
        "What was good: Kind nurses <b>always</b>\n\nWhat could be better: Shorter waits"
    )
    (post,) = site.wait_for_posts(1)
    site.settle()
    assert len(site.posts()) == 1
    assert post.args["text"] == (
        ":speech_balloon: Feedback on the project from the feedback page: "
        "a carer, family member or friend · overall: good"
    )


def test_an_answer_is_not_posted_when_the_project_keeps_feedback_out_of_the_channel(site):
    with site.runtime.transaction() as session:
        project = session.exec(select(Project).where(Project.channel_id == CHANNEL)).one()
        project.post_feedback_in_channel = False
        session.add(project)
    path = link_path(site)
    visitor = _visitor(site)
    sent = visitor.post(path, _answers(visitor.get(path).form_token, experience="very-poor"))
    assert sent.status == 303
    (stored,) = feedback(site)
    assert (stored.rating, stored.source_role) == (1, PageSource.NOT_SAID)
    site.settle()
    assert site.posts() == []


def test_every_page_says_which_address_is_not_kept_the_internet_one_not_the_home_one(site):
    path = link_path(site)
    visitor = _visitor(site)
    for page in (visitor.get(path), visitor.get(f"{path}/thank-you"), visitor.get("/f/nope")):
        assert "we do not keep your IP address or any details of your device" in page.body
        assert "keep your address" not in page.body


def test_a_stage_link_names_the_stage_and_its_answers_are_the_stages_feedback(site):
    path = link_path(site, stage_number=1)
    visitor = _visitor(site)
    form = visitor.get(path)
    heading = "Feedback on “Pilot the new rota”, stage 1 of new-ward"
    assert form.title == heading
    assert f'<h1 class="heading">{heading}</h1>' in form.body
    visitor.post(path, _answers(form.form_token, good="Clear"))
    (stored,) = feedback(site)
    assert stored.stage_id is not None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "experience", "Answer at least one question"),
        ({"good": "  \r\n  ", "better": "\t"}, "experience", "Answer at least one question"),
        # A zero-width space, a no-break space, a byte-order mark, a word joiner: still blank.
        (
            {"good": "\u200b\u00a0", "better": "\ufeff \u2060"},
            "experience",
            "Answer at least one question",
        ),
        ({"good": "a\r\n" * 1000 + "a"}, "good", "2,000 characters or fewer: it has 2,001"),
        ({"better": "x" * 2001}, "better", "2,000 characters or fewer: it has 2,001"),
        ({"experience": "brilliant"}, "experience", "Choose one of the answers"),
        ({"good": "Fine", "source": "manager"}, "source", "Choose one of the descriptions"),
    ],
)
def test_a_form_with_a_problem_comes_back_with_it_and_what_was_typed_and_stores_nothing(
    site, fields, field, message
):
    path = link_path(site)
    visitor = _visitor(site)
    page = visitor.post(path, _answers(visitor.get(path).form_token, **fields))
    assert page.status == 400
    assert page.title.startswith("Error: ")
    assert 'role="alert"' in page.body
    assert f'<a href="#{field}">' in page.body
    assert message in page.body
    assert f'id="{field}-error"' in page.body
    for name in ("good", "better"):
        assert f">\n{fields.get(name, '')}</textarea>" in page.body
    assert page.form_token
    assert feedback(site) == []


def test_an_answer_of_invisible_characters_is_left_out_of_the_feedback(site):
    path = link_path(site)
    visitor = _visitor(site)
    sent = visitor.post(
        path, _answers(visitor.get(path).form_token, good="\u200b \u200b", better="More chairs")
    )
    assert sent.status == 303
    (stored,) = feedback(site)
    assert stored.text == "What could be better: More chairs"


def test_exactly_two_thousand_characters_with_crlf_line_endings_are_taken(site):
    path = link_path(site)
    visitor = _visitor(site)
    text = "a\r\n" * 999 + "ab"  # 2,999 characters sent, 2,000 as the person sees them
    sent = visitor.post(path, _answers(visitor.get(path).form_token, good=text))
    assert sent.status == 303
    (stored,) = feedback(site)
    assert len(stored.text.removeprefix("What was good: ")) == 2000


def test_what_was_typed_is_kept_escaped_when_the_form_comes_back(site):
    path = link_path(site)
    visitor = _visitor(site)
    page = visitor.post(
        path, _answers(visitor.get(path).form_token, good="<script>x</script>", source="nobody")
    )
    assert page.status == 400
    assert "<script>" not in page.body
    assert "&lt;script&gt;x&lt;/script&gt;" in page.body


@pytest.mark.parametrize("token", ["", "1700000000.forged", "garbage"])
def test_a_form_without_its_real_anti_forgery_token_gets_400_and_stores_nothing(site, token):
    path = link_path(site)
    visitor = _visitor(site)
    fields = _answers(token, good="Lovely")
    if not token:
        del fields["form_token"]
    page = visitor.post(path, fields)
    assert page.status == 400
    assert "could not be sent" in page.body
    assert feedback(site) == []


def test_a_token_for_another_link_is_no_good_here(site):
    stage_path = link_path(site, stage_number=1)
    path = link_path(site)
    visitor = _visitor(site)
    page = visitor.post(path, _answers(visitor.get(stage_path).form_token, good="Lovely"))
    assert page.status == 400
    assert feedback(site) == []


def test_a_form_open_for_more_than_a_day_comes_back_as_typed_with_a_fresh_token(site):
    path = link_path(site)
    visitor = _visitor(site)
    old_token = visitor.get(path).form_token
    later = utcnow() + timedelta(days=1, minutes=1)
    site.runtime.clock = lambda: later
    page = visitor.post(path, _answers(old_token, good="Kind staff"))
    assert page.status == 400
    assert "open for more than a day" in page.body
    assert '<a href="#send">' in page.body
    assert "Kind staff" in page.body
    assert page.form_token != old_token
    assert feedback(site) == []
    again = visitor.post(path, _answers(page.form_token, good="Kind staff"))
    assert again.status == 303
    assert len(feedback(site)) == 1


def test_a_form_whose_robots_field_is_filled_gets_thanks_and_stores_nothing(site):
    path = link_path(site)
    visitor = _visitor(site)
    fields = _answers(visitor.get(path).form_token, good="Buy cheap watches")
    page = visitor.post(path, {**fields, "website": "http://spam.example"})
    assert page.status == 303
    assert page.headers["Location"].endswith("/thank-you")
    assert feedback(site) == []
    site.settle()
    assert site.posts() == []


def test_the_eleventh_post_in_a_minute_from_one_address_gets_429_until_the_minute_passes(site):
    path = link_path(site)
    now = utcnow()
    site.runtime.clock = lambda: now
    visitor = _visitor(site)
    token = visitor.get(path).form_token
    statuses = [visitor.post(path, {"website": ""}).status for _ in range(10)]
    assert statuses == [400] * 10
    refused = visitor.post(path, _answers(token, good="Fine"))
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "60"
    assert "Too many" in refused.body
    assert _visitor(site, "198.51.100.1").post(path, _answers(token, good="Other")).status == 303
    site.runtime.clock = lambda: now + timedelta(seconds=61)
    assert visitor.post(path, _answers(token, good="Fine")).status == 303
    assert [f.text for f in feedback(site)] == ["What was good: Other", "What was good: Fine"]


def test_posts_to_unknown_links_count_toward_the_address_limit(site):
    visitor = _visitor(site)
    for _ in range(10):
        assert visitor.post("/f/not-a-real-token", {}).status == 404
    assert visitor.post("/f/not-a-real-token", {}).status == 429


def test_the_three_hundred_and_first_post_in_an_hour_on_a_link_gets_429(site):
    path = link_path(site)
    now = utcnow()
    site.runtime.clock = lambda: now
    token = _visitor(site).get(path).form_token
    for number in range(300):
        address = f"10.0.{number // 10}.{number % 10}"
        assert _visitor(site, address).post(path, {}).status == 400
    refused = _visitor(site, "192.0.2.99").post(path, _answers(token, good="Fine"))
    assert refused.status == 429
    assert feedback(site) == []
    site.runtime.clock = lambda: now + timedelta(hours=1, seconds=1)
    assert _visitor(site, "192.0.2.99").post(path, _answers(token, good="Fine")).status == 303


def test_a_link_typed_with_a_slash_at_the_end_opens_its_page(site):
    path, visitor = link_path(site), _visitor(site)
    form = visitor.get(f"{path}/")
    assert form.status == 200
    assert "Tell the team what you think" in form.body
    assert visitor.get(f"{path}/you-said-we-did/").status == 200


def test_an_unknown_token_gets_404_on_every_page(site):
    visitor = _visitor(site)
    for path in ("/f/nope", "/f/nope/thank-you", "/f/nope/you-said-we-did", "/f/", "/f/a/b/c"):
        page = visitor.get(path)
        assert page.status == 404, path
        assert "Page not found" in page.body


def test_a_replaced_link_says_so_on_every_page_and_takes_nothing(site):
    old = link_path(site)
    visitor = _visitor(site)
    token = visitor.get(old).form_token
    new = replace(site)
    for path in (old, f"{old}/thank-you", f"{old}/you-said-we-did"):
        page = visitor.get(path)
        assert page.status == 410, path
        assert page.title == "This link has been replaced – new-ward"
        assert "Ask a member of staff for the new one" in page.body
    assert visitor.post(old, _answers(token, good="Late")).status == 410
    assert feedback(site) == []
    assert visitor.get(new).status == 200


def test_removing_a_stage_leaves_its_link_saying_it_has_been_replaced(site):
    path = link_path(site, stage_number=1)
    visitor = _visitor(site)
    assert visitor.get(path).status == 200
    question = site.stage("remove 1")
    message = {**question.json(), "message_ts": "1700000000.000100"}
    assert site.press(message, "remove_stage").status == 200
    (removed,) = site.standin.wait_for("response_url")
    assert "Removed Pilot the new rota" in removed.args["text"]
    page = visitor.get(path)
    assert page.status == 410
    assert "This link has been replaced" in page.body


def test_a_closed_link_takes_nothing_but_its_you_said_we_did_page_stays(site):
    path = link_path(site)
    visitor = _visitor(site)
    token = visitor.get(path).form_token
    close(site)
    page = visitor.get(path)
    assert page.status == 410
    assert page.title == "Feedback is closed – new-ward"
    assert visitor.post(path, _answers(token, good="Late")).status == 410
    assert feedback(site) == []
    assert visitor.get(f"{path}/you-said-we-did").status == 200


def test_you_said_we_did_lists_published_pairs_newest_first_with_their_dates(site):
    path = link_path(site)
    visitor = _visitor(site)
    empty = visitor.get(f"{path}/you-said-we-did")
    assert empty.status == 200
    assert "Nothing here yet" in empty.body
    for said in ("Long waits", "No chairs"):
        visitor.post(path, _answers(visitor.get(path).form_token, better=said))
    first, second = feedback(site)
    with site.runtime.transaction() as session:
        project = session.exec(select(Project).where(Project.channel_id == CHANNEL)).one()
        for item, we_did, day in (
            (first, "We added an evening clinic", "2026-11-30T23:30:00+00:00"),
            (second, "We bought <b>chairs</b>", "2026-12-01T09:00:00+00:00"),
        ):
            publish(
                session=session,
                project=project,
                by=LEAD,
                feedback_id=item.id,
                you_said=f"People said: {item.text}",
                we_did=we_did,
                now=datetime.fromisoformat(day),
            )
    page = visitor.get(f"{path}/you-said-we-did")
    assert page.status == 200
    assert "Nothing here yet" not in page.body
    newest = page.body.index("We bought &lt;b&gt;chairs&lt;/b&gt;")
    assert newest < page.body.index("evening clinic")
    assert "1 December 2026" in page.body
    # 23:30 on 30 November in London is still 30 November; the project's zone decides.
    assert "30 November 2026" in page.body


def test_every_page_has_the_security_headers_and_pages_are_not_cached(site):
    path = link_path(site)
    visitor = _visitor(site)
    pages = [
        visitor.get(path),
        visitor.post(path, {}),
        visitor.get(f"{path}/thank-you"),
        visitor.get(f"{path}/you-said-we-did"),
        visitor.get("/f/unknown"),
    ]
    for page in pages:
        for name, value in SECURITY_HEADERS.items():
            assert page.headers[name] == value
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<script" not in page.body
        assert "style=" not in page.body
        assert "<style" not in page.body
        assert "//" not in page.body.replace("<!DOCTYPE", "")
    sheet = visitor.get("/static/changebot.css")
    assert sheet.status == 200
    assert sheet.headers["Content-Type"].startswith("text/css")
    for name, value in SECURITY_HEADERS.items():
        assert sheet.headers[name] == value
    assert "url(" not in sheet.body


def test_no_log_line_holds_what_was_typed_the_address_or_the_token(site, caplog):
    # Every level of changebot's own loggers; the libraries at INFO, as `changebot run` holds them.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    path = link_path(site)
    token = path.removeprefix("/f/")
    visitor = _visitor(site)
    form_token = visitor.get(path).form_token
    visitor.post(path, _answers(form_token, good="Secret words of Mrs Jones"))
    visitor.post(path, _answers(form_token, good="x" * 2001 + "Mrs Jones"))
    visitor.post(path, _answers("forged", good="Mrs Jones again"))
    site.wait_for_posts(1)
    site.settle()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "page answer stored" in logged
    for secret in ("Mrs Jones", ADDRESS, token):
        assert secret not in logged


def test_the_stored_answer_holds_no_address_and_no_browser(site):
    path = link_path(site)
    visitor = _visitor(site)
    visitor.post(path, _answers(visitor.get(path).form_token, good="Fine"))
    with Session(site.runtime.engine) as session:
        tables = session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        dump = [
            str(row)
            for (table,) in tables
            for row in session.execute(text(f'SELECT * FROM "{table}"'))
        ]
    assert not any(ADDRESS in row for row in dump)


@pytest.mark.postgres
def test_the_address_limit_holds_across_two_instances_on_one_postgresql_database(
    postgres_url, standin
):
    with served(postgres_url, standin) as first, served(postgres_url, standin) as second:
        start_project(first)
        path = link_path(first)
        token = _visitor(first).get(path).form_token
        visitors = [_visitor(first), _visitor(second)] * 10

        def send(visitor: Visitor) -> int:
            return visitor.post(path, _answers(token, good="Fine")).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(send, visitors))
        assert sorted(statuses) == [303] * 10 + [429] * 10
        assert len(feedback(first)) == 10


def test_odd_input_gets_its_page_never_a_failure_on_either_database(database_url, standin):
    with served(database_url, standin) as running:
        start_project(running)
        path = link_path(running)
        visitor = _visitor(running)
        assert visitor.get("/f/%00abc").status == 404  # PostgreSQL refuses a NUL in text
        assert visitor.post("/f/%00", _answers("x")).status == 404
        token = visitor.get(path).form_token
        sent = visitor.post(path, _answers(token, good="Kind\x00 staff", better="\x07"))
        assert sent.status == 303
        (stored,) = feedback(running)
        assert stored.text == "What was good: Kind staff"
        too_long_in_chinese = visitor.post(path, _answers(token, good="好" * 3700))
        assert too_long_in_chinese.status == 400
        assert "must be 2,000 characters or fewer" in too_long_in_chinese.body
        assert "好" * 3700 in too_long_in_chinese.body  # what was typed is kept


def test_a_wrong_method_is_refused_saying_which_methods_there_are(site):
    refused = _visitor(site).request("PUT", link_path(site))
    assert refused.status == 405
    assert refused.title == "Sorry, there is a problem with the service"
    assert set(refused.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_answers_too_large_to_read_get_a_page_saying_how_long_they_may_be(site):
    path = link_path(site)
    visitor = _visitor(site)
    pasted = "A long story. " * 40_000  # past the bytes a form may have, so nothing is read
    refused = visitor.post(path, _answers(visitor.get(path).form_token, good=pasted))
    assert refused.status == 413
    assert refused.title == "Your answers are too long to send"
    assert "Each answer can be up to 2,000 characters." in refused.body
    assert "shorten your answers" in refused.body
    assert feedback(site) == []
