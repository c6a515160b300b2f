"""The console in a real browser: Playwright driving Debian's Chromium (no browser download).
Screenshots of the queue, message and dashboard pages go to docs/."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.console_fixtures import PASSWORD, Console, held, make_console
from tests.relay_harness import ROOT, Sink, free_port
from tests.test_review import HIGH, MEDIUM, SENDER

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM) and not os.environ.get("DLP_REQUIRE_CHROMIUM"):
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

DOCS = ROOT / "docs"


class Served:
    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture()
def rig(tmp_path: Path) -> Iterator[tuple[Console, str]]:
    next_hop, encryption = Sink().start(), Sink().start()
    console = make_console(tmp_path, next_hop, encryption)
    try:
        with Served(console.app) as url:
            yield console, url
    finally:
        next_hop.stop()
        encryption.stop()


def log_in(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Quarantine queue")).to_be_visible()


def test_review_flow_in_the_browser(browser: Browser, rig: tuple[Console, str]) -> None:
    console, url = rig
    high = held(console, HIGH, to="someone@gmail.com")
    medium = held(console, MEDIUM, to="parent@example.org")
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    # log in; filter the queue
    log_in(page, url, "rita")
    expect(page.get_by_role("link", name=high)).to_be_visible()
    page.get_by_label("Risk").select_option("high")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=high)).to_be_visible()
    expect(page.get_by_role("link", name=medium)).to_have_count(0)
    page.goto(f"{url}/")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "console-queue.png"), full_page=True)

    # open a message: findings highlighted in place, values masked
    page.get_by_role("link", name=high).click()
    marks = page.locator("mark.finding")
    expect(marks.first).to_be_visible()
    body = page.content()
    assert "943 *** **19" in body and "943 476 5919" not in body
    page.screenshot(path=str(DOCS / "console-message.png"), full_page=True)

    # reveal with a reason, and find it in the audit page
    page.get_by_label("Reason to reveal the values").fill("checking with the health visitor")
    page.get_by_role("button", name="Reveal").click()
    expect(page.get_by_role("region", name="Revealed values")).to_contain_text("943 476 5919")
    page.goto(f"{url}/audit")
    expect(page.locator("#chain")).to_contain_text("Hash chain intact")
    expect(page.get_by_role("cell", name="reveal", exact=True)).to_be_visible()

    # request release of a high-risk message as a reviewer ...
    page.goto(f"{url}/m/{high}")
    page.get_by_label("Reason for releasing").fill("parent's written consent on file")
    page.get_by_label("Legal basis").select_option(label="consent of the person")
    page.get_by_role("button", name="Request release").click()
    expect(page.locator("#status")).to_have_text("awaiting-approval")
    assert not [m for m in console.next_hop.messages if m.rcpt_tos == ["someone@gmail.com"]]

    # ... approve as a different approver, and see it arrive at the sink
    approver = browser.new_page()
    log_in(approver, url, "alan")
    approver.goto(f"{url}/m/{high}")
    approver.get_by_label("Reason for approving").fill("consent form checked")
    approver.get_by_role("button", name="Approve and send").click()
    expect(approver.locator("#status")).to_have_text("released")
    assert [m.rcpt_tos for m in console.next_hop.wait_for(1) if m.rcpt_tos == ["someone@gmail.com"]] == [["someone@gmail.com"]]

    # reject with a reason
    page.goto(f"{url}/m/{medium}")
    page.get_by_label("Reason for rejecting").fill("no lawful basis for this address")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator("#status")).to_have_text("rejected")

    page.goto(f"{url}/dashboard")
    expect(page.get_by_role("img", name="Held, released and rejected per day (last 14 days)")).to_be_visible()
    page.screenshot(path=str(DOCS / "console-dashboard.png"), full_page=True)


def test_sender_sends_it_securely_instead(browser: Browser, rig: tuple[Console, str]) -> None:
    console, url = rig
    ref = held(console, HIGH, to="solicitor@example.co.uk")
    token = console.app.state.links.make(ref, SENDER)  # type: ignore[attr-defined]
    page = browser.new_page()
    page.goto(f"{url}/s/{token}")
    expect(page.get_by_role("heading", name=f"Your message {ref} is held")).to_be_visible()
    assert "943 476 5919" not in page.content()
    page.get_by_role("button", name="Send it securely instead").click()
    expect(page.locator("#done")).to_contain_text("encrypted email service")
    arrived = console.encryption.wait_for(1)
    assert [m.rcpt_tos for m in arrived] == [["solicitor@example.co.uk"]]
    assert console.review.get(ref).status == "released"
    # the link works once per action
    page.goto(f"{url}/s/{token}")
    page.get_by_role("button", name="Send it securely instead").click()
    expect(page.get_by_role("alert")).to_contain_text("already been used")


def test_screenshots_are_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in ("console-queue.png", "console-message.png", "console-dashboard.png"):
        assert f"docs/{name}" in readme
    assert shutil.which("chromium") or os.path.exists(CHROMIUM)
