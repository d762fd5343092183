"""Plain HTTP against one `serve` process for the reliability tests, and a model of what the server
acknowledged, so that a test can say after a crash which states a resource may be in.

    client = Client(emu.http_url)
    status, body, headers = client.call("PUT", workspace_path("ws"), {"location": "eastus"})
    ledger.acknowledged("ws/e1", "present")   # or ledger.pending("ws/e1", "absent") before sending
"""

import http.client
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sdk"))

from emulator_process import EmulatorProcess, require_binary  # noqa: E402,F401

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "reliability"
API = "api-version=2018-05-01"
PREFIX = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.BatchAI"
# Provisioning states a resource passes through while an operation on it is still running.
TRANSIENT_STATES = ("creating", "deleting", "updating", "resizing")


def workspace_path(ws):
    return f"{PREFIX}/workspaces/{ws}"


def cluster_body(target_nodes=0):
    return {"properties": {
        "vmSize": "STANDARD_NC6",
        "scaleSettings": {"manual": {"targetNodeCount": target_nodes}},
        "userAccountSettings": {"adminUserName": "demoUser", "adminUserPassword": "Sup3rS3cret!"}}}


class ConnectionLost(Exception):
    """No complete answer: the server died (or was killed) while the request was in flight."""


class Client:
    def __init__(self, base_url, timeout=10.0, token=None):
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.timeout = timeout
        self.token = token

    def call(self, method, path, body=None, query=API):
        """One request on a fresh connection: (status, parsed JSON or None, headers dict)."""
        target = path if "?" in path or query is None else f"{path}?{query}"
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, target, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
        except (OSError, http.client.HTTPException) as failure:
            raise ConnectionLost(f"{method} {path}: {failure!r}") from None
        finally:
            connection.close()
        parsed = None
        if payload:
            # A body that is not JSON is a finding in itself: let the test see it fail.
            parsed = json.loads(payload)
        return response.status, parsed, answer_headers

    def operation_path(self, headers):
        url = headers.get("azure-asyncoperation")
        if not url:
            return None
        parts = urllib.parse.urlsplit(url)
        return f"{parts.path}?{parts.query}"

    def wait_operation(self, path, timeout=20.0):
        """Polls an Azure-AsyncOperation URL until it leaves InProgress; returns the final document."""
        deadline = time.monotonic() + timeout
        while True:
            status, body, _ = self.call("GET", path, query=None)
            if status != 200:
                raise AssertionError(f"operation {path} answered {status}: {body}")
            if body.get("status") not in ("InProgress",):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"operation {path} still InProgress after {timeout} s: {body}")
            time.sleep(0.05)


def check_resource_document(document, kind):
    """Every GET answers a whole, valid resource: never a torn or half-filled one."""
    problems = []
    for field in ("id", "name", "type"):
        if not isinstance(document.get(field), str) or not document[field]:
            problems.append(f"missing {field}")
    if not document.get("type", "").lower().endswith(kind.lower()):
        problems.append(f"type {document.get('type')!r} is not {kind}")
    properties = document.get("properties")
    if not isinstance(properties, dict):
        problems.append("missing properties")
    elif not isinstance(properties.get("provisioningState"), str):
        problems.append("missing properties.provisioningState")
    if problems:
        raise AssertionError(f"{kind} document is not whole ({', '.join(problems)}): {document}")


class Ledger:
    """What each resource may be after a crash: the last acknowledged state, plus the state a
    request in flight at the crash would have made (its answer never came, so either holds)."""

    def __init__(self):
        self.states = {}  # key -> set of allowed states ("present", "absent", or a tag value)
        self.operations = []  # Azure-AsyncOperation paths of acknowledged operations

    def pending(self, key, state):
        self.states.setdefault(key, {"absent"}).add(state)

    def acknowledged(self, key, state):
        self.states[key] = {state}

    def allowed(self, key):
        return self.states.get(key, {"absent"})

    def settle(self, key, observed):
        allowed = self.allowed(key)
        if observed not in allowed:
            raise AssertionError(f"{key}: after the restart it is {observed!r}, but the server had "
                                 f"acknowledged {sorted(allowed)!r}")
        self.states[key] = {observed}
