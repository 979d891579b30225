# SPDX-License-Identifier: AGPL-3.0-or-later
"""A BankID RP API v6 on loopback (plain HTTP, no mutual TLS) that tests steer.

Modelled on BankID's documented behaviour: /auth returns an order, /collect
walks through pending hint codes and then completes or fails as the
scenario says, /cancel makes the order `failed/cancelled`, and a second
order for the same person while one is running fails with
alreadyInProgress. Every call is recorded with its time, so tests can check
the collect interval and that abandoned orders are cancelled.
"""

import http.server
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.eid.fake_openid_provider import TEST_NUMBER
from tests.harness.ports import free_port

PENDING_HINTS = ("outstandingTransaction", "started", "userSign")
FAILURE_HINTS = ("userCancel", "expiredTransaction", "certificateErr", "startFailed")


@dataclass
class FakeOrder:
    order_ref: str
    scenario: str
    collects: int = 0
    cancelled: bool = False


@dataclass
class FakeBankIdApi:
    scenario: str = "success"
    personal_number: str = TEST_NUMBER
    pending_collects: int = 2
    orders: dict[str, FakeOrder] = field(default_factory=dict)
    # (endpoint, monotonic time, orderRef or None)
    calls: list[tuple[str, float, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/rp/v6.0/"
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port),
                                                       _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "FakeBankIdApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, scenario: str = "success", personal_number: str = TEST_NUMBER) -> None:
        with self._lock:
            self.scenario = scenario
            self.personal_number = personal_number
            self.orders.clear()
            self.calls.clear()

    def calls_to(self, endpoint: str) -> list[tuple[str, float, str | None]]:
        with self._lock:
            return [call for call in self.calls if call[0] == endpoint]

    def handle(self, endpoint: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append((endpoint, time.monotonic(), body.get("orderRef")))
            if endpoint == "auth":
                return self._auth(body)
            order = self.orders.get(body.get("orderRef", ""))
            if order is None:
                return 400, {"errorCode": "invalidParameters", "details": "No such order"}
            if endpoint == "cancel":
                order.cancelled = True
                return 200, {}
            return 200, self._collect(order)

    def _auth(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not body.get("endUserIp"):
            return 400, {"errorCode": "invalidParameters", "details": "endUserIp missing"}
        if self.scenario == "alreadyInProgress":
            return 400, {"errorCode": "alreadyInProgress", "details": "Order already running"}
        order = FakeOrder(str(uuid.uuid4()), self.scenario)
        self.orders[order.order_ref] = order
        return 200, {"orderRef": order.order_ref, "autoStartToken": str(uuid.uuid4()),
                     "qrStartToken": str(uuid.uuid4()), "qrStartSecret": str(uuid.uuid4())}

    def _collect(self, order: FakeOrder) -> dict[str, Any]:
        order.collects += 1
        answer: dict[str, Any] = {"orderRef": order.order_ref}
        if order.cancelled:
            return {**answer, "status": "failed", "hintCode": "cancelled"}
        if order.collects <= self.pending_collects:
            hint = PENDING_HINTS[min(order.collects - 1, len(PENDING_HINTS) - 1)]
            return {**answer, "status": "pending", "hintCode": hint}
        if order.scenario in FAILURE_HINTS:
            return {**answer, "status": "failed", "hintCode": order.scenario}
        if order.scenario == "pending_forever":
            return {**answer, "status": "pending", "hintCode": "outstandingTransaction"}
        return {**answer, "status": "complete", "completionData": {
            "user": {"personalNumber": self.personal_number, "name": "Tolvan Tolvansson",
                     "givenName": "Tolvan", "surname": "Tolvansson"},
            "device": {"ipAddress": "192.0.2.77", "uhi": "FAKE-UHI-VALUE"},
            "bankIdIssueDate": "2020-01-01",
            "signature": "RkFLRS1TSUdOQVRVUkUtVkFMVUU=",
            "ocspResponse": "RkFLRS1PQ1NQLVJFU1BPTlNF",
        }}


def _handler_for(api: FakeBankIdApi) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            endpoint = self.path.removeprefix("/rp/v6.0/")
            length = int(self.headers.get("Content-Length", 0))
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                status, answer = 400, {"errorCode": "invalidParameters", "details": "Bad JSON"}
            else:
                if endpoint in ("auth", "collect", "cancel"):
                    status, answer = api.handle(endpoint, body)
                else:
                    status, answer = 404, {"errorCode": "notFound", "details": endpoint}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
