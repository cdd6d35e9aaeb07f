"""How a person is shown (a mention for a Slack user, plain words for a forgotten one), and
what a shared file carries."""

import json

import pytest

from bot.services.feedback import Given
from bot.views.feedback import feedback_post
from bot.views.message import Upload, mention
from storage.models import Feedback, Project


def test_a_slack_user_is_mentioned_and_no_one_is_nobody():
    assert (mention("U012AB3CD"), mention(None)) == ("<@U012AB3CD>", "nobody")


@pytest.mark.parametrize("former", ["former-partner", "former-partner-42"])
def test_a_former_partner_renders_as_a_former_partner_never_as_an_id(former):
    assert mention(former) == "a former partner"


def test_feedback_from_a_former_partner_says_so_in_the_channel():
    feedback = Feedback(
        id=5, project_id=1, source_role="union", author_id="former-partner", text="Fairer"
    )
    project = Project(team_id="T1", channel_id="C1", name="new-ward")
    post = feedback_post(Given(project, feedback, None), side="union")
    assert "from a former partner, union view" in post.text
    assert "former-partner" not in json.dumps(post.blocks)


def test_an_image_description_is_cut_to_what_slack_takes_and_a_file_without_one_sends_none():
    described = Upload("chart.png", "Chart", b"png", alt_text="A chart " * 200).payload()
    assert len(described["file"]["alt_txt"]) == 1000
    assert described["file"]["alt_txt"].endswith("…")
    assert "alt_txt" not in Upload("measures.csv", "measures.csv", b"a,b").payload()["file"]
