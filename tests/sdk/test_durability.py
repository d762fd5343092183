"""Durability: what the emulator acknowledged survives kill -9 and a restart on the same data dir,
and operations accepted before the crash still finish afterwards."""

import unittest

from sdk_support import (RESOURCE_GROUP, EmulatorTestCase, SimClockPolling, cluster_params,
                         cluster_path, file_server_body, job_params, make_client, models,
                         workspace_path)


class DurabilityTests(EmulatorTestCase):

    def restart(self, crash=True):
        """Crash (or stop) and start on the same data dir and ports, so URLs handed out before
        (operation results) stay valid; the SDK client is made anew."""
        self.emulator.restart(keep_ports=True, crash=crash)
        self.renew_client()

    def renew_client(self):
        old, fresh = type(self).client, make_client(self.emulator)
        type(self).client = fresh
        self.addClassCleanup(fresh.close)
        old.close()

    def snapshot(self, ws, cluster, exp, job, fs):
        c = self.client
        return {
            "workspace": c.workspaces.get(RESOURCE_GROUP, ws).as_dict(),
            "cluster": c.clusters.get(RESOURCE_GROUP, ws, cluster).as_dict(),
            "experiment": c.experiments.get(RESOURCE_GROUP, ws, exp).as_dict(),
            "job": c.jobs.get(RESOURCE_GROUP, ws, exp, job).as_dict(),
            "file servers": [f.as_dict() for f in c.file_servers.list_by_workspace(RESOURCE_GROUP,
                                                                                  ws)],
            "clusters": sorted(x.name for x in c.clusters.list_by_workspace(RESOURCE_GROUP, ws)),
            "experiments": sorted(x.name for x in c.experiments.list_by_workspace(RESOURCE_GROUP,
                                                                                 ws)),
        }

    def test_acknowledged_state_survives_kill9(self):
        ws = self.create_workspace(tags={"v": "1"}).name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=0))
        fs = self.create_file_server(ws).name
        exp = self.create_experiment(ws).name
        doomed = self.create_experiment(ws).name
        job = self.create_job(ws, exp, cluster).name
        self.client.workspaces.update(RESOURCE_GROUP, ws, models.WorkspaceUpdateParameters(
            tags={"v": "2"}))
        self.client.clusters.update(RESOURCE_GROUP, ws, cluster.name, models.ClusterUpdateParameters(
            scale_settings=models.ScaleSettings(auto_scale=models.AutoScaleSettings(
                minimum_node_count=0, maximum_node_count=2))))
        self.client.experiments.begin_delete(RESOURCE_GROUP, ws, doomed, **self.lro()).result()
        before = self.snapshot(ws, cluster.name, exp, job, fs)
        clock_before = self.emulator.health()["now"]

        self.restart(crash=True)

        after = self.snapshot(ws, cluster.name, exp, job, fs)
        self.assertEqual(after["workspace"]["tags"], {"v": "2"})
        self.assertEqual(after["cluster"]["scale_settings"]["auto_scale"]["maximum_node_count"], 2)
        self.assertNotIn(doomed, after["experiments"])
        # Time-derived fields may move on (a queued job stays queued); identities must not.
        for key in ("workspace", "experiment", "file servers", "clusters", "experiments"):
            self.assertEqual(after[key], before[key], key)
        for field in ("id", "job_output_directory_path_segment", "creation_time", "cluster",
                      "environment_variables", "node_count"):
            self.assertEqual(after["job"].get(field), before["job"].get(field), field)
        self.assertGreaterEqual(self.emulator.health()["now"], clock_before,
                                "the simulated clock went backwards across a restart")
        self.assertNotFound(lambda: self.client.experiments.get(RESOURCE_GROUP, ws, doomed),
                            "ExperimentNotFound")

    def test_state_survives_sigterm(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=0))
        self.assertEqual(self.emulator.terminate(), 0, "SIGTERM must stop the server with exit 0")
        self.emulator.start(keep_ports=True)
        self.renew_client()
        self.assertEqual(self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name).id, cluster.id)

    def test_operation_accepted_before_a_crash_finishes_after_restart(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=2))
        self.wait_until(lambda: self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name),
                        lambda c: c.node_state_counts.idle_node_count == 2, "2 idle nodes")
        # Deleting a cluster with nodes takes (simulated) minutes; the clock does not move here.
        accepted = self.raw.delete(cluster_path(ws, cluster.name))
        self.assertEqual(accepted.status, 202, accepted)
        self.restart(crash=True)
        final = self.wait_raw_operation(accepted)
        self.assertEqual(final["status"], "Succeeded", final)
        self.assertNotFound(lambda: self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name),
                            "ClusterNotFound")

    def test_sdk_poller_resumes_from_its_continuation_token_after_a_crash(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=0))
        exp = self.create_experiment(ws).name
        poller = self.client.jobs.begin_create(RESOURCE_GROUP, ws, exp, "resumed",
                                               job_params(cluster.id), polling=False)
        token = poller.continuation_token()
        self.restart(crash=True)
        job = self.client.jobs.begin_create(RESOURCE_GROUP, ws, exp, "resumed", None,
                                            continuation_token=token,
                                            polling=SimClockPolling(self.emulator)).result()
        self.assertEqual(job.name, "resumed")
        self.assertEqual(job.provisioning_state, "succeeded")

    def test_running_job_is_not_lost_in_a_crash(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=1))
        exp = self.create_experiment(ws).name
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="PT10M"))
        self.wait_until(lambda: self.client.jobs.get(RESOURCE_GROUP, ws, exp, job.name),
                        lambda j: j.execution_state == "running", "job running")
        self.restart(crash=True)
        done = self.wait_until(lambda: self.client.jobs.get(RESOURCE_GROUP, ws, exp, job.name),
                               lambda j: j.execution_state in ("succeeded", "failed"),
                               "job finished after the restart")
        self.assertEqual(done.execution_state, "succeeded")

    def test_workspace_delete_accepted_before_a_crash_still_cascades(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=0))
        accepted = self.raw.delete(workspace_path(ws))
        self.assertEqual(accepted.status, 202, accepted)
        self.restart(crash=True)
        self.assertEqual(self.wait_raw_operation(accepted)["status"], "Succeeded")
        self.assertNotFound(lambda: self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name),
                            "WorkspaceNotFound")


class RealisticProfileDurabilityTests(EmulatorTestCase):
    """Operations that take simulated minutes, crashed while still in progress."""

    emulator_settings = "profile: realistic\n"

    def test_file_server_creation_in_progress_at_the_crash_finishes_after_restart(self):
        ws = self.create_workspace().name
        accepted = self.raw.put(f"{workspace_path(ws)}/fileServers/fs", file_server_body())
        self.assertEqual(accepted.status, 202, accepted)
        poll = self.raw.get(accepted.header("Azure-AsyncOperation"), api_version=None).json()
        self.assertEqual(poll["status"], "InProgress", poll)
        self.emulator.restart(keep_ports=True, crash=True)
        poll = self.raw.get(accepted.header("Azure-AsyncOperation"), api_version=None)
        self.assertEqual(poll.status, 200, poll)
        self.assertIn(poll.json()["status"], ("InProgress", "Succeeded"))
        self.assertEqual(self.wait_raw_operation(accepted)["status"], "Succeeded")
        fs = self.raw.get(f"{workspace_path(ws)}/fileServers/fs")
        self.assertEqual(fs.status, 200, fs)
        self.assertEqual(fs.json()["properties"]["provisioningState"], "succeeded")

    def test_cluster_deletion_in_progress_at_the_crash_finishes_after_restart(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=1))
        accepted = self.raw.delete(cluster_path(ws, cluster.name))
        self.assertEqual(accepted.status, 202, accepted)
        self.assertEqual(self.raw.get(accepted.header("Azure-AsyncOperation"),
                                      api_version=None).json()["status"], "InProgress")
        self.emulator.restart(keep_ports=True, crash=True)
        self.assertEqual(self.wait_raw_operation(accepted)["status"], "Succeeded")
        self.assertCloudError(self.raw.get(cluster_path(ws, cluster.name)), 404, "ClusterNotFound")


if __name__ == "__main__":
    unittest.main()
