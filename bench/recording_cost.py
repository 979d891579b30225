# SPDX-License-Identifier: AGPL-3.0-or-later
"""CPU and memory the SFU spends on one recording, with N synthetic speakers.

Starts a real SFU process, lets N synthetic participants publish two-layer
VP8 simulcast (about 650 kbit/s each) and real Opus tones, then measures the
SFU process's CPU time (utime + stime of all threads, /proc/<pid>/stat) and
RSS over a window without a recording and over the same window while one
records. The difference is what the recorder costs: Opus decoding of every
speaker, mixing, Opus encoding, VP8 frame assembly and WebM writing.

Run it inside a network namespace that has only loopback, as the tests do:

    unshare -rn sh -c 'ip link set lo up && python -m bench.recording_cost --speakers 2 4'

Prints a table and writes bench/results/recording_cost.json.
"""

import argparse
import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
import jwt
import yaml

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.opus_tone import encode_tone
from bench.loadgen.synthetic_participant import SyntheticParticipant, speech_levels

RESULTS = Path(__file__).resolve().parent / "results"
ROOM = "bench-recording"
API_KEY = "bench"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def token(secret: str, identity: str, **video: object) -> str:
    now = int(time.time())
    grants = {"room": ROOM, "roomJoin": True, **video}
    return jwt.encode({"iss": API_KEY, "sub": identity, "nbf": now - 5, "exp": now + 3600,
                       "video": grants}, secret, algorithm="HS256")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def recording_call(port: int, secret: str, method: str) -> dict:
    headers = {"Authorization": f"Bearer {token(secret, 'bench-admin', roomAdmin=True, roomJoin=False)}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{port}/twirp/hubs.RecordingService/{method}",
                                json={"room": ROOM}, headers=headers) as response:
            return await response.json()


async def measure(pid: int, window_s: float) -> tuple[float, float]:
    """Return (CPU share of one core, RSS MiB at the end) over `window_s`."""
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(window_s)
    return (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start), rss_mib(pid)


async def run_scenario(speakers: int, window_s: float, workdir: Path) -> dict:
    secret = secrets.token_urlsafe(32)
    port = 17000 + speakers
    config = {"listen": {"host": "127.0.0.1", "port": port}, "keys": {API_KEY: secret},
              "rtc": {"announce_addresses": ["127.0.0.1"]}, "log_level": "WARNING",
              "recording": {"directory": str(workdir / "recordings")}}
    config_path = workdir / f"sfu-{speakers}.yaml"
    config_path.write_text(yaml.safe_dump(config))
    process = subprocess.Popen([sys.executable, "-m", "sfu", "--config", str(config_path)])
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                await asyncio.sleep(0.1)

        layers = encode_layers(DEFAULT_LAYERS[:2], frame_count=60)
        participants = []
        for index in range(speakers):
            participant = SyntheticParticipant(f"ws://127.0.0.1:{port}", token(secret, f"speaker{index}"),
                                               f"speaker{index}")
            participant.audio_payloads = encode_tone(300 + 110 * index)
            participant.audio_level = speech_levels(index, lambda now, i=index: int(now / 3) % speakers == i)
            await participant.join()
            await participant.publish(audio=True, video=layers)
            participants.append(participant)
        await asyncio.sleep(3)

        idle_cpu, idle_rss = await measure(process.pid, window_s)
        await recording_call(port, secret, "StartRoomRecording")
        await asyncio.sleep(1)
        recording_cpu, recording_rss = await measure(process.pid, window_s)
        started = time.monotonic()
        final = await recording_call(port, secret, "StopRoomRecording")
        stop_ms = (time.monotonic() - started) * 1000
        for participant in participants:
            await participant.close()
    finally:
        process.terminate()
        process.wait(15)

    file_info = (final.get("fileResults") or [{}])[0]
    return {
        "speakers": speakers,
        "cpu_without_recording": round(idle_cpu, 3),
        "cpu_with_recording": round(recording_cpu, 3),
        "recording_cpu_share": round(recording_cpu - idle_cpu, 3),
        "rss_mib_without": round(idle_rss, 1),
        "rss_mib_with": round(recording_rss, 1),
        "stop_ms": round(stop_ms),
        "file_bytes": int(file_info.get("size", 0)),
        "file_seconds": int(file_info.get("duration", 0)) / 1e9,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speakers", type=int, nargs="+", default=[2, 4],
                        help="numbers of publishing participants, one run each")
    parser.add_argument("--window", type=float, default=10.0, help="measurement window in seconds")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for speakers in args.speakers:
            rows.append(await run_scenario(speakers, args.window, Path(workdir)))

    print(f"{'speakers':>8} {'CPU idle':>9} {'CPU rec':>8} {'recorder':>9} {'RSS idle':>9} "
          f"{'RSS rec':>8} {'stop ms':>8} {'MB/min':>7}")
    for row in rows:
        per_minute = row["file_bytes"] / max(row["file_seconds"], 1e-9) * 60 / 1e6
        print(f"{row['speakers']:>8} {row['cpu_without_recording']:>9.1%} {row['cpu_with_recording']:>8.1%} "
              f"{row['recording_cpu_share']:>9.1%} {row['rss_mib_without']:>8.0f}M {row['rss_mib_with']:>7.0f}M "
              f"{row['stop_ms']:>8} {per_minute:>7.1f}")

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "recording_cost.json").write_text(json.dumps({
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "processor": platform.processor() or platform.machine()},
        "window_s": args.window, "rows": rows,
    }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
