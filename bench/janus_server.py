# SPDX-License-Identifier: AGPL-3.0-or-later
"""Janus (Debian package `janus`) with a minimal config, as the comparison SFU.

Only the VideoRoom plugin and the plain-HTTP transport are loaded, the HTTP
API listens on 127.0.0.1 only, no STUN or TURN server is configured, and ICE
gathers only on `ice_interface`. Janus skips interfaces flagged as loopback
for ICE, so the benchmark gives it a veth end with the address 127.0.0.2
inside its own network namespace (bench/bench_namespace.py). The config
folder is a temporary directory, and Janus generates its own DTLS
certificate at start.
"""

import logging
import shutil
import subprocess
from pathlib import Path

from synapse_hubs.cli.processes import ManagedProcess
from tests.harness.ports import free_port

logger = logging.getLogger(__name__)

PLUGIN = "libjanus_videoroom.so"
TRANSPORT = "libjanus_http.so"


def janus_library() -> Path:
    """Return Debian's Janus library folder, /usr/lib/<multiarch triplet>/janus on any architecture."""
    for folder in sorted(Path("/usr/lib").glob("*/janus")):
        if (folder / "plugins" / PLUGIN).exists():
            return folder
    raise FileNotFoundError(f"no Janus plugin folder with {PLUGIN} under /usr/lib/*/janus; "
                            "install Debian's janus package")

CORE_CONFIG = """general: {{
    configs_folder = "{folder}"
    plugins_folder = "{folder}/plugins"
    transports_folder = "{folder}/transports"
    events_folder = "{folder}/events"
    loggers_folder = "{folder}/loggers"
    debug_level = {debug_level}
    session_timeout = 120
{event_loops}}}
certificates: {{
}}
media: {{
    ipv6 = false
    rtp_port_range = "20000-40000"
}}
nat: {{
    nice_debug = {nice_debug}
    full_trickle = false
    ice_lite = false
    ice_enforce_list = "{interface}"
}}
plugins: {{
}}
transports: {{
}}
loggers: {{
}}
events: {{
    broadcast = false
}}
"""

HTTP_CONFIG = """general: {{
    json = "compact"
    base_path = "/janus"
    http = true
    port = {port}
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
    admin_https = false
}}
cors: {{
}}
"""

VIDEOROOM_CONFIG = """general: {
}
"""


def janus_version() -> str:
    """Return the version line of the installed janus binary, or "" when it is missing."""
    if shutil.which("janus") is None:
        return ""
    output = subprocess.run(["janus", "--version"], capture_output=True, text=True, check=False).stdout
    return next((line for line in output.splitlines() if line.startswith("Janus version")), "")


class JanusServer:
    """A janus process with its config folder under `data_dir`."""

    def __init__(self, data_dir: Path, ice_interface: str, event_loops: int = 0,
                 debug_level: int = 3) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        folder = data_dir / "janus"
        for name, library in (("plugins", PLUGIN), ("transports", TRANSPORT)):
            (folder / name).mkdir(parents=True, exist_ok=True)
            (folder / name / library).unlink(missing_ok=True)
            (folder / name / library).symlink_to(janus_library() / name / library)
        for name in ("events", "loggers"):
            (folder / name).mkdir(exist_ok=True)

        # 0 keeps Janus's default of one event-loop thread per handle.
        loops = f"    event_loops = {event_loops}\n" if event_loops else ""
        (folder / "janus.jcfg").write_text(CORE_CONFIG.format(
            folder=folder, debug_level=debug_level, nice_debug=str(debug_level >= 7).lower(), event_loops=loops, interface=ice_interface))
        (folder / "janus.transport.http.jcfg").write_text(HTTP_CONFIG.format(port=self.port))
        (folder / "janus.plugin.videoroom.jcfg").write_text(VIDEOROOM_CONFIG)
        self.process = ManagedProcess(
            "janus", ["janus", "-C", str(folder / "janus.jcfg"), "-F", str(folder), "-o"],
            data_dir / "janus.log", data_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/janus"

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self) -> "JanusServer":
        self.process.start()
        self.process.wait_healthy(self.url + "/info", timeout_s=30)
        return self

    def stop(self) -> None:
        self.process.stop()

    def log(self) -> str:
        return self.process.log_path.read_text(errors="replace")
