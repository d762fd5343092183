"""The engine's limits through the real Python SDK (`limits:` in the --config file, docs/settings.md):
a long-running call over limits.maxOperationsInFlight is a 429 CloudError TooManyOperationsInFlight
with Retry-After, a job over limits.maxJobsPerExperiment a 409 JobQuotaReached; each message says the
limit, the count and the setting; nothing is created, and the same call passes once an operation has
finished or a job has been deleted."""

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


if __name__ == "__main__":
    unittest.main()
