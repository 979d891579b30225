# SPDX-License-Identifier: AGPL-3.0-or-later
"""Start, health-check and stop the child processes of a deployment."""

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Sequence

import yaml

from synapse_hubs.cli.deployment import Deployment, DeploymentSecrets
from synapse_hubs.cli.synapse_config import ensure_synapse_config

logger = logging.getLogger(__name__)


class ProcessFailed(RuntimeError):
    """A child process exited or never became healthy."""


class ManagedProcess:
    """One child process whose output goes to a log file."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path, cwd: Path) -> None:
        self.name = name
        self._argv = list(argv)
        self.log_path = log_path
        self._cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # A new session keeps Ctrl-C in the terminal from reaching the child
        # before we can stop it in order.
        self._process = subprocess.Popen(
            self._argv, stdout=log, stderr=subprocess.STDOUT, cwd=self._cwd,
            start_new_session=True,
        )
        log.close()
        logger.info("Started %s (pid %d)", self.name, self._process.pid)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait_healthy(self, url: str, timeout_s: float = 60.0) -> None:
        """Poll `url` until it answers 200, or raise ProcessFailed with the log tail."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.is_running():
                raise ProcessFailed(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise ProcessFailed(f"{self.name} not healthy at {url} after {timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout_s: float = 15.0) -> None:
        """Send SIGTERM, wait, then SIGKILL the process group if it lingers."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop within %.0f s; killing it", self.name, timeout_s)
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        logger.info("Stopped %s", self.name)

    def kill(self) -> None:
        """Kill the process at once, as a crash would."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def synapse_process(deployment: Deployment, secrets: DeploymentSecrets) -> ManagedProcess:
    config_files = ensure_synapse_config(deployment, secrets)
    argv = [sys.executable, "-m", "synapse.app.homeserver"]
    for path in config_files:
        argv += ["-c", str(path)]
    return ManagedProcess(
        "synapse", argv, deployment.synapse_dir / "console.log", deployment.synapse_dir
    )


def sfu_process(deployment: Deployment, secrets: DeploymentSecrets) -> ManagedProcess:
    deployment.sfu_config_path.parent.mkdir(parents=True, exist_ok=True)
    deployment.sfu_config_path.write_text(yaml.safe_dump(sfu_settings(deployment, secrets)))
    deployment.sfu_config_path.chmod(0o600)
    argv = [sys.executable, "-m", "sfu", "--config", str(deployment.sfu_config_path)]
    return ManagedProcess("sfu", argv, deployment.data_dir / "sfu.log", deployment.data_dir)


def sfu_settings(deployment: Deployment, secrets: DeploymentSecrets) -> dict[str, Any]:
    """Return the SFU config (see sfu/config.py) matching the module's settings."""
    return {
        "listen": {"host": deployment.sfu_host, "port": deployment.sfu_port},
        "rtc": {"announce_addresses": list(deployment.sfu_announce_addresses)},
        "keys": {secrets.sfu_api_key: secrets.sfu_api_secret},
        "webhook": {
            "url": deployment.public_baseurl + "_synapse/client/hubs/rtc/sfu_webhook",
            "api_key": secrets.sfu_api_key,
        },
        # The SFU records only on the module's request, which recording policy decides.
        "recording": {"directory": str(deployment.recordings_dir)},
    }


def synapse_health_url(deployment: Deployment) -> str:
    return f"http://{deployment.http_host}:{deployment.http_port}/health"


def sfu_health_url(deployment: Deployment) -> str:
    return f"{deployment.sfu_http_url}/healthz"
