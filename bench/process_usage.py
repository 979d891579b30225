# SPDX-License-Identifier: AGPL-3.0-or-later
"""CPU time and resident memory of another process, from /proc (Linux)."""

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """Return utime + stime of all threads of `pid`, in seconds (resolution 1/SC_CLK_TCK)."""
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    # The command name in field 2 may contain spaces; fields after its closing bracket are fixed.
    fields = text[text.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS


def runqueue_wait_seconds(pid: int) -> float:
    """Return the time all threads of `pid` spent runnable but waiting for a CPU, in seconds.

    This is the second field of /proc/<pid>/task/*/schedstat (run_delay, in
    ns). A large value means other processes took the process's CPU.
    """
    total_ns = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total_ns += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended while we read
    return total_ns / 1e9


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def udp_receive_buffer_errors() -> int:
    """Return this network namespace's count of UDP datagrams dropped for a full receive buffer."""
    with open("/proc/net/snmp") as snmp:
        lines = [line.split() for line in snmp if line.startswith("Udp:")]
    header, values = lines[0], lines[1]
    return int(values[header.index("RcvbufErrors")])
