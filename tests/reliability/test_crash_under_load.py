"""Crash safety under load: client threads create, update and delete experiments, clusters and
workspace tags over HTTP while the server is killed with SIGKILL at random (seeded) moments; after
each restart on the same data dir every acknowledged change is there, every GET and list answers
whole documents, and every operation accepted before the crash finishes (Succeeded or Failed).

    BATCHAI_EMULATOR=build/batchai-emulator python3 test_crash_under_load.py [-v]
Environment: EMU_CRASH_CYCLES (default 20), EMU_CRASH_SEED (default 8).
"""

import os
import random
import threading
import time
import unittest

from reliability_client import (TRANSIENT_STATES, Client, ConnectionLost, EmulatorProcess, Ledger,
                                check_resource_document, cluster_body, workspace_path)

CYCLES = int(os.environ.get("EMU_CRASH_CYCLES", "20"))
SEED = int(os.environ.get("EMU_CRASH_SEED", "8"))
THREADS = 3


class Worker:
    """One client thread; it alone touches its workspace, so its ledger is exact."""

    def __init__(self, index, client, rng):
        self.index = index
        self.client = client
        self.rng = rng
        self.ws = f"ws{index}"
        self.ledger = Ledger()
        self.counter = 0
        self.acknowledged = 0
        self.failure = None
        self.stop = threading.Event()

    def path(self, key):
        kind, name = key.split(":")
        return f"{workspace_path(self.ws)}/{kind}/{name}"

    def names(self, kind, state):
        return [k for k, v in self.ledger.states.items()
                if k.startswith(kind + ":") and v == {state}]

    def one_operation(self):
        self.counter += 1
        choice = self.rng.random()
        if choice < 0.3:
            key, body, state = f"experiments:e{self.counter}", {}, "present"
            method = "PUT"
        elif choice < 0.45 and len(self.names("clusters", "present")) < 5:
            # Few clusters per worker: the subscription's cluster quota (20) is not what is tested.
            key, body, state = f"clusters:c{self.counter}", cluster_body(self.rng.choice([0, 0, 1])), "present"
            method = "PUT"
        elif choice < 0.75:
            candidates = self.names("experiments", "present") + self.names("clusters", "present")
            if not candidates:
                return
            key, body, state, method = self.rng.choice(sorted(candidates)), None, "absent", "DELETE"
        else:
            key, state = "tags:v", str(self.counter)
            body, method = {"tags": {"v": state}}, "PATCH"
        path = workspace_path(self.ws) if key == "tags:v" else self.path(key)
        before = set(self.ledger.allowed(key))
        self.ledger.pending(key, state)
        status, answer, headers = self.client.call(method, path, body)
        if status == 409 and (answer or {}).get("error", {}).get("code", "").endswith("QuotaReached"):
            self.ledger.states[key] = before  # refused cleanly: nothing changed
            return
        if status not in (200, 201, 202, 204):
            raise AssertionError(f"{method} {path} answered {status}: {answer}")
        self.ledger.acknowledged(key, state)
        self.acknowledged += 1
        operation = self.client.operation_path(headers)
        if operation:
            self.ledger.operations.append(operation)

    def run(self):
        try:
            while not self.stop.is_set():
                self.one_operation()
        except ConnectionLost:
            pass  # the kill: the request in flight stays pending in the ledger
        except BaseException as failure:  # noqa: BLE001 - reported by the test thread
            self.failure = failure

    def verify(self, client):
        """After a restart: operations finish, then every resource is what the ledger allows."""
        for operation in self.ledger.operations:
            final = client.wait_operation(operation)
            if final.get("status") not in ("Succeeded", "Failed", "Canceled"):
                raise AssertionError(f"operation {operation} ended as {final}")
        self.ledger.operations.clear()
        status, workspace, _ = client.call("GET", workspace_path(self.ws))
        if status != 200:
            raise AssertionError(f"workspace {self.ws} answered {status} after the restart: {workspace}")
        check_resource_document(workspace, "workspaces")
        self.ledger.settle("tags:v", (workspace.get("tags") or {}).get("v", "absent"))
        for key in sorted(self.ledger.states):
            if key == "tags:v":
                continue
            kind = key.split(":")[0]
            deadline = time.monotonic() + 20
            while True:
                status, document, _ = client.call("GET", self.path(key))
                if status == 404:
                    observed = "absent"
                    break
                if status != 200:
                    raise AssertionError(f"GET {key} answered {status}: {document}")
                check_resource_document(document, kind)
                # A request in flight at the crash may have been accepted: let its operation end.
                if document["properties"]["provisioningState"] not in TRANSIENT_STATES:
                    observed = "present"
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{key} stuck in {document['properties']['provisioningState']}")
                time.sleep(0.05)
            self.ledger.settle(key, observed)
            if observed == "absent":
                del self.ledger.states[key]  # names are never reused: nothing more to check
        for kind in ("experiments", "clusters"):
            status, listing, _ = client.call("GET", f"{workspace_path(self.ws)}/{kind}")
            if status != 200:
                raise AssertionError(f"list {kind} answered {status}: {listing}")
            for document in listing["value"]:
                check_resource_document(document, kind)
            listed = sorted(f"{kind}:{d['name']}" for d in listing["value"]
                            if d["properties"]["provisioningState"] not in ("deleting",))
            expected = sorted(self.names(kind, "present"))
            if listed != expected:
                raise AssertionError(f"list {kind} in {self.ws}: {listed}, expected {expected}")


class CrashUnderLoadTest(unittest.TestCase):

    def test_acknowledged_changes_survive_sigkill_under_load(self):
        rng = random.Random(SEED)
        started = time.monotonic()
        with EmulatorProcess(time_scale="100") as emu:
            client = Client(emu.http_url)
            workers = [Worker(i, client, random.Random(rng.random())) for i in range(THREADS)]
            for worker in workers:
                status, _, headers = client.call("PUT", workspace_path(worker.ws), {"location": "eastus"})
                self.assertIn(status, (200, 201, 202))
                if client.operation_path(headers):
                    client.wait_operation(client.operation_path(headers))
            acknowledged_total = 0
            for cycle in range(CYCLES):
                for worker in workers:
                    worker.stop.clear()
                threads = [threading.Thread(target=w.run, daemon=True) for w in workers]
                for thread in threads:
                    thread.start()
                time.sleep(rng.uniform(0.05, 0.5))
                emu.kill9()
                for worker in workers:
                    worker.stop.set()
                for thread in threads:
                    thread.join(timeout=15)
                    self.assertFalse(thread.is_alive(), "a client thread hung after the kill")
                for worker in workers:
                    if worker.failure:
                        raise AssertionError(f"cycle {cycle}, worker {worker.index}") from worker.failure
                emu.start(keep_ports=True)
                client = Client(emu.http_url)
                for worker in workers:
                    worker.client = client
                    try:
                        worker.verify(client)
                    except AssertionError as failure:
                        raise AssertionError(f"cycle {cycle} (seed {SEED}), worker {worker.index}: "
                                             f"{failure}\n{emu.stderr_text()[-3000:]}") from None
            acknowledged_total = sum(w.acknowledged for w in workers)
            print(f"\n{CYCLES} SIGKILL cycles survived, {acknowledged_total} acknowledged changes "
                  f"checked, {time.monotonic() - started:.1f} s")
            self.assertGreater(acknowledged_total, CYCLES, "the load generated too few changes")

    def test_sigterm_under_load_loses_nothing(self):
        """Graceful shutdown: SIGTERM while clients write; exit code 0, and after the restart the
        same checks as after a crash (acknowledged changes there, whole documents)."""
        rng = random.Random(SEED + 1)
        with EmulatorProcess(time_scale="100") as emu:
            client = Client(emu.http_url)
            workers = [Worker(i, client, random.Random(rng.random())) for i in range(THREADS)]
            for worker in workers:
                status, _, headers = client.call("PUT", workspace_path(worker.ws), {"location": "eastus"})
                self.assertIn(status, (200, 201, 202))
            for cycle in range(5):
                for worker in workers:
                    worker.stop.clear()
                threads = [threading.Thread(target=w.run, daemon=True) for w in workers]
                for thread in threads:
                    thread.start()
                time.sleep(rng.uniform(0.1, 0.4))
                self.assertEqual(emu.terminate(), 0, f"cycle {cycle}: SIGTERM must stop with exit 0")
                for worker in workers:
                    worker.stop.set()
                for thread in threads:
                    thread.join(timeout=15)
                for worker in workers:
                    if worker.failure:
                        raise AssertionError(f"cycle {cycle}, worker {worker.index}") from worker.failure
                emu.start(keep_ports=True)
                client = Client(emu.http_url)
                for worker in workers:
                    worker.client = client
                    worker.verify(client)
            self.assertNotIn("shutdown failed", emu.stderr_text())


if __name__ == "__main__":
    unittest.main()
