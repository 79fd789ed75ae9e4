"""Receivers that go away and come back: the simulators restarted on new ports, a node or media server
restarted on its own port. Outputs find them again, and health shows the outage while it lasts."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from rig_helpers import poll

from installation.adapters import Health, HealthState
from installation.rig.output import RigOutput
from installation.rig.refresh import RefreshLoop
from installation.rig.rigfile import Rig
from installation.sim.dmxnode import DmxNodeSim
from installation.sim.osc import OscConsoleSim
from installation.sim.rehearsal import SimulatedRig
from installation.sim.simulate import aim_rig, read_targets, start_simulators

REPO = Path(__file__).resolve().parents[2]
NETWORK = ("dmx:strip-node", "dmx:haze-node", "osc:media")
DEADLINE_S = 8.0  # bounded waits on real sockets; the outage is seen within ~1 s, a move within ~1.5 s


class Feed:
    """Levels that change every frame, fed through the real refresh loop at 44 Hz."""

    def __init__(self, out: RigOutput, *, osc: bool) -> None:
        self.out = out
        self.osc = osc
        self.frame = 0
        self.loop = RefreshLoop(self.tick, 44.0)

    def tick(self, now: float) -> None:
        self.frame += 1
        level = (self.frame % 50) / 50
        params = {"light.wash.dimmer": level, "light.strip.blue": level, "light.haze.output": level}
        if self.osc:
            params["osc.media.brightness"] = level
        self.out.update(params, now)


@pytest.fixture
def running() -> Iterator[list[Feed]]:
    feeds: list[Feed] = []
    yield feeds
    for feed in feeds:
        feed.loop.stop()
        feed.out.close()


def health(out: RigOutput) -> dict[str, Health]:
    return {h.name: h for h in out.health()}


def silent(h: Health, port: int) -> bool:
    return (
        h.state == HealthState.DEGRADED
        and f"no answer from 127.0.0.1:{port} for " in h.detail
        and "receiver restarted" in h.detail
    )


def ports(directory: Path) -> dict[str, int]:
    info = read_targets(directory)
    return {
        "dmx:strip-node": int(info["dmx"]["strip-node"][1]),
        "dmx:haze-node": int(info["dmx"]["haze-node"][1]),
        "osc:media": int(info["osc"]["media"][1]),
    }


def test_outputs_follow_simulators_restarted_on_new_ports_and_health_shows_the_outage(
    gallery: Rig, short_tmp: Path, running: list[Feed]
) -> None:
    sims_dir = short_tmp / "sims"
    sims = start_simulators(gallery, sims_dir)
    out = RigOutput(aim_rig(gallery, sims_dir), locate=lambda: aim_rig(gallery, sims_dir))
    out.open()
    feed = Feed(out, osc=True)
    running.append(feed)
    feed.loop.start()
    old = ports(sims_dir)
    blockers: list[socket.socket] = []
    try:
        assert poll(lambda: all(h.state == HealthState.OK for h in out.health()), DEADLINE_S), out.health()
        sims.stop()
        assert poll(lambda: all(silent(health(out)[n], old[n]) for n in NETWORK), DEADLINE_S), out.health()
        # the old ports stay taken (by something that never answers), so the new simulators land elsewhere
        for port in old.values():
            blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            blocker.bind(("127.0.0.1", port))
            blockers.append(blocker)
        sims = start_simulators(gallery, sims_dir)
        new = ports(sims_dir)
        assert all(new[n] != old[n] for n in NETWORK)
        node_a, node_s = sims.nodes["strip-node"], sims.nodes["haze-node"]
        console = sims.consoles["media"]
        assert node_a.wait_for(lambda: bool(node_a.of_kind("artdmx")), DEADLINE_S)
        assert node_s.wait_for(lambda: bool(node_s.of_kind("sacn")), DEADLINE_S)
        assert console.wait_for(lambda: "/composition/master" in console.values, DEADLINE_S)
        assert poll(lambda: all(h.state == HealthState.OK for h in out.health()), DEADLINE_S), out.health()
        assert f"127.0.0.1:{new['osc:media']}" in health(out)["osc:media"].detail
        assert out.dmx["strip-node"].reconnects >= 1 and out.osc["media"].reconnects >= 1
        # and the live levels keep arriving at the new node
        seen = len(node_a.of_kind("artdmx"))
        assert node_a.wait_for(lambda: len(node_a.of_kind("artdmx")) > seen + 10, DEADLINE_S)
    finally:
        sims.stop()
        for blocker in blockers:
            blocker.close()


def test_a_receiver_that_stops_answering_is_shown_and_ok_again_once_back_on_its_port(
    gallery: Rig, running: list[Feed]
) -> None:
    sims = SimulatedRig(gallery)
    out = RigOutput(sims.start())  # no locate: a real rig's receivers stay where the rig file says
    out.open()
    feed = Feed(out, osc=False)  # the media server gets no messages: its silence is seen all the same
    running.append(feed)
    feed.loop.start()
    node, console = sims.nodes["strip-node"], sims.consoles["media"]
    haze = sims.nodes["haze-node"]
    old = {"dmx:strip-node": node.artnet_port, "dmx:haze-node": haze.sacn_port, "osc:media": console.port}
    back: list[DmxNodeSim | OscConsoleSim] = []
    try:
        assert poll(lambda: all(h.state == HealthState.OK for h in out.health()), DEADLINE_S), out.health()
        for sim in (node, haze, console):
            sim.stop()
        assert poll(lambda: all(silent(health(out)[n], old[n]) for n in NETWORK), DEADLINE_S), out.health()
        back = [
            DmxNodeSim(artnet_port=old["dmx:strip-node"], short_name="back-strip"),
            DmxNodeSim(sacn_port=old["dmx:haze-node"], short_name="back-haze"),
            OscConsoleSim(port=old["osc:media"]),
        ]
        for sim in back:
            sim.start()
        new_node, new_haze, new_console = back
        assert isinstance(new_console, OscConsoleSim)
        assert new_node.wait_for(lambda: bool(new_node.of_kind("artdmx")), DEADLINE_S)
        assert new_haze.wait_for(lambda: bool(new_haze.of_kind("sacn")), DEADLINE_S)
        assert new_console.wait_for(lambda: new_console.heartbeats > 0, DEADLINE_S)
        assert new_console.messages() == []  # a heartbeat is an empty bundle: no message, no side effect
        assert poll(lambda: all(h.state == HealthState.OK for h in out.health()), DEADLINE_S), out.health()
    finally:
        for sim in back:
            sim.stop()
        sims.stop()


def test_artnet_node_that_stops_answering_artpoll_is_shown(gallery: Rig, running: list[Feed]) -> None:
    sims = SimulatedRig(gallery)
    out = RigOutput(sims.start())
    out.open()
    feed = Feed(out, osc=False)
    running.append(feed)
    feed.loop.start()
    node = sims.nodes["strip-node"]
    try:
        sender = out.dmx["strip-node"]
        assert poll(lambda: bool(getattr(sender, "nodes", None)), DEADLINE_S)  # it answered ArtPoll once
        node._on_artnet = lambda data, peer: None  # type: ignore[method-assign]  # hung, its port still open
        # the next ArtPoll (every 3 s) goes unanswered
        assert poll(lambda: "no ArtPollReply" in health(out)["dmx:strip-node"].detail, 3.0 + DEADLINE_S)
        assert health(out)["dmx:strip-node"].state == HealthState.DEGRADED
    finally:
        sims.stop()



SHOW = """\
show: Receivers
rig: hardware/gallery.yaml
idle:
  act: rest
acts:
  rest:
    cues:
      - name: on
        fade: {light.strip.dimmer: "50%", light.strip.blue: "100%"}
        duration: 0.2s
"""


def test_a_rehearsal_aimed_at_sims_follows_them_to_new_ports(
    gallery: Rig, short_tmp: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from installation.runtime import Runtime, RuntimeOptions

    root = tmp_path / "project"
    (root / "cues").mkdir(parents=True)
    shutil.copytree(REPO / "hardware", root / "hardware")
    (root / "cues" / "show.yaml").write_text(SHOW, encoding="utf-8")
    sims_dir = short_tmp / "sims"
    sims = start_simulators(gallery, sims_dir)
    options = RuntimeOptions(
        mode="rehearse", audio="off", projection="off", presence="off", panel=False, osc=False,
        state_dir=tmp_path / "state", sims=sims_dir, watch=False, notify=False,
    )
    runtime = Runtime(root / "cues" / "show.yaml", options)
    runtime.start()
    old = ports(sims_dir)

    def rig_health() -> dict[str, Health]:
        return {h.name: h for h in runtime.adapters.health() if h.name in NETWORK}

    try:
        assert poll(lambda: all(h.state == HealthState.OK for h in rig_health().values()), DEADLINE_S)
        sims.stop()
        assert poll(lambda: silent(rig_health()["dmx:strip-node"], old["dmx:strip-node"]), DEADLINE_S)
        blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        blocker.bind(("127.0.0.1", old["dmx:strip-node"]))  # the new node cannot land on the old port
        sims = start_simulators(gallery, sims_dir)
        node = sims.nodes["strip-node"]
        assert node.wait_for(lambda: bool(node.of_kind("artdmx")), DEADLINE_S)
        assert poll(lambda: all(h.state == HealthState.OK for h in rig_health().values()), DEADLINE_S)
        moved = [r.getMessage() for r in caplog.records if "receiver moved" in r.getMessage()]
        assert any(f"127.0.0.1:{old['dmx:strip-node']} to 127.0.0.1:" in m for m in moved), moved
        blocker.close()
    finally:
        runtime.shutdown()
        sims.stop()
