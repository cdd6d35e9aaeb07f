"""`/feedback` end to end: typed forms, the modal built from the view that was opened."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from storage.models import Feedback, Project

from .conftest import LEAD, PARTNER, Workspace


def _feedback(workspace: Workspace) -> list[Feedback]:
    with Session(workspace.runtime.engine) as session:
        return list(session.exec(select(Feedback).order_by(Feedback.id)))


def _open_form(workspace: Workspace, user: str) -> dict:
    reply = workspace.command("/feedback", "", user=user)
    assert reply.status == 200
    assert reply.body == ""
    (call,) = workspace.standin.wait_for("views.open")
    assert call.ok
    assert call.problems == []
    return workspace.standin.views[call.response["view"]["id"]]


def _options(view: dict, block_id: str) -> list[dict]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"]["options"]


def _submit(workspace: Workspace, user: str, view: dict, values: dict):
    request = workspace.requests.view_submission(user_id=user, view=view, values=values)
    return workspace.send(request)


def test_typed_feedback_on_the_project_and_on_a_stage_is_stored_and_acknowledged_privately(
    workspace,
):
    workspace.stage("add Pilot the rota")
    on_project = workspace.command("/feedback", "The rota is much fairer &amp; clearer")
    assert on_project.json()["response_type"] == "ephemeral"
    assert "your feedback on the project is recorded" in on_project.text
    assert "The rota is much fairer" not in on_project.text
    on_stage = workspace.command("/feedback", "#1 Night shifts still clash", user=PARTNER)
    assert "stage 1 (Pilot the rota)" in on_stage.text
    project_wide, on_one = _feedback(workspace)
    assert (project_wide.text, project_wide.stage_id, project_wide.author_id) == (
        "The rota is much fairer & clearer",
        None,
        LEAD,
    )
    # The first lead is of the management side (SPEC §2: the lead permission is not a side).
    assert (project_wide.source_role, on_one.source_role) == ("management", "staff")
    assert (on_one.text, on_one.author_id) == ("Night shifts still clash", PARTNER)
    assert on_one.stage_id is not None
    assert workspace.posts() == []


def test_feedback_on_a_stage_that_does_not_exist_is_refused_and_nothing_is_stored(workspace):
    workspace.stage("add Only stage")
    reply = workspace.command("/feedback", "#7 x")
    assert reply.json()["response_type"] == "ephemeral"
    assert "There is no stage 7" in reply.text
    assert _feedback(workspace) == []


def test_the_form_opens_with_no_text_and_its_anonymous_submission_stores_no_user_id(
    workspace, caplog
):
    workspace.stage("add Pilot the rota")
    view = _open_form(workspace, PARTNER)
    stages = _options(view, "stage")
    assert [o["text"]["text"] for o in stages] == ["The project as a whole", "1. Pilot the rota"]
    roles = [o["value"] for o in _options(view, "role")]
    assert "service-user" in roles
    values = {
        "stage": {"stage": {"type": "static_select", "selected_option": stages[1]}},
        "rating": {
            "rating": {"type": "static_select", "selected_option": _options(view, "rating")[3]}
        },
        "role": {"role": {"type": "static_select", "selected_option": {"value": "service-user"}}},
        "anonymous": {
            "anonymous": {"type": "checkboxes", "selected_options": _options(view, "anonymous")}
        },
        "text": {"text": {"type": "plain_text_input", "value": "I felt <!channel> listened to"}},
    }
    with caplog.at_level(logging.DEBUG, logger="bot"):
        answer = _submit(workspace, PARTNER, view, values)
    assert answer.status == 200
    assert answer.json()["response_action"] == "update"
    assert "without your name" in answer.body
    (stored,) = _feedback(workspace)
    assert stored.author_id is None
    assert (stored.rating, stored.source_role, stored.text) == (
        4,
        "service-user",
        "I felt <!channel> listened to",
    )
    assert PARTNER not in caplog.text


def test_the_form_defaults_to_the_whole_project_and_leaves_the_side_to_the_giver(workspace):
    workspace.command("/plan", f"role <@{PARTNER}|pat> union")
    view = _open_form(workspace, PARTNER)
    role = next(b for b in view["blocks"] if b.get("block_id") == "role")
    assert "initial_option" not in role["element"]
    union = next(o for o in role["element"]["options"] if o["value"] == "union")
    values = {
        "stage": {
            "stage": {"type": "static_select", "selected_option": _options(view, "stage")[0]}
        },
        "role": {"role": {"type": "static_select", "selected_option": union}},
        "text": {"text": {"type": "plain_text_input", "value": "Good start"}},
    }
    assert _submit(workspace, PARTNER, view, values).status == 200
    (stored,) = _feedback(workspace)
    assert (stored.stage_id, stored.rating, stored.author_id, stored.source_role) == (
        None,
        None,
        PARTNER,
        "union",
    )


def test_a_project_that_shares_feedback_posts_it_in_the_channel_without_an_anonymous_name(
    workspace,
):
    workspace.stage("add One")
    with Session(workspace.runtime.engine) as session:
        project = session.exec(select(Project)).one()
        project.post_feedback_in_channel = True
        session.add(project)
        session.commit()
    reply = workspace.command("/feedback", "Clear &amp; kind", user=PARTNER)
    assert "shared in the channel" in reply.text
    (post,) = workspace.wait_for_posts(1)
    assert "Clear &amp; kind" in str(post.args["blocks"])
    assert f"<@{PARTNER}>" in str(post.args["blocks"])
    assert post.problems == []
