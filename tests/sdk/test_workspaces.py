"""Workspaces through azure-mgmt-batchai: create, get, list (paged), update tags, delete, cascades."""

import unittest

from sdk_support import (LOCATION, RESOURCE_GROUP, EmulatorTestCase, cluster_params, models,
                         pages_of, workspace_path)


class WorkspaceTests(EmulatorTestCase):

    def test_create_returns_the_final_workspace(self):
        name = self.unique("ws")
        ws = self.create_workspace(name, tags={"team": "vision", "env": "test"})
        self.assertEqual(ws.name, name)
        self.assertEqual(ws.id, workspace_path(name))
        self.assertEqual(ws.location, LOCATION)
        self.assertEqual(ws.tags, {"team": "vision", "env": "test"})
        self.assertEqual(ws.provisioning_state, "succeeded")
        self.assertIsNotNone(ws.creation_time)
        self.assertIsNotNone(ws.provisioning_state_transition_time)
        self.assertTrue(ws.type.lower().startswith("microsoft.batchai/workspaces"), ws.type)

    def test_get_returns_what_create_returned(self):
        created = self.create_workspace(tags={"a": "1"})
        fetched = self.client.workspaces.get(RESOURCE_GROUP, created.name)
        self.assertEqual(fetched.as_dict(), created.as_dict())

    def test_create_twice_is_idempotent(self):
        first = self.create_workspace(tags={"k": "v"})
        again = self.create_workspace(first.name, tags={"k": "v"})
        self.assertEqual(again.id, first.id)
        self.assertEqual(again.creation_time, first.creation_time)

    def test_list_by_resource_group_pages_every_workspace_once(self):
        group = self.unique("rg-list-")
        names = [self.unique("ws") for _ in range(3)]
        for name in names:
            self.client.workspaces.begin_create(group, name, models.WorkspaceCreateParameters(
                location=LOCATION), **self.lro()).result()
        options = models.WorkspacesListByResourceGroupOptions(max_results=1)
        pages = pages_of(self.client.workspaces.list_by_resource_group(group, options))
        listed = [ws.name for page in pages for ws in page]
        self.assertEqual(sorted(listed), sorted(names))
        self.assertTrue(all(len(page) <= 1 for page in pages), [len(p) for p in pages])
        self.assertGreaterEqual(len(pages), 3)

    def test_list_in_subscription_pages_every_workspace_once(self):
        group = self.unique("rg-sub-")
        names = {self.unique("ws") for _ in range(3)}
        for name in names:
            self.client.workspaces.begin_create(group, name, models.WorkspaceCreateParameters(
                location=LOCATION), **self.lro()).result()
        options = models.WorkspacesListOptions(max_results=2)
        pages = pages_of(self.client.workspaces.list(options))
        ids = [ws.id for page in pages for ws in page]
        self.assertEqual(len(ids), len(set(ids)), f"a workspace listed twice: {ids}")
        self.assertTrue(all(len(page) <= 2 for page in pages), [len(p) for p in pages])
        self.assertTrue(names <= {ws.name for page in pages for ws in page
                                  if ws.id.split("/")[4] == group})

    def test_empty_resource_group_lists_nothing(self):
        self.assertEqual(list(self.client.workspaces.list_by_resource_group(
            self.unique("rg-empty-"))), [])

    def test_update_replaces_tags(self):
        ws = self.create_workspace(tags={"old": "1"})
        updated = self.client.workspaces.update(
            RESOURCE_GROUP, ws.name, models.WorkspaceUpdateParameters(tags={"new": "2", "x": "y"}))
        self.assertEqual(updated.tags, {"new": "2", "x": "y"})
        self.assertEqual(updated.location, LOCATION)
        self.assertEqual(self.client.workspaces.get(RESOURCE_GROUP, ws.name).tags,
                         {"new": "2", "x": "y"})

    def test_update_of_missing_workspace_is_not_found(self):
        self.assertNotFound(lambda: self.client.workspaces.update(
            RESOURCE_GROUP, self.unique("missing"), models.WorkspaceUpdateParameters(tags={})),
            "WorkspaceNotFound")

    def test_delete_then_get_is_workspace_not_found(self):
        ws = self.create_workspace()
        self.client.workspaces.begin_delete(RESOURCE_GROUP, ws.name, **self.lro()).result()
        error = self.assertNotFound(lambda: self.client.workspaces.get(RESOURCE_GROUP, ws.name),
                                    "WorkspaceNotFound")
        self.assertIn(ws.name, error.error.message)
        self.assertNotIn(ws.name, [w.name for w in self.client.workspaces.list_by_resource_group(
            RESOURCE_GROUP)])

    def test_delete_of_missing_workspace_is_not_found(self):
        self.assertNotFound(lambda: self.client.workspaces.begin_delete(
            RESOURCE_GROUP, self.unique("missing"), **self.lro()).result(), "WorkspaceNotFound")

    def test_delete_cascades_to_clusters_file_servers_experiments_and_jobs(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=0))
        fs = self.create_file_server(ws)
        exp = self.create_experiment(ws).name
        job = self.create_job(ws, exp, cluster)
        self.client.workspaces.begin_delete(RESOURCE_GROUP, ws, **self.lro()).result()

        self.assertNotFound(lambda: self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name),
                            "WorkspaceNotFound")
        self.assertNotFound(lambda: self.client.experiments.get(RESOURCE_GROUP, ws, exp),
                            "WorkspaceNotFound")
        self.assertNotFound(lambda: self.client.jobs.get(RESOURCE_GROUP, ws, exp, job.name),
                            "WorkspaceNotFound")
        # The same name again must be an empty workspace, not the old one's children come back.
        self.create_workspace(ws)
        self.assertEqual(list(self.client.clusters.list_by_workspace(RESOURCE_GROUP, ws)), [])
        self.assertEqual(list(self.client.file_servers.list_by_workspace(RESOURCE_GROUP, ws)), [])
        self.assertEqual(list(self.client.experiments.list_by_workspace(RESOURCE_GROUP, ws)), [])
        self.assertNotFound(lambda: self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name),
                            "ClusterNotFound")
        response = self.raw.get(f"{workspace_path(ws)}/fileServers/{fs.name}")
        self.assertCloudError(response, 404, "FileServerNotFound")

    def test_workspaces_isolation(self):
        # Mirrors the SDK's recorded test_workspaces_isolation: the same child names in two
        # workspaces are different resources, and deleting one workspace leaves the other whole.
        first = self.create_workspace().name
        second = self.create_workspace().name
        made = {}
        for ws in (first, second):
            cluster = self.create_cluster(ws, "cluster", cluster_params(target_nodes=0))
            self.create_experiment(ws, "experiment")
            made[ws] = self.create_job(ws, "experiment", cluster, "job")
        self.assertNotEqual(made[first].id, made[second].id)
        self.client.workspaces.begin_delete(RESOURCE_GROUP, first, **self.lro()).result()
        self.assertNotFound(lambda: self.client.workspaces.get(RESOURCE_GROUP, first),
                            "WorkspaceNotFound")
        self.assertEqual(self.client.workspaces.get(RESOURCE_GROUP, second).name, second)
        self.assertEqual(self.client.clusters.get(RESOURCE_GROUP, second, "cluster").name, "cluster")
        self.assertEqual(self.client.experiments.get(RESOURCE_GROUP, second, "experiment").name,
                         "experiment")
        self.assertEqual(self.client.jobs.get(RESOURCE_GROUP, second, "experiment", "job").id,
                         made[second].id)


if __name__ == "__main__":
    unittest.main()
