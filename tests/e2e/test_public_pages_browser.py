"""The public pages in a real Chromium: by keyboard alone, at 320 px and at desktop width,
with axe-core finding no WCAG 2.2 A or AA violation on any page (SPEC §7).

Debian's `chromium` is driven by Playwright for Python through `executable_path`:
no browser is ever downloaded, and axe-core is the copy inside axe-playwright-python.
A 320 px wide window is also what 400 % zoom leaves of a 1,280 px one, so the
reflow checks cover both. With CHANGEBOT_WRITE_DOCS=1 the tests write the
screenshots under docs/ that the README shows.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.console.standin import SlackStandIn
from bot.services.you_said import publish
from storage.models import Experience, PageSource, Project
from storage.types import utcnow

from .conftest import CHANNEL, LEAD, Workspace, serving
from .public_pages import Visitor, close, feedback, link_path, replace, start_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "no Chromium for the browser tests: install it with `apt-get install -y chromium`",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def site(sqlite_url: str, standin: SlackStandIn) -> Iterator[Workspace]:
    with serving(sqlite_url, standin) as running:
        start_project(running, shares_feedback=True)
        yield running


def _page(browser: Browser, size: dict[str, int], *, javascript: bool = True) -> Iterator[Page]:
    """A page in a fresh context; axe-core needs JavaScript, the pages themselves do not."""
    context = browser.new_context(viewport=size, java_script_enabled=javascript)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, DESKTOP)


@pytest.fixture
def narrow(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, NARROW)


def _no_violations(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"


def _fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll} px wide)"


def _screenshot(page: Page, name: str) -> None:
    if os.environ.get("CHANGEBOT_WRITE_DOCS") == "1":
        page.screenshot(path=str(DOCS / name), full_page=True)


def _fill_by_keyboard(page: Page) -> None:
    """Skip link, then the rating's radios (arrows), the two answers, who you are, Send."""
    keyboard = page.keyboard
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    for field, keys, typed in (
        ("experience", ["ArrowDown"], ""),
        ("good", [], "The nurses listened.\nThey explained everything."),
        ("better", [], "Shorter waits"),
        ("source", ["ArrowDown"], ""),
    ):
        keyboard.press("Tab")
        assert _focused(page) == field
        for key in keys:
            keyboard.press(key)
        keyboard.type(typed)
    keyboard.press("Tab")
    assert _focused(page) == "send"
    keyboard.press("Enter")
    page.wait_for_url("**/thank-you")


def _expect_the_summary_focused(page: Page) -> None:
    """The page that comes back from Send takes a moment to load and focus its summary:
    asking at once can still find the page that sent it."""
    expect(page.locator(".error-summary")).to_be_focused()


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id"))


@pytest.mark.parametrize("size", [DESKTOP, NARROW], ids=["desktop", "320px"])
def test_the_form_is_filled_and_sent_by_keyboard_alone(browser, site, size):
    path = link_path(site)
    for page in _page(browser, size, javascript=False):
        page.goto(site.url + path)
        _fits(page, size["width"])
        _screenshot(page, "public-form.png" if size is DESKTOP else "public-form-mobile.png")
        _fill_by_keyboard(page)
        assert page.locator("h1").inner_text() == "Thank you"
        _fits(page, size["width"])
    (stored,) = feedback(site)
    assert (stored.experience, stored.source_role) == (Experience.GOOD, PageSource.CARER)
    assert stored.text == (
        "What was good: The nurses listened.\nThey explained everything.\n\n"
        "What could be better: Shorter waits"
    )


def test_the_error_summary_takes_focus_and_its_links_lead_to_the_fields(browser, site):
    path = link_path(site)
    for page in _page(browser, DESKTOP, javascript=False):
        page.goto(site.url + path)
        page.locator("#better").fill("x" * 2001)
        page.locator("#send").click()
        assert page.title().startswith("Error: ")
        assert page.locator("#better").input_value() == "x" * 2001
        _expect_the_summary_focused(page)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert _focused(page) == "better"
        assert page.locator("#better").get_attribute("aria-describedby") == (
            "better-hint better-error"
        )
    assert feedback(site) == []


def test_the_error_summary_takes_focus_after_the_skip_link_or_a_summary_link(browser, site):
    """Either link leaves a #fragment in the address; the form's answer must not jump to it,
    far below the summary that says what is wrong (at 320 px, out of sight)."""
    path = link_path(site)
    for page in _page(browser, NARROW, javascript=False):
        page.goto(site.url + path)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.locator("#send").click()
        _expect_the_summary_focused(page)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert _focused(page) == "experience"
        page.locator("#send").click()
        _expect_the_summary_focused(page)
        assert page.locator(".error-summary").is_visible()


def test_every_page_has_no_wcag_violations_at_either_width(browser, site):
    path = link_path(site)
    for size in (DESKTOP, NARROW):
        for page in _page(browser, size):
            for address in (path, f"{path}/thank-you", f"{path}/you-said-we-did", "/f/unknown"):
                page.goto(site.url + address)
                _fits(page, size["width"])
                _no_violations(page)
            page.goto(site.url + path)
            page.locator("#send").click()
            assert page.title().startswith("Error: ")
            _no_violations(page)
            _fits(page, size["width"])


def test_you_said_we_did_with_pairs_has_no_violations(desktop, narrow, site):
    path = link_path(site)
    visitor = Visitor(site.url)
    for said in ("The waiting room had too few chairs", "Nobody told us about delays"):
        form = visitor.get(path)
        visitor.post(path, {"form_token": form.form_token, "better": said})
    answers = feedback(site)
    with site.runtime.transaction() as session:
        project = session.exec(select(Project).where(Project.channel_id == CHANNEL)).one()
        for number, (item, we_did) in enumerate(
            zip(
                answers,
                (
                    "We bought twelve more chairs for the waiting room.",
                    "A screen at reception now shows how long the wait is.",
                ),
                strict=True,
            )
        ):
            publish(
                session=session,
                project=project,
                by=LEAD,
                feedback_id=item.id,
                you_said=item.text.removeprefix("What could be better: "),
                we_did=we_did,
                now=utcnow() - timedelta(days=3 - number),
            )
    for page, size in ((desktop, DESKTOP), (narrow, NARROW)):
        page.goto(f"{site.url}{path}/you-said-we-did")
        assert page.locator(".pair").count() == 2
        _fits(page, size["width"])
        _no_violations(page)
    _screenshot(desktop, "you-said-we-did.png")


def test_the_refusal_pages_have_no_violations(desktop, site):
    old = link_path(site)
    replace(site)
    desktop.goto(site.url + old)
    assert desktop.locator("h1").inner_text() == "This link has been replaced"
    _no_violations(desktop)
    current = link_path(site)
    close(site)
    desktop.goto(site.url + current)
    assert desktop.locator("h1").inner_text() == "Feedback is closed"
    _no_violations(desktop)


def test_the_too_many_page_has_no_violations(desktop, site):
    path = link_path(site)
    desktop.goto(site.url + path)
    visitor = Visitor(site.url)
    for _ in range(10):
        visitor.post(path, {})
    desktop.locator("#send").click()
    assert desktop.locator("h1").inner_text() == "Too many answers sent"
    _no_violations(desktop)
