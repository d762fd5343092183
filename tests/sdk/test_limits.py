"""The engine's limits through the real Python SDK (`limits:` in the --config file, docs/settings.md):
a long-running call over limits.maxOperationsInFlight is a 429 CloudError TooManyOperationsInFlight
with Retry-After, a job over limits.maxJobsPerExperiment a 409 JobQuotaReached; each message says the
limit, the count and the setting; nothing is created, and the same call passes once an operation has
finished or a job has been deleted. limits.journalRecordsInMemory bounds the journal kept in memory
without losing any of it to the events API."""

import unittest

from sdk_support import (RESOURCE_GROUP, EmulatorTestCase, HttpResponseError, cluster_body,
                         cluster_params, cluster_path)

PROVISIONING_S = 600


class LimitTests(EmulatorTestCase):
    emulator_settings = (f"cluster:\n  provisioningDelay: {PROVISIONING_S}\n"
                         "limits:\n  maxOperationsInFlight: 1\n  maxJobsPerExperiment: 2\n")

    def sdk_error(self, call):
        with self.assertRaises(HttpResponseError) as caught:
            call()
        return caught.exception

    def test_an_operation_over_the_limit_is_a_429_the_sdk_surfaces(self):
        ws = self.create_workspace().name
        # The first cluster's creation takes PROVISIONING_S simulated seconds and holds the one slot.
        first = self.client.clusters.begin_create(RESOURCE_GROUP, ws, "first", cluster_params(target_nodes=0),
                                                  **self.lro())
        error = self.sdk_error(lambda: self.client.clusters.begin_create(
            RESOURCE_GROUP, ws, "second", cluster_params(target_nodes=0), **self.lro()))
        cloud = self.assertCloudError(error, 429, "TooManyOperationsInFlight")
        self.assertIn("1 long-running operations are in flight", cloud.message)
        self.assertIn("limit is 1", cloud.message)
        self.assertIn("limits.maxOperationsInFlight", cloud.message)
        # Nothing was made of the refused call.
        self.assertEqual([c.name for c in self.client.clusters.list_by_workspace(RESOURCE_GROUP, ws)], ["first"])
        self.assertNotFound(lambda: self.client.clusters.get(RESOURCE_GROUP, ws, "second"), "ClusterNotFound")

        # On the wire: 429 with Retry-After, so that clients with retries wait and try again.
        raw = self.raw.put(cluster_path(ws, "second"), cluster_body(target_nodes=0))
        self.assertCloudError(raw, 429, "TooManyOperationsInFlight")
        self.assertGreaterEqual(int(raw.header("Retry-After")), 1, raw.headers)

        self.assertEqual(first.result().provisioning_state, "succeeded")
        second = self.client.clusters.begin_create(RESOURCE_GROUP, ws, "second", cluster_params(target_nodes=0),
                                                   **self.lro()).result()
        self.assertEqual(second.provisioning_state, "succeeded")

    def test_a_job_over_the_limit_is_a_409_and_a_deleted_job_makes_room(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=0))
        exp = self.create_experiment(ws).name
        for name in ("j1", "j2"):
            self.create_job(ws, exp, cluster, name=name)
        error = self.sdk_error(lambda: self.create_job(ws, exp, cluster, name="j3"))
        cloud = self.assertCloudError(error, 409, "JobQuotaReached")
        self.assertIn(f"experiment {exp} has 2 jobs", cloud.message)
        self.assertIn("limit is 2", cloud.message)
        self.assertIn("limits.maxJobsPerExperiment", cloud.message)
        self.assertEqual(sorted(j.name for j in self.client.jobs.list_by_experiment(RESOURCE_GROUP, ws, exp)),
                         ["j1", "j2"])

        # Another experiment has its own count; a deleted job makes room in this one.
        other = self.create_experiment(ws).name
        self.create_job(ws, other, cluster, name="j3")
        self.client.jobs.begin_delete(RESOURCE_GROUP, ws, exp, "j1", **self.lro()).result()
        job = self.create_job(ws, exp, cluster, name="j3")
        self.assertEqual(job.name, "j3")


class JournalRecordsInMemoryTests(EmulatorTestCase):
    """limits.journalRecordsInMemory: serve keeps only the newest journal records in memory, and the
    events API still pages through the whole history, from the data dir, before and after a kill -9."""
    emulator_settings = "limits:\n  journalRecordsInMemory: 5\n"

    def all_events(self, page):
        events, since = [], 0
        while True:
            answer = self.emulator.admin("GET", f"/emulator/v1/events?since={since}&limit={page}")
            if not answer["value"]:
                return events, answer
            events += answer["value"]
            since = answer["value"][-1]["seq"]

    def test_the_whole_history_pages_from_the_data_dir_across_a_restart(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=1))
        exp = self.create_experiment(ws).name
        for i in range(3):
            self.create_job(ws, exp, cluster, name=f"j{i}")
        self.advance(600)
        before, answer = self.all_events(4)
        self.assertGreater(len(before), 20)
        self.assertEqual([e["seq"] for e in before], list(range(1, answer["lastSequence"] + 1)))
        self.assertEqual(answer["oldestSequence"], 1)
        self.assertTrue(any(e["kind"] == "workspace" and e["subject"].endswith(ws) for e in before))

        self.emulator.restart(crash=True)
        after, answer = self.all_events(7)
        self.assertEqual(after[:len(before)], before, "the history read back after the restart")
        self.assertEqual([e["seq"] for e in after], list(range(1, answer["lastSequence"] + 1)))
        self.assertEqual(self.client.jobs.get(RESOURCE_GROUP, ws, exp, "j2").name, "j2")


if __name__ == "__main__":
    unittest.main()
