# SPDX-License-Identifier: AGPL-3.0-or-later
"""`hubs up --public-address`: where Synapse and the SFU listen and which URLs the links use."""

from pathlib import Path

from synapse_hubs.cli.deployment import Deployment, DeploymentSecrets
from synapse_hubs.cli.main import _build_parser, deployment_from_args
from synapse_hubs.cli.synapse_config import synapse_overlay

LAN_ADDRESS = "192.0.2.10"


def lan_deployment(tmp_path: Path) -> Deployment:
    args = _build_parser().parse_args(
        ["up", "--data-dir", str(tmp_path), "--public-address", LAN_ADDRESS])
    return deployment_from_args(args)


def test_links_use_public_address(tmp_path):
    deployment = lan_deployment(tmp_path)

    assert deployment.public_baseurl == f"http://{LAN_ADDRESS}:8008/"
    assert deployment.sfu_ws_url == f"ws://{LAN_ADDRESS}:7880"
    assert deployment.local_baseurl == "http://127.0.0.1:8008/"
    assert deployment.sfu_announce_addresses == (LAN_ADDRESS,)


def test_synapse_listens_on_loopback_and_public_address(tmp_path):
    overlay = synapse_overlay(lan_deployment(tmp_path), DeploymentSecrets.generate(),
                              tmp_path / "log.yaml")

    listener = overlay["listeners"][0]
    assert listener["bind_addresses"] == ["127.0.0.1", LAN_ADDRESS]
    assert overlay["public_baseurl"] == f"http://{LAN_ADDRESS}:8008/"


def test_default_stays_on_loopback(tmp_path):
    deployment = Deployment(data_dir=tmp_path)

    assert deployment.http_bind_addresses == ["127.0.0.1"]
    assert deployment.public_baseurl == "http://127.0.0.1:8008/"
