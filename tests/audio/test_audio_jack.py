"""Real-time play through a real JACK server (jackd with its dummy driver), as in rehearsal."""

import os
import shutil
import subprocess

import pytest
from audio_helpers import ACTS

from installation.adapters import HealthState
from installation.audio.config import AudioConfig
from installation.audio.output import AudioOutput

pytestmark = pytest.mark.integration


@pytest.fixture
def jack_server(tmp_path):
    if shutil.which("jackd") is None or shutil.which("jack_wait") is None:
        if os.environ.get("INSTALLATION_REQUIRE_INTEGRATION") == "1":
            pytest.fail(
                "jackd is not installed (apt-get install jackd2) and INSTALLATION_REQUIRE_INTEGRATION=1"
            )
        pytest.skip("jackd is not installed (apt-get install jackd2)")
    name = f"installation-test-{os.getpid()}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")
    with open(tmp_path / "jackd.log", "wb") as jack_log:
        jackd = subprocess.Popen(
            ["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "512"],
            stdout=jack_log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        ready = subprocess.run(
            ["jack_wait", "-w", "-t", "5"], check=False, env=env, capture_output=True, text=True, timeout=10
        )
        assert "server is available" in ready.stdout, ready.stdout + ready.stderr
        yield name, env
    finally:
        jackd.terminate()
        try:
            jackd.wait(timeout=5)
        except subprocess.TimeoutExpired:
            jackd.kill()
            jackd.wait(timeout=5)


def test_plays_an_act_for_3_s_on_jackd_dummy(jack_server):
    name, env = jack_server
    out = AudioOutput(ACTS, AudioConfig(backend="jack", jack_server=name, jack_name="installation"))
    out.open()
    try:
        out.change_soundscape("forest", 0.5, 0.0)
        status = out.status()
        while status.time_s < 3.0:  # real time passes: wait on the child's reports (about 10 a second)
            status = out.wait_report(out.report_count, timeout_s=5.0)
            assert status is not None, f"no report from the audio child; health {out.health()}"
            out.update({"audio.drone.cutoff": 500.0 + 100.0 * status.time_s}, status.time_s)
        assert out.health().state == HealthState.OK
        assert status.act == "forest"
        assert min(status.rms_db) > -60.0 and max(status.peak_db) <= -1.0
        ports = subprocess.run(
            ["jack_lsp", "-c"], check=True, env=env, capture_output=True, text=True, timeout=5
        ).stdout
        assert "installation:output_1\n   system:playback_1" in ports
    finally:
        out.close()
