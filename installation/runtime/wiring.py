"""The adapters of one running show, built for a mode: live devices or their simulators in rehearsal.

Each adapter is built and opened on its own: one that cannot be built (a missing library, a device
the rig names that does not exist) is reported as DOWN in the health list with a one-line fix, and the
rest of the show runs. Nothing here blocks the engine: every call forwards to an adapter's own thread.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from installation.adapters import Health, HealthState
from installation.control.protocol import AudioLevels, PresenceView, Result, RigView
from installation.control.thumbnail import CameraThumbnail
from installation.engine.commands import SceneChange
from installation.engine.presence import Person, Presence
from installation.engine.show_engine import INTENSITY_ATTRIBUTES
from installation.platform.wallclock import offset_of
from installation.show.model import Act

if TYPE_CHECKING:
    from installation.audio.jackserver import JackServer
    from installation.runtime import Runtime

log = logging.getLogger(__name__)

# while closed (Blackout on) these light attributes are held at 0 on top of the rig's blackout, which
# covers dimmers and colours but not effects: a hazer must not haze an empty gallery all night
EMITTING_ATTRIBUTES = frozenset(INTENSITY_ATTRIBUTES | {"output"})
REHEARSE_PROJECTION_SIZE = (640, 360)
REHEARSE_PROJECTION_FPS = 30.0
PIXEL_MAP_SAMPLE = (160, 90)  # the small frame pixel mapping samples (a strip of LEDs needs little)


def _db(value: float) -> float:
    return max(-120.0, value) if not math.isnan(value) else -120.0


class Adapters:
    """Rig, presence, audio, projection and the operator surfaces of one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.show = runtime.show
        self.clock = runtime.clock
        self.rehearse = runtime.options.mode == "rehearse"
        self.rig: Any = None
        self.sim_rig: Any = None
        self.presence: Any = None
        self.audio: Any = None
        self.projection: Any = None
        self.osc_api: Any = None
        self.panel: Any = None
        self.jackd: JackServer | None = None
        self.projectors: list[Any] = []  # installation.rig.pjlink.Projector, one per rig projector
        self.pjlink_sims: dict[str, Any] = {}  # rehearse: a simulated projector for each
        self._projector_hook = False
        self.fleet: Any = None  # installation.fleet.link.FleetLink when a broker is configured
        self.failed: dict[str, Health] = {}
        self.camera_thumb = CameraThumbnail()
        self._replay: dict[str, Any] | None = None
        self._rig_lock = threading.Lock()  # the output loop and a rig re-open (hot reload) share self.rig
        self._blackout = False  # closed hours (the engine's Blackout): light, sound and picture
        self.operator_blackout = False  # the operator's BLACKOUT: light only, as on a lighting desk
        self.grand_master = 1.0  # the operator's grand master: light only
        self._latest_presence: Presence | None = None
        self._script: Any = None
        self._script_t0 = 0.0

    # ------------------------------------------------------------------------------------ building
    def _try(self, name: str, build: Callable[[], None], fix: str) -> None:
        try:
            build()
        except Exception as exc:  # one adapter failing to build never stops the show
            detail = f"{exc.__class__.__name__}: {exc}".splitlines()[0]
            log.error("%s: %s (%s)", name, detail, fix)
            self.failed[name] = Health(name, HealthState.DOWN, f"{detail} — {fix}", self.clock.now(), detail)

    def open(self) -> None:
        options = self.runtime.options
        if self.show.rig is not None:
            self._try(
                "rig", self._open_rig, "check the rig file and the devices it names (installation devices)"
            )
        if self.show.rig is not None and getattr(self.show.rig, "projectors", None):
            self._try("projectors", self._open_projectors,
                      "check the rig's projectors: section and the password file or variable")
        if options.presence != "off":
            self._try("camera", self._open_presence, "check the show's presence: settings and the camera")
        if options.audio != "off":
            self._try("audio", self._open_audio, "install jackd2 or run with --audio off")
        if options.projection != "off":
            self._try(
                "projection", self._open_projection, "install Mesa EGL (libegl1) or run with --projection off"
            )
        if options.osc:
            self._try(
                "osc-control", self._open_osc_api, f"free UDP port {options.osc_port} or pass --osc-port"
            )
        if options.panel:
            self._try("panel", self._open_panel, f"free TCP port {options.panel_port} or pass --port")
        if options.mqtt or getattr(self.show.rig, "fleet", None) is not None:
            self._try("fleet", self._open_fleet, "check --mqtt, the rig's fleet: section, the password file")

    def _open_rig(self) -> None:
        rig = self.show.rig
        if self.rehearse:
            rig = self._simulated(rig, restart=True)
        self.rig = self._rig_output(rig)

    def _simulated(self, rig: Any, *, restart: bool) -> Any:
        """The rig aimed at simulators: external ones (--sims), or ours (started, or kept on a reload)."""
        sims_dir = self.runtime.options.sims
        if sims_dir is not None:
            from installation.sim.simulate import aim_rig

            return aim_rig(rig, Path(sims_dir))
        from installation.sim.rehearsal import SimulatedRig
        from installation.sim.simulate import targets_of

        if not restart and self.sim_rig is not None and _same_wiring(self.sim_rig.original, rig):
            targets = targets_of(self.sim_rig)
            return rig.with_targets(
                dmx={k: v if isinstance(v, str) else (v[0], v[1]) for k, v in targets["dmx"].items()},
                osc={k: (v[0], v[1]) for k, v in targets["osc"].items()},
                serial=targets["serial"],
            )
        if self.sim_rig is not None:
            self.sim_rig.stop()
        workdir = self.runtime.state_dir / "sim"
        workdir.mkdir(parents=True, exist_ok=True)
        self.sim_rig = SimulatedRig(rig, workdir, now=self.clock.now)
        return self.sim_rig.start()

    def _rig_output(self, rig: Any) -> Any:
        """A RigOutput whose first frame is the engine's current levels (a resumed show does not flash)."""
        from installation.rig.output import RigOutput

        sims = self.runtime.options.sims if self.rehearse else None
        # simulators in their own process may restart on other ports: the outputs follow their sims.json
        locate = None if sims is None else functools.partial(self._aim_at_sims, Path(sims))
        output = RigOutput(rig, now=self.clock.now, locate=locate)
        params = _dark(self.runtime._params) if self._blackout else self.runtime._params
        output.update(params, self.clock.now())  # rendered now, sent when the wires open
        if self._blackout or self.operator_blackout or self.grand_master != 1.0:
            output.engine.blackout = self._blackout or self.operator_blackout
            output.engine.grand_master = self.grand_master
            output.engine.render()
        output.open()
        return output

    def _aim_at_sims(self, sims_dir: Path) -> Any:
        """The show's rig aimed at the simulators `sims_dir/sims.json` describes now."""
        from installation.sim.simulate import aim_rig

        return aim_rig(self.show.rig, sims_dir)

    def reopen_rig(self, rig: Any) -> None:
        """A changed rig file (hot reload): close the outputs and open them again for the new rig."""
        old = self.rig
        with self._rig_lock:
            self.rig = None
        if old is not None:
            old.close()
        target = self._simulated(rig, restart=False) if self.rehearse else rig
        output = self._rig_output(target)
        with self._rig_lock:
            self.rig = output
        log.info("rig %s re-opened after a change to the rig file", rig.name)

    def _open_projectors(self) -> None:
        """PJLink projectors (rehearse: simulators on loopback), powered as the hours say now."""
        from installation.rig.pjlink import Projector, read_password
        from installation.sim.pjlink import PJLinkProjectorSim

        for spec in self.show.rig.projectors.values():
            host, port = spec.host, spec.port
            try:
                password = read_password(spec.password_env, spec.password_file)
            except Exception as exc:
                if not self.rehearse:
                    raise
                log.warning("projector %s: %s; rehearsing against a simulator without a password",
                            spec.name, exc)
                password = None
            if self.rehearse:
                sim = PJLinkProjectorSim(password=password, name=spec.name, now=self.clock.now)
                sim.start()
                self.pjlink_sims[spec.name] = sim
                host, port = "127.0.0.1", sim.port
            projector = Projector(spec.name, host, port, password=password, input_code=spec.input,
                                  poll_s=spec.poll_s, now=self.clock.now)
            projector.power(self.runtime.engine.is_open)
            projector.open()
            self.projectors.append(projector)
        if not self._projector_hook:
            self._projector_hook = True
            self.runtime.subscribe_timeline(self._projector_timeline)

    def _open_fleet(self) -> None:
        """Report to the fleet broker: --mqtt and friends, else the rig file's fleet: section."""
        from installation.fleet import parse_broker
        from installation.fleet.link import FleetLink, content_version

        options = self.runtime.options
        settings = getattr(self.show.rig, "fleet", None)
        broker = options.mqtt or (settings.broker if settings is not None else "")
        user = options.mqtt_user or (settings.user if settings is not None else "")
        secret = options.mqtt_password_file or (settings.password_file if settings is not None else None)
        show_id = (options.mqtt_show_id or (settings.show_id if settings is not None else "")
                   or self.runtime.show_path.stem)
        host, port = parse_broker(broker)
        password = None
        if secret is not None:
            try:
                password = Path(secret).read_text(encoding="utf-8").splitlines()[0]
            except (OSError, IndexError) as exc:
                raise RuntimeError(f"cannot read the fleet password file {secret}") from exc
        self.fleet = FleetLink(self.runtime, show_id, host, port, user=user, password=password,
                               show_version=content_version(self.runtime.show_path.read_bytes()),
                               now=self.clock.now)
        self.fleet.open()

    def _projector_timeline(self, event: Any) -> None:
        """Opening switches the projectors on; closed (after the closing fade) switches them off."""
        if event.kind in ("open", "closed"):
            for projector in self.projectors:
                projector.power(event.kind == "open")

    def _people(self, t: float) -> list[Person]:
        people: list[Person] = []
        script = self._script
        if script is not None:
            st = (t - self._script_t0) % max(script.duration_s, 1.0)
            people.extend(script.people_at(st, self._zones()))
        people.extend(self.runtime.simulated_people(t))
        return people

    def _zones(self) -> Mapping[str, Any]:
        return self.show.presence.zones

    def _open_presence(self) -> None:
        from installation.presence.adapter import FrameFeed
        from installation.presence.build import build_presence_source
        from installation.presence.settings import load_presence_settings

        settings = load_presence_settings(self.show.path, self.show.root)
        audience: Callable[[float], list[Person]] | None = None
        if self.rehearse:
            # rehearsal: a synthetic camera draws the scripted audience and the panel's visitors into
            # frames, and the real detection pipeline reads them
            if settings.source in ("camera", "url", "file"):
                settings = _replace(settings, source="synthetic")
            script_path = self.runtime.options.audience
            if script_path is not None:
                from installation.offline.audience import load_audience

                self._script = load_audience(script_path)
                self._script_t0 = self.clock.now()
            audience = self._people
        from installation.sim.audience import synthetic_camera

        self.presence = build_presence_source(settings, self.clock, self._on_presence, audience=audience,
                                              synthetic=synthetic_camera)
        self.camera_thumb.clear()
        if isinstance(getattr(self.presence, "feed", None), FrameFeed):
            self.presence.feed.frame_sink = self.camera_thumb  # the panel's low-res view of the room
        self.presence.open()

    def _on_presence(self, snap: Presence) -> None:
        self._latest_presence = snap
        self.runtime.loop.wake()

    def _start_jackd(self) -> bool:
        """Rehearsal's own jackd: named for the state folder, ended with the show even by kill -9."""
        from installation.audio.jackserver import JackServer, server_name

        self.jackd = JackServer(server_name(self.runtime.state_dir))
        return self.jackd.start()

    def _open_audio(self) -> None:
        from installation.audio.config import AudioConfig
        from installation.audio.output import AudioOutput
        from installation.audio.soundscape import soundscapes_from_show

        choice = self.runtime.options.audio
        if choice == "auto":
            choice = "jack" if (not self.rehearse or self._start_jackd()) else "none"
            if choice == "none" and shutil.which("jackd") is None:
                log.warning("audio: jackd is not installed; rehearsing silently (apt-get install jackd2)")
        os.environ.setdefault("JACK_NO_START_SERVER", "1")
        server = self.jackd.name if self.jackd is not None and self.jackd.running else ""
        config = AudioConfig(backend=choice, jack_server=server)
        self.audio = AudioOutput(soundscapes_from_show(self.show), config, self.clock)
        self.audio.open()
        act = self.runtime.engine.act
        if act is not None:
            self.audio.change_soundscape(act, 0.0, self.clock.now())

    def _open_projection(self) -> None:
        from installation.projection.isf import hears_audio
        from installation.projection.output import ProjectionOutput

        scenes = [a.scene for a in self.show.acts.values() if a.scene is not None]
        choice = self.runtime.options.projection
        display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        headless = choice == "headless" or (choice == "auto" and (self.rehearse or not display))
        # live: the projectors the rig file describes (size, fps, corner pins), else one fullscreen output
        venue = getattr(self.show.rig, "projection", None) if not headless else None
        self.projection = ProjectionOutput(
            self.clock,
            size=REHEARSE_PROJECTION_SIZE if headless else (venue.size if venue else (1920, 1080)),
            fps=REHEARSE_PROJECTION_FPS if headless else (venue.fps if venue else 60.0),
            zones=tuple(self.show.presence.zones),
            root=self.show.root,
            preload=scenes,
            outputs=() if headless else _projectors(venue),
            render_scale=venue.render_scale if venue else 1.0,
            wall_offset_s=offset_of(self.runtime.wall),
            media_dir=self.runtime.state_dir / "media",  # clips a scene's VIDEO "generated:NAME" makes
            # pixel mapping: the render process sends a small copy of each frame for the LEDs to sample
            sample_size=PIXEL_MAP_SAMPLE if any(a.pixel_map for a in self.show.acts.values()) else None,
        )
        self.projection.open()
        if self.audio is not None and any(hears_audio(Path(p), self.show.root) for p in scenes):
            self.audio.feed_spectrum(self.projection.update_audio)  # audio-reactive scenes hear the act
        act = self.runtime.engine.act
        if act is not None and self.show.act(act).scene is not None:
            # a resumed show: the scene's TIME (and a video in it) go on from where the act was
            self.projection.change_scene(self.show.act(act).scene, 0.0,
                                         elapsed_s=self.runtime.engine.time_in_act())

    def _open_osc_api(self) -> None:
        from installation.control.osc_api import OscControlApi, read_passcodes

        options = self.runtime.options
        passcodes = read_passcodes(options.osc_passcode_file) if options.osc_passcode_file else {}
        self.osc_api = OscControlApi(self.runtime, host=options.osc_host, port=options.osc_port,
                                     allow=options.osc_allow, passcodes=passcodes,
                                     open_permissions=options.osc_open)
        self.osc_api.start()

    def _open_panel(self) -> None:
        from installation.control.web import WebPanel

        options = self.runtime.options
        self.panel = WebPanel(
            self.runtime, host=options.panel_host, port=options.panel_port, state_dir=self.runtime.state_dir,
            allow_hosts=options.panel_allow_hosts,
        )
        self.panel.start()
        log.info("panel at %s", self.panel.url)

    def close(self) -> None:
        for name, closer in (
            ("fleet", lambda: self.fleet and self.fleet.close()),
            ("panel", lambda: self.panel and self.panel.stop()),
            ("osc-control", lambda: self.osc_api and self.osc_api.close()),
            ("camera", lambda: self.presence and self.presence.close()),
            ("projection", lambda: self.projection and self.projection.close()),
            ("audio", lambda: self.audio and self.audio.close()),
            ("rig", lambda: self.rig and self.rig.close()),
            ("simulators", lambda: self.sim_rig and self.sim_rig.stop()),
            ("projectors", self._close_projectors),
        ):
            try:
                closer()
            except Exception as exc:
                log.error("closing %s: %s", name, exc)
        if self.jackd is not None:
            self.jackd.stop()

    def _close_projectors(self) -> None:
        for projector in self.projectors:
            projector.close()
        for sim in self.pjlink_sims.values():
            sim.stop()

    # ------------------------------------------------------------------------------------ engine side
    def drain_presence(self) -> list[Presence]:
        return [] if self.presence is None else self.presence.drain()

    def update(self, params: Mapping[str, float], now: float) -> None:
        """One output frame: every adapter gets the latest parameters (each returns at once)."""
        if self._blackout:
            params = _dark(params)
        with self._rig_lock:
            rig = self.rig
            if rig is not None:
                try:
                    mapped, scene = self._pixel_mapping()
                    rig.update(params, now, scene, mapped)
                except Exception as exc:
                    log.error("rig update failed: %s", exc)
        for adapter, call in (
            (self.audio, lambda: self.audio.update(params, now)),
            (self.projection, lambda: self.projection.update(params, self._latest_presence, now)),
        ):
            if adapter is None:
                continue
            try:
                call()
            except Exception as exc:
                log.error("%s update failed: %s", getattr(adapter, "name", adapter), exc)

    def _pixel_mapping(self) -> tuple[tuple[str, ...], Any]:
        """The fixtures the current act maps its scene onto, and the scene's newest small frame."""
        act = self.show.acts.get(self.runtime.engine.act or "")
        if act is None or not act.pixel_map or self.projection is None or self._blackout:
            return (), None
        return act.pixel_map, self.projection.sample()

    def send_osc(
        self, endpoint: str, address: str, args: Sequence[Any], fields: Mapping[str, Any] | None = None
    ) -> None:
        if self.rig is not None:
            self.rig.send_osc(endpoint, address, args, fields or None)

    def send_serial(self, device: str, command: str, args: Sequence[Any]) -> None:
        if self.rig is not None:
            self.rig.send_serial(device, command, args)

    def scene_change(self, cmd: SceneChange) -> None:
        if self.projection is not None:
            self.projection.command(cmd)
        if self.presence is not None:
            self.presence.notify_scene_change()  # the light changes: the background relearns quickly

    def soundscape_change(self, act: Act, transition_s: float) -> None:
        if self.audio is not None:
            self.audio.change_soundscape(act.name, transition_s, self.clock.now())

    def panic(self, fade_s: float) -> None:
        if self.audio is not None:
            self.audio.panic(self.clock.now(), fade_s)

    def blackout(self, on: bool) -> None:
        self._blackout = on
        if self.rig is not None:
            self.rig.blackout(on or self.operator_blackout)
        if self.projection is not None:
            self.projection.blackout(on)
        if self.audio is not None:
            now = self.clock.now()
            if on:
                self.audio.panic(now)
            else:
                self.audio.unmute(now)

    def light_controls(self, blackout: bool, grand_master: float) -> None:
        """The operator's BLACKOUT and grand master (light only; hours' blackout stays in force)."""
        self.operator_blackout = blackout
        self.grand_master = grand_master
        with self._rig_lock:
            rig = self.rig
        if rig is not None:
            if rig.engine.blackout != (self._blackout or blackout):
                rig.blackout(self._blackout or blackout)
            rig.grand_master(grand_master)

    def fade_to_black(self, fade_s: float) -> None:
        """Closing time: the projection fades to black with the engine's fade of light and sound."""
        if self.projection is not None:
            self.projection.blackout(True, fade_s)

    def show_changed(self, old: Any, new: Any) -> None:
        """Hot reload: re-point the adapters at the new show (called on the engine loop)."""
        from installation.runtime.reload import same_rig

        self.show = new
        if self.audio is not None:
            from installation.audio.soundscape import soundscapes_from_show

            self.audio.set_soundscapes(soundscapes_from_show(new))
        if new.rig is not None and not same_rig(old.rig, new.rig, ignore=("projection",)):
            try:
                self.reopen_rig(new.rig)
            except Exception as exc:
                log.error("rig: re-opening after the reload failed (%s); check the rig file", exc)
        if getattr(old.rig, "projection", None) != getattr(new.rig, "projection", None):
            log.warning("the rig's projection section changed: restart the show to apply it")
        if old.presence != new.presence and self.presence is not None:
            old_source = self.presence
            self.presence = None
            old_source.close()
            self._try("camera", self._open_presence, "check the show's presence: settings and the camera")

    # ------------------------------------------------------------------------------------ panel views
    def health(self) -> list[Health]:
        out = list(self.failed.values())
        for adapter in (self.presence, self.audio, self.projection):
            if adapter is not None:
                out.append(adapter.health())
        if self.rig is not None:
            out.extend(self.rig.health())
        if self.osc_api is not None and "osc-control" not in self.failed:
            out.append(self.osc_api.health())
        out.extend(p.health() for p in self.projectors)
        if self.fleet is not None:
            out.append(self.fleet.health())
        return out

    def presence_view(self) -> PresenceView:
        snap = self._latest_presence
        visitors = self.runtime.visitors()
        people = []
        if snap is not None:
            for p in snap.people:
                people.append({"id": str(p.id), "x": p.x, "y": p.y, "simulated": False})
        # the panel's own visitors, where the artist put them (the detector's view is listed above)
        for vid, (x, y) in visitors.items():
            people.append({"id": vid, "x": x, "y": y, "simulated": True})
        settings = self.show.presence
        source = "synthetic" if self.rehearse else settings.source.value
        if self.presence is None:
            source = "none"
        elif self._replay is not None:
            source = "replay"
        return {
            "zones": {name: [list(pt) for pt in z.polygon] for name, z in settings.zones.items()},
            "mask": [[list(pt) for pt in poly] for poly in settings.mask],
            "people": people,  # type: ignore[typeddict-item]
            "count": snap.count if snap is not None else 0,
            "known": bool(snap.known) if snap is not None else False,
            "source": source,
            "aspect": 4 / 3,
            "replay": self._replay_view(),
        }

    def _replay_view(self) -> dict[str, Any] | None:
        replay = self._replay
        if replay is None:
            return None
        position = (self.clock.now() - replay["started"]) * replay["speed"]
        return {"file": replay["file"], "speed": replay["speed"], "position_s": position, "length_s": None}

    def camera_frame(self) -> bytes | None:
        """A small JPEG of the latest camera frame (kept in memory only, never written to disk)."""
        return self.camera_thumb.jpeg() if self.presence is not None else None

    def rig_view(self) -> RigView:
        if self.rig is None:
            return {"fixtures": [], "outputs": []}
        fixtures = []
        for fx in self.rig.fixture_states():
            x, y = fx.position if fx.position is not None else (0.5, 0.5)
            fixtures.append(
                {
                    "name": fx.name,
                    "kind": fx.kind,
                    "x": x,
                    "y": y,
                    "rgb": list(fx.rgb),
                    "intensity": fx.intensity,
                }
            )
        outputs = [
            {"name": h.name, "kind": h.name.split(":")[0], "detail": h.detail} for h in self.rig.health()
        ]
        return {"fixtures": fixtures, "bounds": [0.0, 0.0, 1.0, 1.0], "outputs": outputs}  # type: ignore[typeddict-item]

    def projection_frame(self) -> bytes | None:
        return None if self.projection is None else self.projection.preview()

    def audio_levels(self) -> AudioLevels:
        if self.audio is None:
            return {"channels": []}
        status = self.audio.status()
        names = ("L", "R", "C", "LFE")
        return {
            "channels": [
                {"name": names[i] if i < len(names) else str(i + 1), "peak_db": _db(peak), "rms_db": _db(rms)}
                for i, (peak, rms) in enumerate(zip(status.peak_db, status.rms_db, strict=False))
            ]
        }

    def replay(self, path: Path | None, speed: float) -> Result:
        """Swap the rehearsal camera for a recorded presence log at 1×–60× (None: back to the camera)."""
        from installation.presence.adapter import PresenceSource, ReplayFeed

        old = self.presence
        if path is None:
            if self._replay is None:
                return Result.error("no replay is running")
            self._replay = None
            if old is not None:
                old.close()
            self.presence = None
            if self.runtime.options.presence != "off":
                self._try("camera", self._open_presence, "check the show's presence: settings")
            log.info("replay stopped: presence from the rehearsal camera again")
            return Result.success("replay stopped")
        source = PresenceSource(ReplayFeed(path, speed=speed), self.clock, self._on_presence, name="camera")
        if old is not None:
            old.close()
        self.presence = source
        self.camera_thumb.clear()  # a recording has snapshots, never frames
        source.open()
        rel = path.relative_to(self.show.root).as_posix()
        self._replay = {"file": rel, "speed": speed, "started": self.clock.now()}
        log.info("replaying %s at %g× in place of the camera", rel, speed)
        return Result.success(f"replaying {rel} at {speed:g}×")


def _replace(settings: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(settings, **changes)


def _projectors(venue: Any) -> tuple[Any, ...]:
    """The rig's projector outputs, or one fullscreen output on the first monitor."""
    return tuple(venue.outputs) if venue is not None and venue.outputs else _window_outputs()


def _window_outputs() -> tuple[Any, ...]:
    from installation.projection.warp import OutputConfig

    return (OutputConfig(),)


def _same_wiring(a: Any, b: Any) -> bool:
    """The same outputs, OSC endpoints and serial devices by name and kind: the simulators still fit."""
    return (
        {n: o.type for n, o in a.outputs.items()} == {n: o.type for n, o in b.outputs.items()}
        and {n: o.universes for n, o in a.outputs.items()} == {n: o.universes for n, o in b.outputs.items()}
        and set(a.osc_endpoints) == set(b.osc_endpoints)
        and {n: d.line_ending for n, d in a.serial_devices.items()}
        == {n: d.line_ending for n, d in b.serial_devices.items()}
    )


def _dark(params: Mapping[str, float]) -> dict[str, float]:
    """The parameters with everything that emits light or haze at 0 (closed: the rig stays dark)."""
    out = dict(params)
    for name in params:
        if name.startswith("light.") and name.rsplit(".", 1)[-1] in EMITTING_ATTRIBUTES:
            out[name] = 0.0
    return out
