# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fixtures for e-ID tests: fake providers on loopback and a Synapse that uses them."""

from pathlib import Path
from typing import Iterator

import pytest
from joserfc.jwk import RSAKey

from tests.conftest import DATABASES, start_homeserver
from tests.eid.fake_bankid_api import FakeBankIdApi
from tests.eid.fake_openid_provider import FakeOpenIdProvider
from tests.eid.fake_saml_idp import FakeSamlIdp
from tests.harness.homeserver import Homeserver

CLIENT_SECRET = "test-client-secret-0123456789abcdef"


class FakeProviders:
    """Every fake provider one e-ID homeserver is configured with."""

    def __init__(self, key_dir: Path) -> None:
        rp_key = RSAKey.generate_key(2048, parameters={"kid": "hubs-rp-1"}, private=True)
        self.rp_key_path = key_dir / "rp-key.pem"
        self.rp_key_path.write_bytes(rp_key.as_pem(private=True))
        public_key = RSAKey.import_key(rp_key.as_dict(private=False))

        self.idura = FakeOpenIdProvider("idura", client_public_key=public_key).start()
        self.sweden_connect = FakeOpenIdProvider("oidc_sweden",
                                                 client_public_key=public_key).start()
        self.freja = FakeOpenIdProvider("freja", client_secret=CLIENT_SECRET).start()
        self.inera = FakeOpenIdProvider("inera", client_secret=CLIENT_SECRET).start()
        self.bankid = FakeBankIdApi().start()
        self.saml = FakeSamlIdp(key_dir)

    def all_openid(self) -> list[FakeOpenIdProvider]:
        return [self.idura, self.sweden_connect, self.freja, self.inera]

    def reset(self) -> None:
        for provider in self.all_openid():
            provider.reset()
        self.bankid.reset()

    def stop(self) -> None:
        for provider in self.all_openid():
            provider.stop()
        self.bankid.stop()

    def eid_config(self) -> dict:
        private_key_jwt = {"client_auth": "private_key_jwt",
                           "private_key_path": str(self.rp_key_path)}
        return {
            "verification_lifetime_s": 3600,
            "providers": [
                {"id": "idura", "type": "oidc", "profile": "idura", "issuer": self.idura.issuer,
                 "client_id": "hubs-rp", "methods": ["bankid"], "display_name": "Idura",
                 **private_key_jwt},
                {"id": "sweden-connect", "type": "oidc", "profile": "oidc_sweden",
                 "issuer": self.sweden_connect.issuer, "client_id": "hubs-rp",
                 "methods": ["bankid"], "display_name": "Sweden Connect", **private_key_jwt},
                {"id": "freja", "type": "oidc", "profile": "freja", "issuer": self.freja.issuer,
                 "client_id": "hubs-rp", "client_auth": "client_secret_basic",
                 "client_secret": CLIENT_SECRET, "methods": ["freja"]},
                {"id": "inera", "type": "oidc", "profile": "inera", "issuer": self.inera.issuer,
                 "client_id": "hubs-rp", "client_auth": "client_secret_post",
                 "client_secret": CLIENT_SECRET, "methods": ["siths"]},
                {"id": "bankid", "type": "bankid", "api_url": self.bankid.url,
                 "display_name": "BankID"},
                self.saml.provider_config("saml-freja", "freja"),
            ],
        }


@pytest.fixture(scope="session")
def fake_providers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeProviders]:
    providers = FakeProviders(tmp_path_factory.mktemp("eid-keys"))
    yield providers
    providers.stop()


@pytest.fixture(scope="session", params=DATABASES)
def eid_homeserver(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   fake_providers: FakeProviders) -> Iterator[Homeserver]:
    server = start_homeserver(
        tmp_path_factory, request.param,
        module_overrides={"eid": fake_providers.eid_config()},
        synapse_overrides={"allow_guest_access": True},
    )
    fake_providers.saml.trust_service_provider(
        server.base_url + "/_synapse/client/hubs/eid/saml/acs")
    yield server
    server.stop()


@pytest.fixture
def providers(fake_providers: FakeProviders) -> FakeProviders:
    """The fake providers, reset to their success scenario for this test."""
    fake_providers.reset()
    return fake_providers
