"""Service users' feedback from Slack's side, end to end: `/feedback link` with its QR code
and poster, `/feedback list`, and "We did something about this" to the published answer."""

from __future__ import annotations

import io
import json
import re

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session, select

from bot.console.form import fields, state_values
from bot.services import feedback_links, page_answers
from bot.services.page_answers import PageAnswer
from bot.views.feedback import ANSWER_FEEDBACK
from bot.views.you_said import WITHDRAW_ANSWER, YOU_SAID
from storage.models import FeedbackLink, LinkState, Project, YouSaidWeDid

from .conftest import CHANNEL, PARTNER, Workspace, wait_until
from .public_pages import Visitor

LINK = re.compile(r"http://localhost:3000/f/([A-Za-z0-9_-]{22})")


def _link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(0)


def _dm_files(workspace: Workspace, count: int) -> list[dict]:
    def shared() -> list[dict]:
        return [
            f for f in workspace.standin.files.values() if (f["channel_id"] or "").startswith("D")
        ]

    wait_until(lambda: len(shared()) >= count, what=f"{count} files sent to the lead")
    return shared()


def _share_feedback_in_channel(workspace: Workspace) -> None:
    with Session(workspace.runtime.engine) as session:
        project = session.exec(select(Project)).one()
        project.post_feedback_in_channel = True
        session.add(project)
        session.commit()


def _page_answer(workspace: Workspace, token: str, **said: str) -> None:
    with workspace.runtime.transaction() as session:
        link = feedback_links.find_link(session=session, token=token)
        assert link is not None
        page_answers.take_answer(session=session, link=link, answer=PageAnswer(**said))


def test_a_lead_gets_the_link_and_by_direct_message_its_qr_code_and_a_poster(workspace):
    reply = workspace.reply("/feedback", "link")
    assert reply.json()["response_type"] == "ephemeral"
    link = _link_in(reply.text)
    assert "This is a new link." in reply.text
    assert f"{link}/you-said-we-did" in reply.text
    poster, qr = sorted(_dm_files(workspace, 2), key=lambda f: f["filename"])
    assert qr["filename"].endswith("-qr.png")
    assert poster["filename"].endswith("-poster.pdf")
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr["content"])))
    assert decoded.text == link
    assert qr["alt_txt"] == f"A QR code that opens {link}, the feedback form on new-ward."
    text = PdfReader(io.BytesIO(poster["content"])).pages[0].extract_text()
    assert "new-ward" in text
    assert link.removeprefix("http://") in text
    assert "anonymous" in text
    # Asked again, the lead gets the same link (posters already up keep working).
    assert _link_in(workspace.reply("/feedback", "link").text) == link


def test_a_new_link_replaces_the_old_and_off_closes_it(workspace):
    old = _link_in(workspace.reply("/feedback", "link").text)
    replaced = workspace.reply("/feedback", "link new")
    new = _link_in(replaced.text)
    assert new != old
    assert "put up the new poster" in replaced.text
    closed = workspace.command("/feedback", "link off")
    assert "is closed" in closed.text
    assert new in closed.text
    with Session(workspace.runtime.engine) as session:
        states = [link.state for link in session.exec(select(FeedbackLink).order_by("id"))]
    assert states == [LinkState.REPLACED, LinkState.CLOSED]
    reopened = workspace.reply("/feedback", "link")
    assert _link_in(reopened.text) == new
    assert "open again" in reopened.text


def test_a_stage_link_names_the_stage_and_a_partner_cannot_have_one(workspace):
    workspace.stage("add Quiet hours at night")
    reply = workspace.reply("/feedback", "link #1")
    assert "stage 1 (Quiet hours at night)" in reply.text
    titles = sorted(f["title"] for f in _dm_files(workspace, 2))
    about = "feedback on “Quiet hours at night”, stage 1 of new-ward"
    assert titles == [f"Poster: {about}", f"QR code: {about}"]
    refused = workspace.command("/feedback", "link", user=PARTNER)
    assert "Only a project lead can hand out the feedback link" in refused.text
    missing = workspace.command("/feedback", "link #4")
    assert "There is no stage 4" in missing.text


def test_feedback_about_a_link_is_still_feedback(workspace):
    reply = workspace.command("/feedback", "link to the rota is broken")
    assert "your feedback on the project is recorded" in reply.text


def test_from_a_page_answer_in_the_channel_to_the_published_answer_and_back(workspace):
    token = _link_in(workspace.reply("/feedback", "link").text).rsplit("/", 1)[1]
    _share_feedback_in_channel(workspace)
    _page_answer(workspace, token, experience="poor", better="Nobody said where the lounge is")
    # Posting a page answer is the web page's work; here it is stored as the page stores it.
    workspace.command("/feedback", "Signs would help", user=PARTNER)
    (post,) = workspace.wait_for_posts(1)
    assert post.problems == []
    assert "We did something about this" in json.dumps(post.args["blocks"])

    listed = workspace.command("/feedback", "list")
    assert "Recent feedback: new-ward" in listed.text
    assert "from the feedback page: someone who preferred not to say who they are" in listed.text
    assert "overall: poor" in listed.text
    ephemeral = {"message_ts": "1700000000.000100", "blocks": listed.json()["blocks"]}
    page_answer_button = _buttons(ephemeral, ANSWER_FEEDBACK)[1]  # newest first: typed, page
    assert workspace.press(_with_only(ephemeral, page_answer_button), ANSWER_FEEDBACK).status == 200
    form = workspace.opened_view(1)
    (you_said_field, we_did_field) = [f for f in fields(form) if f.kind == "plain_text_input"]
    assert you_said_field.block_id == YOU_SAID
    assert "Nobody said where the lounge is" in json.dumps(form)
    answer = state_values(
        [
            (you_said_field, {"type": "plain_text_input", "value": "Finding the lounge is hard"}),
            (we_did_field, {"type": "plain_text_input", "value": "Signs from the lift"}),
        ]
    )
    published = workspace.submit(form, answer).json()
    assert published["response_action"] == "update"
    assert "/you-said-we-did" in json.dumps(published["view"])
    with Session(workspace.runtime.engine) as session:
        (pair,) = session.exec(select(YouSaidWeDid)).all()
    assert (pair.you_said, pair.we_did, pair.withdrawn_at) == (
        "Finding the lounge is hard",
        "Signs from the lift",
        None,
    )

    # The pair is on the public page the link's poster points to, as the lead wrote it.
    public = Visitor(workspace.url).get(f"/f/{token}/you-said-we-did")
    assert public.status == 200
    assert "Finding the lounge is hard" in public.body
    assert "Signs from the lift" in public.body
    assert "Nobody said where the lounge is" not in public.body

    relisted = workspace.command("/feedback", "list")
    assert "Edit what we did" in relisted.text
    shown = {"message_ts": "1700000000.000200", "blocks": relisted.json()["blocks"]}
    # The link's reply went by the response_url too if its drawing missed the ack.
    before = len(workspace.standin.calls_to("response_url"))
    assert workspace.press(shown, WITHDRAW_ANSWER).status == 200
    said = workspace.standin.wait_for("response_url", before + 1)[before]
    assert "Taken off “You said, we did”" in said.args["text"]
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(YouSaidWeDid)).one().withdrawn_at is not None
    assert (
        "Signs from the lift" not in Visitor(workspace.url).get(f"/f/{token}/you-said-we-did").body
    )


def test_only_a_lead_can_answer_feedback_publicly(workspace):
    workspace.stage("list")
    _share_feedback_in_channel(workspace)
    workspace.command("/feedback", "More chairs please", user=PARTNER)
    (post,) = workspace.wait_for_posts(1)
    (message,) = workspace.standin.messages(CHANNEL)
    assert workspace.press(message, ANSWER_FEEDBACK, user=PARTNER).status == 200
    (refused,) = workspace.standin.wait_for("response_url")
    assert "Only a project lead can answer feedback publicly" in refused.args["text"]
    assert workspace.standin.calls_to("views.open") == []
    assert post.ok


def test_the_list_is_for_leads_and_says_so_when_there_is_nothing(workspace):
    assert "No feedback yet" in workspace.command("/feedback", "list").text
    refused = workspace.command("/feedback", "list", user=PARTNER)
    assert "Only a project lead can see every piece of feedback" in refused.text


def _buttons(message: dict, action_id: str) -> list[dict]:
    found = []
    for block in message["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == action_id:
            found.append(accessory)
        found += [e for e in block.get("elements", []) if e.get("action_id") == action_id]
    return found


def _with_only(message: dict, button: dict) -> dict:
    """The message with one block holding `button`, so that pressing it presses that one."""
    return {**message, "blocks": [{"type": "actions", "block_id": "b", "elements": [button]}]}
