"""The panel in a real browser (Debian's Chromium, headless, via Playwright) against the fake show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from installation.control.fake import FakeController
from installation.control.web import WebPanel

WAIT_MS = 5000  # bounded waits for what the browser shows (real I/O: websocket pushes at 10 Hz)


@pytest.fixture
def live_fake() -> FakeController:
    """The fake show on the real monotonic clock (the browser sees time pass)."""
    return FakeController()


@pytest.fixture
def served(live_fake) -> Iterator[WebPanel]:
    server = WebPanel(live_fake, port=0).start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, served) -> Iterator[Any]:
    """A fresh tab on the panel; fails the test on any JavaScript error or dialog."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # a refused websocket is expected while the server restarts; any other console error is a bug
    tab.on("console", lambda m: problems.append(f"console: {m.text}")
           if m.type == "error" and "ERR_CONNECTION_REFUSED" not in m.text else None)
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.goto(served.url)
    expect(tab.locator("#conn-text")).to_have_text("connected", timeout=WAIT_MS)
    yield tab
    context.close()
    assert problems == []


def cue_state(page, name: str):
    return page.locator(f'tr[data-cue="{name}"] .state')


def click_room(page, x: float, y: float) -> None:
    box = page.locator("#presence").bounding_box()
    page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)


def test_go_starts_the_selected_cue_and_the_panel_shows_it(page, live_fake):
    from playwright.sync_api import expect

    expect(cue_state(page, "dawn")).to_have_text("idle", timeout=WAIT_MS)
    expect(page.locator("#go-next")).to_have_text("next: dawn")
    page.click("#go")
    expect(cue_state(page, "dawn")).to_have_text("running", timeout=WAIT_MS)
    expect(page.locator("#go-next")).to_have_text("next: glow", timeout=WAIT_MS)
    expect(page.locator("#log")).to_contain_text("GO → ok: started dawn", timeout=WAIT_MS)
    [go] = live_fake.calls_to("go")
    assert go.source.startswith("web:127.0.0.1:")


def test_panic_acts_at_once_without_asking(page, live_fake):
    from playwright.sync_api import expect

    page.click("#go")
    expect(cue_state(page, "dawn")).to_have_text("running", timeout=WAIT_MS)
    page.click("#panic")
    expect(cue_state(page, "dawn")).to_have_text("stopped", timeout=WAIT_MS)
    expect(page.locator("#meters .val").first).to_have_text("-∞", timeout=WAIT_MS)
    assert len(live_fake.calls_to("panic")) == 1
    page.keyboard.press("Escape")  # the keyboard panic, as in QLab
    expect(page.locator("#log div", has_text="PANIC → ok")).to_have_count(2, timeout=WAIT_MS)
    assert len(live_fake.calls_to("panic")) == 2


def test_space_is_go_even_after_pressing_another_button(page, live_fake):
    from playwright.sync_api import expect

    page.click("#stop")
    page.keyboard.press(" ")
    expect(cue_state(page, "dawn")).to_have_text("running", timeout=WAIT_MS)
    assert [c.method for c in live_fake.calls] == ["stop", "go"]


def test_a_simulated_visitor_advances_the_act_and_can_be_dragged_and_removed(page, live_fake):
    from playwright.sync_api import expect

    expect(page.locator("#act-name")).to_have_text("attract")
    click_room(page, 0.5, 0.85)  # into the 'screen' zone
    expect(page.locator("#act-name")).to_have_text("encounter", timeout=WAIT_MS)
    expect(page.locator("#presence-count")).to_have_text("1 person", timeout=WAIT_MS)
    [add] = live_fake.calls_to("visitor_add")
    assert add.args == pytest.approx((0.5, 0.85), abs=0.01) and add.source.startswith("web:")
    box = page.locator("#presence").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.85)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.12, box["y"] + box["height"] * 0.5, steps=8)  # to the door
    page.mouse.up()
    expect(page.locator("#log")).to_contain_text("VISITOR_MOVE v1 0.12", timeout=WAIT_MS)
    assert live_fake.presence_view()["people"][0]["x"] == pytest.approx(0.12, abs=0.01)
    page.mouse.move(box["x"] + box["width"] * 0.12, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] - 40, box["y"] + box["height"] * 0.5, steps=5)  # off the camera view
    page.mouse.up()
    expect(page.locator("#presence-count")).to_have_text("0 people", timeout=WAIT_MS)
    assert [c.args for c in live_fake.calls_to("visitor_remove")] == [("v1",)]


def test_acts_jump_on_the_second_tap_and_cues_select_on_one(page, live_fake):
    from playwright.sync_api import expect

    encounter = page.locator('#acts button[data-act="encounter"]')
    encounter.click()
    expect(encounter).to_contain_text("TAP AGAIN")
    assert live_fake.calls_to("goto_act") == []
    encounter.click()
    expect(page.locator("#act-name")).to_have_text("encounter", timeout=WAIT_MS)
    page.locator('tr[data-cue="hush"]').click()
    expect(page.locator("#go-next")).to_have_text("next: hush", timeout=WAIT_MS)
    assert [c.args for c in live_fake.calls_to("select_cue")] == [("hush",)]


def test_devices_and_their_last_errors_are_shown(page, live_fake):
    from playwright.sync_api import expect

    fan = page.locator('.dev[data-adapter="serial:fan"]')
    expect(fan).to_contain_text("down", timeout=WAIT_MS)
    expect(fan).to_contain_text("/dev/ttyUSB0: no such device")
    live_fake.set_health("serial:fan", "ok", "connected on /dev/ttyUSB1")
    expect(fan).to_contain_text("ok", timeout=WAIT_MS)
    expect(fan).not_to_contain_text("no such device", timeout=WAIT_MS)


def test_a_camera_that_goes_down_is_shown_over_the_room(page, live_fake):
    from playwright.sync_api import expect

    live_fake.set_health("camera", "down", "retrying in 2 s", "/dev/video0: no such device (check the cable)")
    expect(page.locator("#presence-count")).to_have_text("camera down", timeout=WAIT_MS)
    expect(page.locator('.dev[data-adapter="camera"]')).to_contain_text("/dev/video0: no such device")
    live_fake.set_health("camera", "ok", "synthetic audience, 10 fps")
    expect(page.locator("#presence-count")).to_have_text("0 people", timeout=WAIT_MS)


def test_replay_runs_a_recording_at_the_chosen_speed(page, live_fake):
    from playwright.sync_api import expect

    page.select_option("#replay-file", "recordings/school-group.jsonl")
    page.locator("#replay-speed").fill("1")
    expect(page.locator("#replay-speed-value")).to_have_text("60×")
    page.click("#replay-start")
    expect(page.locator("#replay-status")).to_contain_text("replaying recordings/school-group.jsonl at 60×",
                                                            timeout=WAIT_MS)
    page.click("#replay-stop")
    expect(page.locator("#replay-status")).to_have_text("", timeout=WAIT_MS)
    replays = [c.args for c in live_fake.calls_to("replay")]
    assert replays == [("recordings/school-group.jsonl", 60.0), ("", 1.0)]


def test_panel_reconnects_after_the_server_restarts(page, served, live_fake):
    from playwright.sync_api import expect

    port = served.port
    served.stop()
    expect(page.locator("#banner")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#banner")).to_contain_text("reconnecting")
    expect(page.locator("#conn-text")).to_have_text("offline")
    restarted = WebPanel(live_fake, port=port).start()
    try:
        expect(page.locator("#banner")).to_be_hidden(timeout=10_000)
        page.click("#go")
        expect(cue_state(page, "dawn")).to_have_text("running", timeout=WAIT_MS)
    finally:
        restarted.stop()


def test_live_mode_has_no_rehearse_tools_and_the_room_is_read_only(browser):
    from playwright.sync_api import expect

    live = FakeController(mode="live")
    with WebPanel(live, port=0) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        tab = context.new_page()
        tab.goto(server.url)
        expect(tab.locator("#mode")).to_have_text("LIVE", timeout=WAIT_MS)
        expect(tab.locator("#rehearse-tools")).to_be_hidden()
        click_room(tab, 0.5, 0.5)
        tab.click("#stop")  # a command after the click, so the click has been handled if it sent anything
        expect(tab.locator("#log")).to_contain_text("STOP → ok", timeout=WAIT_MS)
        context.close()
    assert [c.method for c in live.calls] == ["stop"]


SCREENS = [("desktop", 1920, 1080), ("tablet", 1280, 800), ("tablet-portrait", 800, 1280)]


def test_screenshots_of_the_panel_in_rehearsal(browser, live_fake, served):
    """Screenshots for people to look at: /tmp/panel-*.png (never committed)."""
    from playwright.sync_api import expect

    live_fake.go(source="test")
    live_fake.visitor_add(0.45, 0.85, source="test")
    live_fake.visitor_add(0.12, 0.4, source="test")
    for name, width, height in SCREENS:
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        tab.goto(served.url)
        expect(tab.locator("#act-name")).to_have_text("encounter", timeout=WAIT_MS)
        expect(tab.locator("#projection")).to_have_attribute("src", lambda_src(), timeout=WAIT_MS)
        expect(tab.locator("#health .dev")).to_have_count(6, timeout=WAIT_MS)
        tab.screenshot(path=f"/tmp/panel-{name}.png", full_page=True)
        context.close()


def test_screenshot_of_the_panel_live_with_a_camera_down(browser):
    """The operator's view in live mode when a device fails: /tmp/panel-live.png."""
    from playwright.sync_api import expect

    live = FakeController(mode="live")
    live.go(source="test")
    live.set_health("camera", "down", "retrying in 4 s", "/dev/video0: no such device (check the USB cable)")
    with WebPanel(live, port=0) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        tab = context.new_page()
        tab.goto(server.url)
        expect(tab.locator("#presence-count")).to_have_text("camera down", timeout=WAIT_MS)
        expect(tab.locator("#health .dev")).to_have_count(6, timeout=WAIT_MS)
        tab.screenshot(path="/tmp/panel-live.png", full_page=True)
        context.close()


def lambda_src() -> Any:
    import re

    return re.compile(r"^blob:")
