"""The partnership report's PDF: every section, page numbers, and text as people typed it."""

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from pypdf import PdfReader

from bot.services.evaluation import EvaluationReport, PartnershipReport, Reflection, StageMarker
from bot.services.measures import MeasureSeries, Observation
from bot.views.partnership_report import SECTIONS, partnership_pdf, partnership_upload
from storage.models import Concern, Measure, Project, Stage, YouSaidWeDid

TODAY = date(2027, 3, 15)
DONE_AT = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


def _project(**fields):
    values = {
        "id": 1,
        "team_id": "T1",
        "channel_id": "C1",
        "name": "new-ward",
        "need": "Patients wait too long for a bed 🛏️ <!channel>",
        "created_at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    }
    return Project(**(values | fields))


def _report(*, points=20, concerns=True, reflections=True, stages=True, answered=True):
    project = _project()
    measure = Measure(id=1, project_id=1, name="Waiting time", unit="days", target=14.0)
    observations = [
        Observation(date(2026, 11, 2) + timedelta(weeks=n), 20.0 + n % 3) for n in range(points)
    ]
    said = [
        Reflection("management", "UMANAGER", date(2027, 1, 4), "Calmer handovers", ""),
        Reflection("service-user", None, date(2027, 1, 11), "", "Still \x07waiting"),
    ]
    evaluation = EvaluationReport(
        project=project,
        series=[MeasureSeries(measure, observations, rule_length=6)],
        responses_by_role={"management": 1, "service-user": 1},
        reflections=said if reflections else [],
        completed=[StageMarker(DONE_AT.date(), "1. Open the lounge")],
    )
    plan = [
        Stage(
            id=1,
            project_id=1,
            position=1,
            title="Open the lounge",
            status="done",
            completed_at=DONE_AT,
            outcome="Open seven days a week",
            created_by="ULEAD",
        ),
        Stage(
            id=2,
            project_id=1,
            position=2,
            title="Hire two nurses",
            due_on=date(2027, 4, 30),
            created_by="ULEAD",
        ),
    ]
    concern = Concern(
        id=1,
        project_id=1,
        principle_position=5,
        principle_title="Transparency",
        text="We were not told about the rota",
        status="resolved",
        raised_by="UREP",
        channel_id="C1",
        created_at=DONE_AT,
        resolved_at=DONE_AT + timedelta(days=3),
        resolution_note="Rota shared a month ahead",
    )
    return PartnershipReport(
        evaluation=evaluation,
        today=TODAY,
        started=date(2026, 11, 2),
        stages=plan if stages else [],
        concerns={"5. Transparency": [concern]} if concerns else {},
        you_said_we_did=[_answer()] if answered else [],
    )


def _answer():
    return YouSaidWeDid(
        id=1,
        project_id=1,
        feedback_id=1,
        you_said="Visitors could not find the lounge",
        we_did="Signs from the lift to the lounge",
        published_by="ULEAD",
        published_at=DONE_AT + timedelta(days=5),
    )


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_pdf_holds_every_section_with_what_the_project_recorded():
    pages = _pages(partnership_pdf(_report()))
    text = "\n".join(pages)
    assert pages[0].startswith("Partnership report")
    assert "Period: 2 November 2026 to 15 March 2027" in pages[0]
    for section in SECTIONS:
        assert section in text, section
    for recorded in (
        "Patients wait too long for a bed",
        "<!channel>",
        "Open seven days a week",
        "Hire two nurses",
        "30 Apr 2027",
        "Waiting time",
        "consistently passing",  # higher is better, and 14 is below every limit
        "Principle 5. Transparency",
        "We were not told about the rota",
        "Resolved 4 February 2027: Rota shared a month ahead",
        "Calmer handovers",
        "Still waiting",
        "You said: Visitors could not find the lounge",
        "We did: Signs from the lift to the lounge",
    ):
        assert recorded in text, recorded
    assert "UMANAGER" not in text  # nobody is named on paper
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_an_empty_project_still_has_every_section_saying_there_is_nothing_yet():
    report = _report(points=0, concerns=False, reflections=False, stages=False, answered=False)
    text = "\n".join(_pages(partnership_pdf(report)))
    for section in SECTIONS:
        assert section in text, section
    assert "No stages yet." in text
    assert "No measure has any points yet." in text
    assert "No concern has been raised" in text
    assert "None yet" in text
    assert "No check-in has had a reflection yet." in text


def test_the_upload_is_a_pdf_named_after_the_project_and_the_day():
    upload = partnership_upload(_report(points=3))
    assert upload.filename == "new-ward-partnership-report-2027-03-15.pdf"
    assert upload.content.startswith(b"%PDF-")


def _alt_texts(node) -> list[str]:
    """Every /Alt in the PDF's structure tree below `node`: what a screen reader announces."""
    node = node.get_object()
    if isinstance(node, list):
        return [alt for child in node for alt in _alt_texts(child)]
    if not hasattr(node, "keys"):
        return []
    found = [str(node["/Alt"])] if "/Alt" in node else []
    return found + (_alt_texts(node["/K"]) if "/K" in node else [])


def test_each_chart_has_alt_text_that_says_what_it_shows():
    reader = PdfReader(io.BytesIO(partnership_pdf(_report())))
    assert _alt_texts(reader.trailer["/Root"]["/StructTreeRoot"]) == [
        "Process chart of Waiting time, 20 points from 2 Nov 2026 to 15 Mar 2027: latest 21 days, "
        "mean 20.95 days, process limits 17.45 days to 24.45 days, common cause variation, "
        "assurance: consistently passing."
    ]
    run_chart = PdfReader(io.BytesIO(partnership_pdf(_report(points=5))))
    (said,) = _alt_texts(run_chart.trailer["/Root"]["/StructTreeRoot"])
    assert said.startswith("Run chart of Waiting time, 5 points from 2 Nov 2026 to 30 Nov 2026:")
    assert "5 of 13 points: process limits come at 13" in said


def test_words_in_arabic_script_read_in_their_own_order_next_to_english():
    """Drawn unshaped, right-to-left words came out letter by letter backwards: a reader,
    or a screen reader, got "ةيسفنلا" for "النفسية"."""
    report = _report(reflections=False)
    said = [Reflection("service-user", None, date(2027, 1, 11), "الانتظار أقصر الآن", "")]
    report = replace(report, evaluation=replace(report.evaluation, reflections=said))
    text = "\n".join(_pages(partnership_pdf(report)))
    assert "الانتظار أقصر الآن" in text
