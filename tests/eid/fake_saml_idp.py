# SPDX-License-Identifier: AGPL-3.0-or-later
"""A SAML2 identity provider built from pysaml2's own IdP parts, in the test process.

It responds to the AuthnRequest that Synapse sends the browser to with a
signed assertion in the Swedish eID Framework attribute profile, or with
one chosen fault. No server is needed: the test reads the request from the
redirect URL and posts the response to the ACS itself, as a browser would.
"""

import base64
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import entity_descriptor
from saml2.server import Server

IDP_ENTITY_ID = "http://127.0.0.1:9/saml-idp"
SP_ENTITY_ID = "https://hubs.test/saml"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"


def self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}"],
                   check=True, capture_output=True)
    return key, cert


class FakeSamlIdp:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self.key_path, self.cert_path = self_signed(directory, "saml-idp")
        self.sp_key_path, self.sp_cert_path = self_signed(directory, "saml-sp")
        self.metadata_path = directory / "idp-metadata.xml"
        self.metadata_path.write_text(str(entity_descriptor(self._config(None))))
        self._server: Server | None = None

    def provider_config(self, provider_id: str, method: str) -> dict[str, Any]:
        return {"id": provider_id, "type": "saml", "methods": [method],
                "sp_entity_id": SP_ENTITY_ID, "idp_metadata_path": str(self.metadata_path),
                "sp_key_path": str(self.sp_key_path), "sp_cert_path": str(self.sp_cert_path)}

    def trust_service_provider(self, acs_url: str) -> None:
        """Load the SP's metadata, which needs the homeserver's ACS URL."""
        sp_config = SPConfig()
        sp_config.load({
            "entityid": SP_ENTITY_ID, "key_file": str(self.sp_key_path),
            "cert_file": str(self.sp_cert_path),
            "service": {"sp": {"endpoints": {
                "assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]}}},
        })
        sp_metadata = self._directory / "sp-metadata.xml"
        sp_metadata.write_text(str(entity_descriptor(sp_config)))
        self._server = Server(config=self._config(sp_metadata))

    def respond(self, redirect_location: str, class_ref: str = LOA3,
                number: str = "191212121212", tamper: bool = False,
                in_response_to: str | None = None) -> dict[str, str]:
        """Return the form fields (SAMLResponse, RelayState) the IdP would post back."""
        assert self._server is not None, "call trust_service_provider first"
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect_location).query))
        request = self._server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        response = str(self._server.create_authn_response(
            identity={"urn:oid:1.2.752.29.4.13": [number], "urn:oid:2.5.4.42": ["Tolvan"],
                      "urn:oid:2.5.4.4": ["Tolvansson"]},
            in_response_to=in_response_to or request.message.id,
            destination=request.message.assertion_consumer_service_url,
            sp_entity_id=SP_ENTITY_ID, userid="tolvan", name_id_policy=None,
            authn={"class_ref": class_ref, "authn_auth": IDP_ENTITY_ID},
            sign_assertion=True, sign_response=False,
        ))
        if tamper:
            # Change the signed name after signing, as an attacker would.
            response = response.replace("Tolvansson", "Mallory")
        return {"SAMLResponse": base64.b64encode(response.encode()).decode(),
                "RelayState": query["RelayState"]}

    def _config(self, sp_metadata: Path | None) -> IdPConfig:
        config = IdPConfig()
        settings: dict[str, Any] = {
            "entityid": IDP_ENTITY_ID, "key_file": str(self.key_path),
            "cert_file": str(self.cert_path),
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [
                    (IDP_ENTITY_ID + "/sso", BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {
                    "lifetime": {"minutes": 5}, "attribute_restrictions": None,
                    "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}},
            }},
        }
        if sp_metadata is not None:
            settings["metadata"] = {"local": [str(sp_metadata)]}
        config.load(settings)
        return config
