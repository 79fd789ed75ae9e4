"""The panel (Debian's Chromium via Playwright) and the OSC API (liblo's oscsend) against a real Runtime.

Each test starts `installation rehearse` in-process on free ports with a temporary state folder: the real
engine, the rig's simulators, and (where a test needs it) the synthetic camera read by the real detection
pipeline. Audio and projection are off, except for the screenshots (headless projection preview, audio
through JACK's dummy driver when jackd is installed, silent otherwise).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from installation.runtime import Runtime, RuntimeOptions, health_down
from tests.control.conftest import read_reply, require

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
UNENCLOSED = ROOT / "cues" / "unenclosed.yaml"
SOLAS = ROOT / "cues" / "solas.yaml"
WAIT_MS = 20_000  # bounded waits for what the browser shows: generous for a loaded 2-core machine
DEADLINE_S = 20.0


def rehearse(show: Path, state_dir: Path, **changes: Any) -> Runtime:
    """`installation rehearse SHOW` in this process: panel and OSC API on free loopback ports."""
    options = RuntimeOptions(
        mode="rehearse", panel_port=0, osc_port=0, audio="off", projection="off", state_dir=state_dir,
        resume=False, watch=False, notify=False, log_file=True,
    )
    for key, value in changes.items():
        setattr(options, key, value)
    runtime = Runtime(show, options)
    runtime.start()
    return runtime


@pytest.fixture
def rehearsal(tmp_path: Path) -> Iterator[Runtime]:
    """The Unenclosed without a camera (no stray detections: the tests drive it by hand)."""
    runtime = rehearse(UNENCLOSED, tmp_path / "state", presence="off")
    yield runtime
    runtime.shutdown()


@pytest.fixture
def rehearsal_with_camera(tmp_path: Path) -> Iterator[Runtime]:
    """The Unenclosed with its synthetic camera and the real detection pipeline."""
    require(_has_cv2(), "opencv is not installed (pip install opencv-python-headless)")
    runtime = rehearse(UNENCLOSED, tmp_path / "state")
    yield runtime
    runtime.shutdown()


def _has_cv2() -> bool:
    try:
        import cv2  # noqa: F401
    except ImportError:
        return False
    return True


def camera_ready(runtime: Runtime) -> bool:
    """The detector trusts its picture: warm-up over (presence known) and no background relearn running.

    A visitor dropped while the pipeline learns (or relearns, for 1 s after each scene change) the empty
    room becomes part of the background and is never counted; the relearn is read from the pipeline's
    own log line, stamped with the runtime's clock.
    """
    from installation.presence.pipeline import PipelineConfig

    if not runtime.presence_view().get("known"):
        return False
    relearns = [line["t"] for line in runtime.log_tail(500) if "relearning the background" in line["message"]]
    return not relearns or runtime.clock.now() >= max(relearns) + PipelineConfig().relearn_s + 0.2


def wait_until(runtime: Runtime, predicate: Callable[[], Any], what: str,
               timeout_s: float = DEADLINE_S) -> Any:
    """Wait (bounded) until `predicate()` is truthy: woken by the runtime's pushes, re-checked every 50 ms."""
    wake = threading.Event()
    unsubscribe = runtime.subscribe(lambda _kind: wake.set())
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {what} within {timeout_s:g} s")
            wake.wait(min(0.05, remaining))
            wake.clear()
    finally:
        unsubscribe()


@contextmanager
def panel_page(browser: Any, runtime: Runtime, width: int = 1600, height: int = 1000) -> Iterator[Any]:
    """A tab on the runtime's panel; fails the test on any JavaScript error, console error or dialog."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    def on_dialog(dialog: Any) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.goto(runtime.adapters.panel.url)
    expect(tab.locator("#conn-text")).to_have_text("connected", timeout=WAIT_MS)
    try:
        yield tab
    finally:
        context.close()
    assert problems == []


def cue_state(page: Any, name: str) -> Any:
    return page.locator(f'tr[data-cue="{name}"] .state')


def click_room(page: Any, x: float, y: float) -> None:
    box = page.locator("#presence").bounding_box()
    page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)


def test_go_at_the_end_of_the_attract_loop_moves_the_real_engine_to_the_next_act(browser: Any,
                                                                                rehearsal: Runtime) -> None:
    from playwright.sync_api import expect

    with panel_page(browser, rehearsal) as page:
        expect(page.locator("#act-name")).to_have_text("attract", timeout=WAIT_MS)
        expect(page.locator("#mode")).to_have_text("REHEARSE")
        # entering the act started its only cue: the list is at its end, so GO fires `on: go → streets`
        expect(page.locator("#go-next")).to_have_text("→ next act", timeout=WAIT_MS)
        page.click("#go")
        expect(page.locator("#act-name")).to_have_text("streets", timeout=WAIT_MS)
        expect(page.locator('#acts button[data-act="streets"]')).to_contain_text("NOW")
        expect(cue_state(page, "avenue up")).to_have_text(re.compile("^(running|done)$"), timeout=WAIT_MS)
        expect(cue_state(page, "media on")).to_have_text("idle")
        expect(page.locator("#log")).to_contain_text("[streets] start avenue up", timeout=WAIT_MS)
    assert rehearsal.state()["act"] == "streets"
    assert any(line["message"].startswith("GO from web:127.0.0.1:") for line in rehearsal.log_tail(200))


def test_select_go_and_panic_drive_the_cue_and_the_simulated_rig(browser: Any, rehearsal: Runtime) -> None:
    from playwright.sync_api import expect

    with panel_page(browser, rehearsal) as page:
        expect(page.locator("#act-name")).to_have_text("attract", timeout=WAIT_MS)
        page.locator('tr[data-cue="rest"]').click()
        expect(page.locator("#go-next")).to_have_text("next: rest", timeout=WAIT_MS)
        page.click("#go")
        expect(cue_state(page, "rest")).to_have_text("running", timeout=WAIT_MS)  # an 8 s fade to `rest`
        wait_until(rehearsal, lambda: any(f["intensity"] > 0.05 for f in rehearsal.rig_view()["fixtures"]),
                   "light on the simulated rig")
        page.click("#panic")
        expect(cue_state(page, "rest")).to_have_text("stopped", timeout=WAIT_MS)
        expect(page.locator("#log")).to_contain_text("[attract] panic", timeout=WAIT_MS)
        # the engine fades every light out over its panic fade (1 s): the rig sends darkness
        wait_until(rehearsal, lambda: all(f["intensity"] < 0.01 for f in rehearsal.rig_view()["fixtures"]),
                   "a dark rig after PANIC")
        expect(page.locator("#act-name")).to_have_text("attract")  # PANIC stops cues, not the act


def test_a_visitor_dropped_in_the_room_is_seen_by_the_camera_and_advances_the_act(
        browser: Any, rehearsal_with_camera: Runtime) -> None:
    from playwright.sync_api import expect

    runtime = rehearsal_with_camera
    with panel_page(browser, runtime) as page:
        expect(page.locator("#act-name")).to_have_text("attract", timeout=WAIT_MS)
        # the detector learns the empty room first; a visitor dropped before that would become background
        wait_until(runtime, lambda: camera_ready(runtime), "the camera's background learnt")
        camera = page.locator('.dev[data-adapter="camera"]')
        expect(camera).to_have_class(re.compile(r"\bok\b"), timeout=WAIT_MS)
        expect(page.locator("#presence-count")).to_have_text("0 people", timeout=WAIT_MS)
        click_room(page, 0.5, 0.85)  # into the `screen` zone
        # the synthetic camera draws the visitor; the real pipeline counts them; `count >= 1 for 2s` fires
        expect(page.locator("#presence-count")).to_have_text(re.compile(r"^[1-9]\d* (person|people)$"),
                                                             timeout=WAIT_MS)
        expect(page.locator("#act-name")).to_have_text("streets", timeout=WAIT_MS)
        expect(page.locator("#log")).to_contain_text("visitor v1 added", timeout=WAIT_MS)
    [(vid, (x, y))] = runtime.visitors().items()
    assert vid == "v1" and x == pytest.approx(0.5, abs=0.01) and y == pytest.approx(0.85, abs=0.01)
    detected = [p for p in runtime.presence_view()["people"] if not p["simulated"]]
    assert detected and abs(detected[0]["x"] - 0.5) < 0.1  # the detector's person is where it was dropped


def test_oscsend_go_is_answered_and_moves_the_real_show(rehearsal: Runtime,
                                                         oscsend: Callable[..., None]) -> None:
    api = rehearsal.adapters.osc_api
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as replies:
        replies.bind(("127.0.0.1", 0))
        replies.settimeout(5.0)
        api.reply_port = replies.getsockname()[1]  # oscsend exits at once: answer on a configured port

        def ask(address: str, types: str = "", *values: Any) -> dict[str, Any]:
            oscsend(api.port, address, types, *values)
            got, body = read_reply(replies)
            assert got == "/reply" + address
            return body

        go = ask("/go")
        assert go["status"] == "ok" and go["message"] == "GO"
        wait_until(rehearsal, lambda: rehearsal.state().get("act") == "streets", "act streets after /go")
        assert ask("/state")["data"]["act"] == "streets"
        assert ask("/param/light.wash.dimmer", "f", 0.25)["status"] == "ok"
        assert rehearsal.engine.params.value("light.wash.dimmer") == pytest.approx(0.25)
        missing = ask("/cue/nonesuch/start")
        assert missing["status"] == "error" and "nonesuch" in missing["message"]
        assert ask("/act/broadcast")["status"] == "ok"
        wait_until(rehearsal, lambda: rehearsal.state().get("act") == "broadcast", "act broadcast")
    assert api.stats.malformed == 0
    assert any(line["source"].startswith("osc:127.0.0.1:") for line in rehearsal.log_tail(200))


@pytest.mark.parametrize(("show", "visitors"), [
    (UNENCLOSED, [(0.5, 0.86), (0.45, 0.5), (0.1, 0.55)]),
    (SOLAS, [(0.5, 0.85), (0.45, 0.45), (0.9, 0.6)]),
], ids=["unenclosed", "solas"])
def test_screenshot_of_the_panel_in_rehearsal_of_each_bundled_show(
        browser: Any, tmp_path: Path, show: Path, visitors: list[tuple[float, float]]) -> None:
    """For people to look at: /tmp/panel-<show>.png (never committed), a few visitors in the room."""
    from playwright.sync_api import expect

    require(_has_cv2(), "opencv is not installed (pip install opencv-python-headless)")
    runtime = rehearse(show, tmp_path / "state", projection="headless", audio="auto")
    try:
        idle = runtime.show.idle_act
        wait_until(runtime, lambda: camera_ready(runtime), "the camera's background learnt")
        for x, y in visitors:
            runtime.visitor_add(x, y, source="test")
        wait_until(runtime, lambda: runtime.state().get("act") not in ("", idle), "the act leaving idle")
        with panel_page(browser, runtime, 1600, 1000) as page:
            expect(page.locator("#act-name")).not_to_have_text(idle, timeout=WAIT_MS)
            preview = page.locator("#projection")
            expect(preview).to_have_attribute("src", re.compile("^blob:"), timeout=WAIT_MS)
            expect(page.locator("#presence-count")).to_have_text(re.compile(r"^[1-9]\d* (person|people)$"),
                                                                 timeout=WAIT_MS)
            expect(page.locator('.dev[data-adapter="projection"]')).to_have_class(re.compile(r"\bok\b"))
            page.screenshot(path=f"/tmp/panel-{show.stem}.png", full_page=True)
    finally:
        runtime.shutdown()


def test_rehearse_hours_on_a_monday_night_refuses_go_then_opens_on_the_operators_word(
        browser: Any, tmp_path: Path, oscsend: Callable[..., None]) -> None:
    """`rehearse --hours` at 22:05 on a Monday: liblo's oscsend gets the refusal and opens the show;
    the panel (desktop and tablet) shows why it is closed, then the override; screenshots in /tmp."""
    import datetime as dt

    from playwright.sync_api import expect

    from installation.platform.wallclock import local_zone, pinned_wall

    options = RuntimeOptions(mode="rehearse", hours=True, panel_port=0, osc_port=0, audio="off",
                             projection="off", presence="off", state_dir=tmp_path / "state", resume=False,
                             watch=False, notify=False, log_file=False)
    zone = local_zone()
    runtime = Runtime(UNENCLOSED, options, wall=pinned_wall(dt.datetime(2026, 12, 7, 22, 5, tzinfo=zone)))
    runtime.start()
    try:
        api = runtime.adapters.osc_api
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as replies:
            replies.bind(("127.0.0.1", 0))
            replies.settimeout(5.0)
            api.reply_port = replies.getsockname()[1]

            def ask(address: str, types: str = "", *values: Any) -> dict[str, Any]:
                oscsend(api.port, address, types, *values)
                got, body = read_reply(replies)
                assert got == "/reply" + address
                return body

            with panel_page(browser, runtime, 1024, 768) as page:  # a tablet in landscape
                expect(page.locator("#hours-status")).to_have_text("closed until Tue 10:00", timeout=WAIT_MS)
                expect(page.locator("#open")).to_have_text("CLOSED")
                page.screenshot(path="/tmp/panel-closed-tablet.png", full_page=True)
                go = ask("/go")
                assert go["status"] == "denied"
                assert go["message"] == "closed until Tue 10:00; use open-now to override"
                assert ask("/act/broadcast")["status"] == "denied"
                assert runtime.state()["act"] == ""  # nothing started in the dark
                assert ask("/hours")["data"]["next_change"] == {"at": "Tue 10:00", "open": True}
                bad = ask("/hours/open", "i", 22)
                assert bad["status"] == "error" and "HH:MM" in bad["message"]
                opened = ask("/hours/open", "s", "23:30")
                assert (opened["status"], opened["message"]) == ("ok", "open now until 23:30")
                wait_until(runtime, lambda: runtime.state().get("act") == "attract", "the idle act, opened")
                expect(page.locator("#hours-status")).to_have_text(
                    "open by the operator until 23:30, then the schedule (closed until Tue 10:00)",
                    timeout=WAIT_MS)
                expect(page.locator("#open")).to_be_hidden()
                page.screenshot(path="/tmp/panel-open-now-tablet.png", full_page=True)
                assert ask("/go")["status"] == "ok"
                wait_until(runtime, lambda: runtime.state().get("act") == "streets", "act streets after /go")
                # the panel's own buttons: close now, then back to the schedule (closed: Monday night)
                page.fill("#hours-until", "23:00")
                page.click("#hours-close")
                expect(page.locator("#hours-status")).to_contain_text("closed by the operator until 23:00",
                                                                      timeout=WAIT_MS)
                page.click("#hours-schedule")
                expect(page.locator("#hours-status")).to_have_text("closed until Tue 10:00", timeout=WAIT_MS)
        lines = [line["message"] for line in runtime.log_tail(500)]
        assert "hours: closed until Tue 10:00" in lines
        assert any(m.startswith("hours: open now until Mon 23:30, by osc:127.0.0.1:") for m in lines)
    finally:
        runtime.shutdown()


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1600, 1000)], ids=["tablet", "desktop"])
def test_the_operator_sees_go_panic_the_act_the_cues_and_alarms_without_scrolling(
        browser: Any, rehearsal: Runtime, width: int, height: int) -> None:
    """At tablet and desktop sizes: nothing that matters is below the fold; PANIC stays shown until the
    next GO; BLACKOUT and the grand master darken the simulated rig and are kept; screenshots in /tmp."""
    from playwright.sync_api import expect

    runtime = rehearsal
    with panel_page(browser, runtime, width, height) as page:
        expect(page.locator("#act-name")).to_have_text("attract", timeout=WAIT_MS)
        for selector in ("#go", "#stop", "#panic", "#act-name", "#cues tbody tr", "#blackout", "#gm"):
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, f"{selector} below the fold: {box}"
        label = page.locator("#go-next")
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth"), "the GO label is cut"
        # a device goes down: the top bar says so at once, wherever the devices card is
        runtime.adapters.failed["serial:fan"] = health_down("serial:fan", "/dev/ttyUSB0: gone", 0.0)
        runtime._notify("health")
        expect(page.locator("#alarm")).to_contain_text("serial:fan down", timeout=WAIT_MS)
        assert page.locator("#alarm").bounding_box()["y"] < 80
        page.click("#panic")
        expect(page.locator("#panicked")).to_be_visible(timeout=WAIT_MS)
        page.click("#blackout")
        expect(page.locator("#blackout-badge")).to_be_visible(timeout=WAIT_MS)
        page.screenshot(path=f"/tmp/panel-alarms-{width}x{height}.png")
        wait_until(runtime, lambda: runtime.adapters.rig.engine.blackout, "the rig in blackout")
        page.click("#blackout")
        expect(page.locator("#blackout-badge")).to_be_hidden(timeout=WAIT_MS)
        page.locator("#gm").fill("40")  # a range input: Playwright sends `input` and `change`
        wait_until(runtime, lambda: abs(runtime.adapters.rig.engine.grand_master - 0.4) < 1e-9,
                   "the grand master at 40 %")
        expect(page.locator("#gm-value")).to_have_text("40%", timeout=WAIT_MS)
        page.click("#go")
        expect(page.locator("#panicked")).to_be_hidden(timeout=WAIT_MS)
    assert json.loads((runtime.state_dir / "unenclosed.light.json").read_text()) == {
        "blackout": False, "grand_master": 0.4}


def test_qlab_addresses_drive_the_real_engine(rehearsal: Runtime, oscsend: Callable[..., None]) -> None:
    api = rehearsal.adapters.osc_api
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as replies:
        replies.bind(("127.0.0.1", 0))
        replies.settimeout(5.0)
        oscsend(api.port, "/udpReplyPort", "i", replies.getsockname()[1])
        assert read_reply(replies)[1]["status"] == "ok"

        def ask(address: str, types: str = "", *values: Any) -> dict[str, Any]:
            oscsend(api.port, address, types, *values)
            got, body = read_reply(replies)
            assert got == "/reply" + address
            assert body["workspace_id"] == api.workspace_id
            return body

        assert ask("/act/streets")["status"] == "ok"
        wait_until(rehearsal, lambda: rehearsal.state().get("act") == "streets", "act streets")
        lists = ask("/cueLists")["data"]
        assert [cl["name"] for cl in lists][:2] == ["attract", "streets"]
        streets = next(cl for cl in lists if cl["name"] == "streets")
        assert [c["name"] for c in streets["cues"]][:3] == ["avenue up", "city breath", "media on"]
        missing = ask("/go", "s", "99")  # the bundled show writes no numbers: neither number nor name 99
        assert missing["status"] == "error" and "no cue number 99" in missing["message"]
        go = ask("/go", "s", "city breath")  # a cue without a number: found by name
        assert go["status"] == "ok", go
        wait_until(rehearsal, lambda: rehearsal.state().get("selected") == "media on", "playhead after it")
        running = ask("/runningCues")["data"]
        assert "city breath" in [c["name"] for c in running]
        assert ask("/cue/city breath/pause")["status"] == "ok"
        assert ask("/cue/city breath/isPaused")["data"] is True
        assert ask("/cue/city breath/resume")["status"] == "ok"
        assert ask("/cue/city breath/duration")["data"] == 12.0
        assert ask("/hardStop")["status"] == "ok"
        assert ask("/select/previous")["status"] == "ok"
        assert rehearsal.state().get("selected") == "city breath"
        assert ask("/reset")["status"] == "ok"
        wait_until(rehearsal, lambda: rehearsal.state().get("selected") == "avenue up", "playhead to the top")
        assert ask("/panicInTime", "f", 0.5)["status"] == "ok"
        assert rehearsal.engine.panic_fade_s == rehearsal.show.operator.panic_fade_s  # this panic only
    assert api.stats.malformed == 0


def test_osc_passcode_file_from_the_options_gates_the_real_show_and_is_never_logged(
        tmp_path: Path, oscsend: Callable[..., None], caplog: pytest.LogCaptureFixture) -> None:
    secret = "Pz9-unique-passcode"
    codes = tmp_path / "osc-passcodes"
    codes.write_text(f"{secret} view,control\n")
    runtime = rehearse(UNENCLOSED, tmp_path / "state", presence="off", osc_passcode_file=codes,
                       osc_allow=("127.0.0.1",), osc_open=("view",))
    try:
        api = runtime.adapters.osc_api
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as replies:
            replies.bind(("127.0.0.1", 0))
            replies.settimeout(5.0)
            oscsend(api.port, "/udpReplyPort", "i", replies.getsockname()[1])
            assert read_reply(replies)[1]["status"] == "ok"
            oscsend(api.port, "/go")
            assert read_reply(replies)[1]["status"] == "denied"
            oscsend(api.port, "/cueLists")  # --osc-open view: anyone may look
            assert read_reply(replies)[1]["status"] == "ok"
            oscsend(api.port, "/connect", "s", secret)
            assert read_reply(replies)[1]["data"] == "ok:view|control"
            oscsend(api.port, "/go")
            assert read_reply(replies)[1]["status"] == "ok"
        logged = "\n".join(line["message"] for line in runtime.log_tail(500))
    finally:
        runtime.shutdown()
    assert secret not in logged and secret not in caplog.text
    assert secret not in (tmp_path / "state" / "logs").joinpath(f"{UNENCLOSED.stem}.log").read_text()
