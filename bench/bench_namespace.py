# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run the benchmark inside a network namespace of its own, with a veth end holding 127.0.0.2 and .3.

All benchmark traffic stays inside this namespace, which has only `lo` and
a veth pair whose ends are both inside it, so nothing can reach another
host. The namespace disappears when the re-executed process exits.

Janus skips loopback interfaces for ICE gathering, so it gathers on the
veth end VETH_INTERFACE, which has the address SUT_ADDRESS. libnice (0.1.21) also
pins each socket to its interface with IP_UNICAST_IF. The kernel then
accepts a destination only if its local route is on that same interface,
so the load generator's address GENERATOR_ADDRESS sits on it too. Sending
from 127.0.0.2 to 127.0.0.1 on `lo` fails with EINVAL for that reason.
This kernel has no `dummy` link type, hence the veth pair.
"""

import os
import shutil
import sys

VETH_INTERFACE = "hbench0"
VETH_PEER = "hbench1"
SUT_ADDRESS = "127.0.0.2"
GENERATOR_ADDRESS = "127.0.0.3"
MARKER = "HUBS_BENCH_NAMESPACE"

_SETUP = (
    f"ip link set lo up && "
    f"ip link add {VETH_INTERFACE} type veth peer name {VETH_PEER} && "
    f"ip addr add {SUT_ADDRESS}/32 dev {VETH_INTERFACE} && "
    f"ip addr add {GENERATOR_ADDRESS}/32 dev {VETH_INTERFACE} && "
    f"ip link set {VETH_INTERFACE} up && ip link set {VETH_PEER} up && "
    f'exec "$@"'
)


def inside() -> bool:
    return os.environ.get(MARKER) == "1"


def reexec_inside(argv: list[str]) -> None:
    """Replace this process with `argv` run in a new network namespace; never returns."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        sys.exit("bench: unshare and ip are required (Debian: apt-get install util-linux iproute2)")
    flags = "-n" if os.geteuid() == 0 else "-rn"
    os.environ[MARKER] = "1"
    os.execvp("unshare", ["unshare", flags, "--", "bash", "-c", _SETUP, "_", *argv])
