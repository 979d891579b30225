# SPDX-License-Identifier: AGPL-3.0-or-later
"""Two or three Hubs homeservers federating over verified TLS on loopback.

Each server is a full Homeserver (Synapse with our module, and its own SFU
unless left out) with a second, TLS-only federation listener. Its server
name is `127.0.0.1:<federation port>`, so federation needs no DNS: Synapse
connects straight to that address and checks the certificate, issued by a
CA the rig creates, against the IP address. Synapse refuses loopback
addresses for federation by default; the rig allows 127.0.0.0/8 only.

Partners are given by short names: `FederationRig(tmp, {"a": ["b"], "b":
["a"], "c": []})` makes A and B partners and C a stranger to both.

For a manual try, `python -m tests.harness.federation` starts A and B (and C
with `--three`), prints their addresses and users, and stops on Ctrl-C.
"""

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Iterable, Mapping

from synapse.config.server import DEFAULT_IP_RANGE_BLOCKLIST

from synapse_hubs.cli.deployment import FederationTls
from tests.harness.homeserver import Homeserver
from tests.harness.ports import free_port
from tests.harness.tls_authority import TestAuthority

logger = logging.getLogger(__name__)

# Synapse blocks private and loopback addresses for outgoing federation, and
# for server names that are IP addresses the allowlist is not consulted, so
# the rig takes loopback (where its servers live, and nothing else) off the
# blocklist. Every other private range stays blocked.
LOOPBACK_FEDERATION = {
    "ip_range_blacklist": [
        ip_range for ip_range in DEFAULT_IP_RANGE_BLOCKLIST
        if ip_range not in ("127.0.0.0/8", "::1/128")
    ],
}


class FederationRig:
    def __init__(self, data_dir: Path, partners: Mapping[str, Iterable[str]],
                 without_sfu: Iterable[str] = (), postgres_admin_dsn: str | None = None) -> None:
        self.authority = TestAuthority(data_dir / "ca")
        federation_ports = {name: free_port() for name in partners}
        self.server_names = {name: f"127.0.0.1:{port}" for name, port in federation_ports.items()}
        self.servers: dict[str, Homeserver] = {}
        for name, port in federation_ports.items():
            certificate = self.authority.issue(name)
            self.servers[name] = Homeserver(
                data_dir / name,
                server_name=self.server_names[name],
                postgres_admin_dsn=postgres_admin_dsn,
                module_overrides={"federation": {
                    "partners": [self.server_names[partner] for partner in partners[name]],
                }},
                synapse_overrides=dict(LOOPBACK_FEDERATION),
                with_sfu=name not in set(without_sfu),
                federation_tls=FederationTls(
                    port=port,
                    certificate_path=certificate.certificate_path,
                    private_key_path=certificate.private_key_path,
                    trusted_ca_path=self.authority.ca_path,
                ),
            )

    def __getitem__(self, name: str) -> Homeserver:
        return self.servers[name]

    def start(self) -> "FederationRig":
        try:
            for name, server in self.servers.items():
                logger.info("Starting homeserver %s as %s", name, server.server_name)
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def _main() -> None:
    parser = argparse.ArgumentParser(description="Start federating Hubs test homeservers.")
    parser.add_argument("--three", action="store_true",
                        help="also start C, a server that is no one's partner")
    arguments = parser.parse_args()
    partners = {"a": ["b"], "b": ["a"]}
    if arguments.three:
        partners["c"] = []
    with tempfile.TemporaryDirectory(prefix="hubs-federation-") as directory:
        rig = FederationRig(Path(directory), partners, without_sfu=["c"]).start()
        try:
            for name, server in rig.servers.items():
                user = server.register_user(f"user-{name}", password="password-" + name)
                print(f"{name}: server name {server.server_name}, client API {server.base_url}, "
                      f"user {user.user_id} with password password-{name}")
            print("Ctrl-C stops the servers and deletes their data.")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            rig.stop()


if __name__ == "__main__":
    _main()
