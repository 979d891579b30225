# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP client for calls from Synapse to e-ID providers, on Twisted.

ModuleApi.http_client cannot present a client certificate, which the
BankID RP API requires (mutual TLS), and it applies Synapse's IP range
blocklist, which is meant for URLs that users supply. Provider URLs come
only from the admin's config, so this client uses its own Twisted Agent
with an optional client certificate and CA bundle per provider.
"""

import json
import logging
from pathlib import Path
from typing import Any

import treq
from synapse.module_api import make_deferred_yieldable
from twisted.internet import reactor
from twisted.internet.ssl import (
    Certificate,
    PrivateCertificate,
    optionsForClientTLS,
    platformTrust,
    trustRootFromCertificates,
)
from twisted.web.client import Agent, HTTPConnectionPool
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

logger = logging.getLogger(__name__)

TIMEOUT_S = 15
MAX_BODY_BYTES = 1024 * 1024


class ProviderHttpError(Exception):
    """A provider could not be reached or returned an unusable response."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@implementer(IPolicyForHTTPS)
class _TlsPolicy:
    def __init__(self, ca_cert_path: Path | None, client_cert_path: Path | None,
                 client_key_path: Path | None) -> None:
        self._trust_root = platformTrust()
        if ca_cert_path is not None:
            self._trust_root = trustRootFromCertificates(
                [Certificate.loadPEM(ca_cert_path.read_bytes())]
            )
        self._client_certificate = None
        if client_cert_path is not None and client_key_path is not None:
            self._client_certificate = PrivateCertificate.loadPEM(
                client_cert_path.read_bytes() + b"\n" + client_key_path.read_bytes()
            )

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        return optionsForClientTLS(
            hostname.decode("ascii"),
            trustRoot=self._trust_root,
            clientCertificate=self._client_certificate,
        )


class OutboundHttp:
    """JSON and form requests to one provider, with its own TLS settings."""

    def __init__(self, ca_cert_path: Path | None = None, client_cert_path: Path | None = None,
                 client_key_path: Path | None = None) -> None:
        policy = _TlsPolicy(ca_cert_path, client_cert_path, client_key_path)
        pool = HTTPConnectionPool(reactor, persistent=True)
        self._agent = Agent(reactor, contextFactory=policy, pool=pool)

    async def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        return await self._request("GET", url, headers=headers)

    async def post_form(self, url: str, form: dict[str, str],
                        headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        return await self._request("POST", url, headers=headers, data=form)

    async def post_json(self, url: str, body: dict[str, Any]) -> tuple[int, Any]:
        status, content, _ = await self._request(
            "POST", url, headers={"Content-Type": "application/json"},
            data=json.dumps(body).encode("utf-8"),
        )
        return status, parse_json(content, url)

    async def _request(self, method: str, url: str, headers: dict[str, str] | None = None,
                       data: Any = None) -> tuple[int, bytes, str]:
        # treq's Deferreds know nothing of Synapse's log contexts. Awaited bare,
        # they let the request's context leak into the reactor, and Synapse then
        # stops looping calls such as the e-ID cleanup ("Looping call died").
        try:
            response = await make_deferred_yieldable(treq.request(
                method, url, headers=headers or {}, data=data, agent=self._agent,
                timeout=TIMEOUT_S,
            ))
            content = await make_deferred_yieldable(treq.content(response))
        except Exception as error:
            # The URL is admin config, never user data, so it is safe to log.
            logger.warning("Request to e-ID provider %s %s failed: %r", method, url, error)
            raise ProviderHttpError(f"{method} {url} failed: {error!r}") from error

        if len(content) > MAX_BODY_BYTES:
            raise ProviderHttpError(f"{method} {url} returned a response larger than 1 MiB")
        content_type = (response.headers.getRawHeaders(b"content-type") or [b""])[0]
        return response.code, content, content_type.decode("latin-1").split(";")[0].strip()


def parse_json(content: bytes, url: str) -> Any:
    try:
        return json.loads(content)
    except ValueError as error:
        raise ProviderHttpError(f"{url} returned a response that is not JSON") from error
