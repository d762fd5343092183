"""Clusters through azure-mgmt-batchai: create, get, list, scale (PATCH), remote login, delete."""

import json
import unittest

from sdk_support import (RESOURCE_GROUP, EmulatorTestCase, cluster_params, cluster_path, job_params,
                         models, pages_of, workspace_path)


def steady_with_idle(count):
    return lambda c: (c.allocation_state == "steady" and c.current_node_count == count
                      and c.node_state_counts.idle_node_count == count)


class ClusterTests(EmulatorTestCase):

    def get_cluster(self, ws, name):
        return self.client.clusters.get(RESOURCE_GROUP, ws, name)

    def test_create_returns_the_final_cluster(self):
        ws = self.create_workspace().name
        name = self.unique("cluster")
        cluster = self.create_cluster(ws, name, cluster_params(target_nodes=2))
        self.assertEqual(cluster.name, name)
        self.assertEqual(cluster.id, cluster_path(ws, name))
        self.assertEqual(cluster.vm_size.lower(), "standard_nc6")
        self.assertEqual(cluster.vm_priority, "dedicated")
        self.assertEqual(cluster.provisioning_state, "succeeded")
        self.assertIn(cluster.allocation_state, ("resizing", "steady"))
        self.assertEqual(cluster.scale_settings.manual.target_node_count, 2)
        self.assertEqual(cluster.scale_settings.manual.node_deallocation_option, "requeue")
        self.assertEqual(cluster.user_account_settings.admin_user_name, "demoUser")
        self.assertIsNone(cluster.user_account_settings.admin_user_password)
        self.assertIsNotNone(cluster.creation_time)
        self.assertIsNotNone(cluster.node_state_counts)
        fetched = self.get_cluster(ws, name)
        self.assertEqual(fetched.id, cluster.id)
        self.assertEqual(fetched.scale_settings.as_dict(), cluster.scale_settings.as_dict())

    def test_new_manual_cluster_resizes_then_has_idle_nodes(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=2))
        self.assertEqual(cluster.current_node_count, 0)
        final = self.wait_until(lambda: self.get_cluster(ws, cluster.name), steady_with_idle(2),
                                "2 idle nodes")
        counts = final.node_state_counts
        self.assertEqual((counts.running_node_count, counts.preparing_node_count,
                          counts.leaving_node_count, counts.unusable_node_count), (0, 0, 0, 0))

    def test_defaults_are_filled_in(self):
        ws = self.create_workspace().name
        params = models.ClusterCreateParameters(
            vm_size="STANDARD_D1", user_account_settings=models.UserAccountSettings(
                admin_user_name="u", admin_user_ssh_public_key="ssh-rsa AAAAB3Nza fake"),
            scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(
                target_node_count=0)))
        cluster = self.create_cluster(ws, params=params)
        self.assertEqual(cluster.vm_priority, "dedicated")
        self.assertEqual(cluster.scale_settings.manual.node_deallocation_option, "requeue")
        self.assertEqual(cluster.allocation_state, "steady")
        self.assertEqual(cluster.current_node_count, 0)

    def test_list_pages_every_cluster_once(self):
        ws = self.create_workspace().name
        names = [self.create_cluster(ws, params=cluster_params(target_nodes=0)).name
                 for _ in range(3)]
        pages = pages_of(self.client.clusters.list_by_workspace(
            RESOURCE_GROUP, ws, models.ClustersListByWorkspaceOptions(max_results=1)))
        self.assertEqual(sorted(c.name for page in pages for c in page), sorted(names))
        self.assertTrue(all(len(page) <= 1 for page in pages), [len(p) for p in pages])

    def test_update_scale_settings(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=1))
        self.wait_until(lambda: self.get_cluster(ws, cluster.name), steady_with_idle(1), "1 idle")
        updated = self.client.clusters.update(
            RESOURCE_GROUP, ws, cluster.name, models.ClusterUpdateParameters(
                scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(
                    target_node_count=0))))
        self.assertEqual(updated.scale_settings.manual.target_node_count, 0)
        self.assertEqual(updated.vm_size.lower(), "standard_nc6")
        self.wait_until(lambda: self.get_cluster(ws, cluster.name), steady_with_idle(0),
                        "shrunk to 0")
        # Swap to auto-scale; the PATCH answer echoes it with initialNodeCount.
        updated = self.client.clusters.update(
            RESOURCE_GROUP, ws, cluster.name, models.ClusterUpdateParameters(
                scale_settings=models.ScaleSettings(auto_scale=models.AutoScaleSettings(
                    minimum_node_count=0, maximum_node_count=2))))
        self.assertIsNone(updated.scale_settings.manual)
        self.assertEqual(updated.scale_settings.auto_scale.maximum_node_count, 2)
        self.assertEqual(updated.scale_settings.auto_scale.initial_node_count, 0)

    def test_update_of_missing_cluster_is_not_found(self):
        ws = self.create_workspace().name
        self.assertNotFound(lambda: self.client.clusters.update(
            RESOURCE_GROUP, ws, "nocluster", models.ClusterUpdateParameters(
                scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(
                    target_node_count=1)))), "ClusterNotFound")

    def test_remote_login_information_lists_every_node(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=2))
        self.wait_until(lambda: self.get_cluster(ws, cluster.name), steady_with_idle(2), "2 idle")
        logins = list(self.client.clusters.list_remote_login_information(RESOURCE_GROUP, ws,
                                                                          cluster.name))
        self.assertEqual(len(logins), 2, [l.as_dict() for l in logins])
        self.assertEqual(len({l.node_id for l in logins}), 2)
        for login in logins:
            self.assertTrue(login.node_id)
            self.assertTrue(login.ip_address)
            self.assertIsInstance(login.port, (int, float))

    def test_delete_then_get_is_cluster_not_found(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=1))
        self.client.clusters.begin_delete(RESOURCE_GROUP, ws, cluster.name, **self.lro()).result()
        error = self.assertNotFound(lambda: self.get_cluster(ws, cluster.name), "ClusterNotFound")
        self.assertIn(cluster.name, error.error.message)
        self.assertEqual(list(self.client.clusters.list_by_workspace(RESOURCE_GROUP, ws)), [])

    def test_create_in_missing_workspace_is_workspace_not_found(self):
        self.assertNotFound(lambda: self.create_cluster(self.unique("nows")), "WorkspaceNotFound")

    def test_password_never_comes_back(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(password="Cl0sely-Guarded-7"))
        for response in (self.raw.get(cluster_path(ws, cluster.name)),
                         self.raw.get(f"{workspace_path(ws)}/clusters")):
            self.assertEqual(response.status, 200, response)
            self.assertNotIn(b"Cl0sely-Guarded-7", response.body)

    def test_creation_and_deletion(self):
        # Mirrors the SDK's recorded test_creation_and_deletion: a 1-node lowpriority cluster with
        # an Azure Files mount, wait for the idle node, remote login, run a job, delete, empty list.
        ws = self.create_workspace().name
        afs = models.AzureFileShareReference(
            account_name="psdkaccount", azure_file_url="https://psdkaccount.file.core.windows.net/share",
            credentials=models.AzureStorageCredentialsInfo(account_key="c2VjcmV0LWtleQ=="),
            relative_mount_path="azfiles", file_mode="0777", directory_mode="0777")
        params = cluster_params(target_nodes=1, vm_size="STANDARD_D1", vm_priority="lowpriority",
                                node_setup=models.NodeSetup(mount_volumes=models.MountVolumes(
                                    azure_file_shares=[afs])))
        cluster = self.create_cluster(ws, params=params)
        self.assertEqual(cluster.vm_priority, "lowpriority")
        self.assertIsNone(cluster.node_setup.mount_volumes.azure_file_shares[0].credentials.account_key)
        self.wait_until(lambda: self.get_cluster(ws, cluster.name), steady_with_idle(1), "1 idle")
        self.assertEqual([c.name for c in self.client.clusters.list_by_workspace(RESOURCE_GROUP, ws)],
                         [cluster.name])
        self.assertEqual(len(list(self.client.clusters.list_remote_login_information(
            RESOURCE_GROUP, ws, cluster.name))), 1)
        exp = self.create_experiment(ws).name
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="PT20S"))
        done = self.wait_until(lambda: self.client.jobs.get(RESOURCE_GROUP, ws, exp, job.name),
                               lambda j: j.execution_state in ("succeeded", "failed"), "job done")
        self.assertEqual(done.execution_state, "succeeded")
        self.client.clusters.begin_delete(RESOURCE_GROUP, ws, cluster.name, **self.lro()).result()
        self.assertEqual(list(self.client.clusters.list_by_workspace(RESOURCE_GROUP, ws)), [])

    def test_auto_scale_grows_for_a_queued_job_and_shrinks_after(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(auto_scale=(0, 1)))
        self.assertEqual(cluster.allocation_state, "steady")
        self.assertEqual(cluster.current_node_count, 0)
        self.assertEqual(cluster.scale_settings.auto_scale.initial_node_count, 0)
        exp = self.create_experiment(ws).name
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="PT1M"))
        self.assertEqual(job.execution_state, "queued")
        done = self.wait_until(lambda: self.client.jobs.get(RESOURCE_GROUP, ws, exp, job.name),
                               lambda j: j.execution_state == "succeeded", "auto-scaled job done")
        self.assertIsNotNone(done.execution_info.start_time)
        self.wait_until(lambda: self.get_cluster(ws, cluster.name), steady_with_idle(0),
                        "auto-scale back to 0")

    def test_put_with_the_same_body_is_idempotent_and_a_different_one_conflicts(self):
        ws = self.create_workspace().name
        name = self.unique("cluster")
        body = json.loads(json.dumps({"properties": {
            "vmSize": "STANDARD_NC6", "scaleSettings": {"manual": {"targetNodeCount": 0}},
            "userAccountSettings": {"adminUserName": "u", "adminUserPassword": "p4ssw0rd!"}}}))
        first = self.raw.put(cluster_path(ws, name), body)
        self.wait_raw_operation(first)
        again = self.raw.put(cluster_path(ws, name), body)
        self.assertIn(again.status, (200, 202), again)
        if again.status == 202:
            self.wait_raw_operation(again)
        body["properties"]["vmSize"] = "STANDARD_D1"
        self.assertCloudError(self.raw.put(cluster_path(ws, name), body), 409,
                              "ResourceAlreadyExists")


if __name__ == "__main__":
    unittest.main()
