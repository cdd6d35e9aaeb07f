"""How the plan and its celebrations read in Slack."""

from datetime import date

from bot.services.stages import Completion, Progress
from bot.views.stages import celebration, progress_bar, stage_added, stage_list
from storage.models import Project, Stage, StageStatus

TODAY = date(2027, 1, 10)


def _stage(position=1, **fields):
    values = {"title": "Open the new ward", "status": StageStatus.PLANNED, "created_by": "U1"}
    values.update(fields)
    return Stage(id=position * 10, project_id=1, position=position, **values)


def _completion(stage, done, total):
    project = Project(id=1, team_id="T1", channel_id="C1", name="new-ward")
    return Completion(
        project=project,
        stage=stage,
        progress=Progress(done=done, total=total),
        round=stage.completions,
    )


def _all_text(message):
    return message.text + "\n" + repr(message.blocks)


def test_progress_reads_as_counts_and_percent():
    assert progress_bar(Progress(3, 7)).startswith("3 of 7 stages, 43%")
    assert progress_bar(Progress(0, 0)) == (
        "The plan has no stages yet. Add the first with `/stage add TITLE`."
    )
    assert progress_bar(Progress(1, 1)).endswith("▰" * 10)
    assert progress_bar(Progress(19, 20)).endswith("▰" * 9 + "▱")


def test_a_screen_reader_hears_the_progress_before_the_cells_of_its_bar():
    """Each cell is read out by name ("black parallelogram"): ten of them, then the figures,
    buried what the bar means."""
    said = progress_bar(Progress(3, 7))
    assert said.index("3 of 7 stages, 43%") < min(said.index("▰"), said.index("▱"))


def test_notifications_say_the_progress_in_words_without_the_bar():
    plan = stage_list([_stage(1), _stage(2)], Progress(0, 2), TODAY)
    assert plan.text == "The plan: 0 of 2 stages, 0%"
    stage = _stage(2, status=StageStatus.DONE, outcome="Ward opened", completed_by="U3")
    done = celebration(_completion(stage, 3, 7))
    assert not set("▰▱") & set(plan.text + done.text)


def test_a_celebrations_notification_says_the_outcome_and_the_progress():
    stage = _stage(
        2, status=StageStatus.DONE, outcome="Ward opened on time", completed_by="U3", completions=1
    )
    said = celebration(_completion(stage, 3, 7)).text
    assert said.startswith(":tada: Stage 2 is done: Open the new ward")
    assert "*Outcome:* Ward opened on time" in said
    assert said.endswith("3 of 7 stages, 43%")


def test_a_celebration_names_the_stage_outcome_people_and_progress():
    stage = _stage(
        2,
        status=StageStatus.DONE,
        outcome="Ward opened on time",
        owner_id="U2",
        completed_by="U3",
        completions=1,
    )
    text = _all_text(celebration(_completion(stage, 3, 7)))
    for expected in (
        "Stage 2 is done",
        "Open the new ward",
        "Ward opened on time",
        "<@U2>",
        "<@U3>",
        "3 of 7 stages, 43%",
    ):
        assert expected in text


def test_the_last_stage_gets_the_bigger_project_celebration():
    stage = _stage(3, status=StageStatus.DONE, completed_by="U3", completions=1)
    message = celebration(_completion(stage, 3, 3))
    assert message.blocks[0]["type"] == "header"
    assert "Every stage of new-ward is done" in message.blocks[0]["text"]["text"]


def test_completing_a_reopened_stage_again_is_a_short_note():
    stage = _stage(1, status=StageStatus.DONE, completed_by="U3", completions=2)
    message = celebration(_completion(stage, 1, 3))
    assert "completed again" in message.text
    assert all(block["type"] != "header" for block in message.blocks)


def test_user_text_in_a_celebration_is_escaped():
    stage = _stage(
        1,
        title="Tell <!channel> & co",
        status=StageStatus.DONE,
        outcome="<!here> done",
        completed_by="U3",
        completions=1,
    )
    text = _all_text(celebration(_completion(stage, 1, 2)))
    assert "<!channel>" not in text
    assert "<!here>" not in text
    assert "&lt;!channel&gt; &amp; co" in text


def test_a_4000_character_title_fits_every_block():
    stage = _stage(
        1,
        title="t" * 4000,
        status=StageStatus.DONE,
        outcome="o" * 4000,
        completed_by="U3",
        completions=1,
    )
    for message in (celebration(_completion(stage, 1, 2)), celebration(_completion(stage, 1, 1))):
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150


def test_the_list_marks_overdue_stages():
    stages = [
        _stage(1, due_on=date(2027, 1, 1)),
        _stage(2, due_on=date(2027, 2, 1), owner_id="U9"),
        _stage(3, status=StageStatus.DONE, due_on=date(2027, 1, 1)),
    ]
    text = _all_text(stage_list(stages, Progress(1, 3), TODAY))
    assert text.count("overdue") == 1
    assert "owner <@U9>" in text


def test_an_empty_plan_says_how_to_start():
    assert "/stage add" in stage_list([], Progress(0, 0), TODAY).text


def test_adding_a_stage_already_past_due_says_it_is_overdue():
    assert "overdue" in stage_added(_stage(1, due_on=date(2027, 1, 9)), TODAY).text
    assert "overdue" not in stage_added(_stage(1, due_on=date(2027, 1, 10)), TODAY).text
