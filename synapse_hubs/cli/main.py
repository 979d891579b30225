# SPDX-License-Identifier: AGPL-3.0-or-later
"""`hubs` command line: run a local deployment with `hubs up`."""

import argparse
import json
import logging
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from synapse_hubs.cli.deployment import Deployment, DeploymentSecrets, load_or_create_secrets
from synapse_hubs.cli.processes import (
    ManagedProcess,
    ProcessFailed,
    sfu_health_url,
    sfu_process,
    synapse_health_url,
    synapse_process,
)

logger = logging.getLogger("hubs")

DEMO_LINKS_PATH = "_synapse/client/hubs/v1/demo/links"


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s hubs: %(message)s")
    if args.command == "up":
        return run_up(args)
    parser.print_help()
    return 2


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hubs", description="Run Hubs locally.")
    commands = parser.add_subparsers(dest="command")

    up = commands.add_parser(
        "up", help="start Synapse with the Hubs modules and the SFU, print demo links",
        description="Run a local Hubs demo: Synapse with the Hubs modules and the SFU, a demo "
        "meeting, and links for its organiser and a guest. The demo enables a test e-ID "
        "provider that is clearly labelled as one. Logs: DATA_DIR/synapse/console.log and "
        "DATA_DIR/sfu.log. This is not a production install: it has no TLS and no reverse "
        "proxy; see docs/admin-guide.en.md for that.",
    )
    up.add_argument("--data-dir", type=Path, default=Path(".hubs"),
                    help="where config, database and logs live (default: ./.hubs)")
    up.add_argument("--server-name", default="localhost",
                    help="Matrix server name; fixed after the first run (default: localhost)")
    up.add_argument("--port", type=int, default=8008, help="Synapse HTTP port (default: 8008)")
    up.add_argument("--sfu-port", type=int, default=7880, help="SFU signaling port (default: 7880)")
    up.add_argument("--public-address", default="127.0.0.1",
                    help="address of this machine that other devices reach: Synapse and the "
                    "SFU listen on it, the printed links use it and the SFU announces it for "
                    "media (default: 127.0.0.1). Browsers allow camera and microphone only "
                    "over HTTPS or on localhost, so other devices need the TLS reverse proxy "
                    "that the admin guide describes")
    up.add_argument("--postgres", metavar="DSN", default=None,
                    help="use PostgreSQL, e.g. 'dbname=hubs user=hubs host=127.0.0.1'; "
                    "the database needs LC_COLLATE and LC_CTYPE 'C' (default: SQLite)")
    return parser


def deployment_from_args(args: argparse.Namespace) -> Deployment:
    return Deployment(
        data_dir=args.data_dir.resolve(),
        server_name=args.server_name,
        http_port=args.port,
        sfu_port=args.sfu_port,
        public_host=args.public_address,
        sfu_host=args.public_address,
        sfu_announce_addresses=(args.public_address,),
        postgres_dsn=args.postgres,
        demo=True,
    )


def run_up(args: argparse.Namespace) -> int:
    deployment = deployment_from_args(args)
    secrets = load_or_create_secrets(deployment.data_dir)
    _check_server_name_unchanged(deployment)

    processes: list[ManagedProcess] = []
    stopping = False

    def request_stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    try:
        sfu = sfu_process(deployment, secrets)
        sfu.start()
        processes.append(sfu)
        sfu.wait_healthy(sfu_health_url(deployment))

        synapse = synapse_process(deployment, secrets)
        synapse.start()
        processes.append(synapse)
        synapse.wait_healthy(synapse_health_url(deployment), timeout_s=120)

        links = _fetch_demo_links(deployment, secrets)
        _print_links(deployment, links)

        while not stopping:
            for process in processes:
                if not process.is_running():
                    logger.error("%s exited unexpectedly; log tail:\n%s",
                                 process.name, process.log_tail())
                    return 1
            time.sleep(0.5)
        return 0
    except ProcessFailed as error:
        logger.error("%s", error)
        return 1
    finally:
        print("\nStopping Hubs ...", file=sys.stderr)
        # The SFU goes first: its last webhooks (participants leaving) still reach Synapse.
        for process in processes:
            process.stop()


def _check_server_name_unchanged(deployment: Deployment) -> None:
    homeserver_yaml = deployment.synapse_dir / "homeserver.yaml"
    if not homeserver_yaml.exists():
        return
    import yaml

    existing = yaml.safe_load(homeserver_yaml.read_text()).get("server_name")
    if existing != deployment.server_name:
        sys.exit(
            f"hubs: {deployment.data_dir} belongs to server name {existing!r}; "
            f"a Matrix server name cannot change. Run with --server-name {existing} "
            "or choose another --data-dir."
        )


def _fetch_demo_links(deployment: Deployment, secrets: DeploymentSecrets) -> dict[str, Any]:
    request = urllib.request.Request(
        deployment.local_baseurl + DEMO_LINKS_PATH,
        data=b"{}",
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {secrets.cli_secret}",
        },
    )
    # Synapse answers /health before the module's background start-up has
    # finished, so retry briefly.
    for attempt in range(20):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code != 503 or attempt == 19:
                raise ProcessFailed(
                    f"creating the demo meeting failed: HTTP {error.code} {error.read()[:300]!r}"
                ) from error
            time.sleep(0.5)
    raise AssertionError("unreachable")


def _print_links(deployment: Deployment, links: dict[str, Any]) -> None:
    print(
        f"""
Hubs is running (data in {deployment.data_dir}).

  Demo meeting:        {links['meeting_title']}
  Organiser link:      {links['organiser_url']}
                       (signs you in as {links['organiser_user_id']}; valid for {links['organiser_url_valid_minutes']} minutes, once)
  Guest link:          {links['guest_url']}
  Schedule a meeting:  {deployment.public_baseurl}_synapse/client/hubs/schedule
                       (uses the organiser's sign-in once the organiser link is open)
  Homeserver for Element and other Matrix clients: {deployment.public_baseurl}

Open the organiser link in one browser and the guest link in another (or a private window).
Press Ctrl-C to stop.
""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
