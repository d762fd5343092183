"""Experiments through azure-mgmt-batchai: create, get, list (paged), delete and its cascade to jobs."""

import unittest

from sdk_support import (RESOURCE_GROUP, EmulatorTestCase, cluster_params, experiment_path,
                         models, pages_of)


class ExperimentTests(EmulatorTestCase):

    def test_create_returns_the_final_experiment(self):
        ws = self.create_workspace().name
        name = self.unique("exp")
        exp = self.create_experiment(ws, name)
        self.assertEqual(exp.name, name)
        self.assertEqual(exp.id, experiment_path(ws, name))
        self.assertEqual(exp.provisioning_state, "succeeded")
        self.assertIsNotNone(exp.creation_time)
        self.assertIsNotNone(exp.provisioning_state_transition_time)
        self.assertEqual(self.client.experiments.get(RESOURCE_GROUP, ws, name).as_dict(),
                         exp.as_dict())

    def test_create_twice_is_idempotent(self):
        ws = self.create_workspace().name
        first = self.create_experiment(ws)
        again = self.create_experiment(ws, first.name)
        self.assertEqual(again.id, first.id)
        self.assertEqual(again.creation_time, first.creation_time)

    def test_create_in_missing_workspace_is_workspace_not_found(self):
        self.assertNotFound(lambda: self.client.experiments.begin_create(
            RESOURCE_GROUP, self.unique("nows"), "exp", **self.lro()).result(), "WorkspaceNotFound")

    def test_list_pages_every_experiment_once(self):
        ws = self.create_workspace().name
        names = [self.create_experiment(ws).name for _ in range(3)]
        pages = pages_of(self.client.experiments.list_by_workspace(
            RESOURCE_GROUP, ws, models.ExperimentsListByWorkspaceOptions(max_results=1)))
        self.assertEqual(sorted(e.name for page in pages for e in page), sorted(names))
        self.assertTrue(all(len(page) <= 1 for page in pages), [len(p) for p in pages])

    def test_list_of_missing_workspace_is_workspace_not_found(self):
        self.assertNotFound(lambda: list(self.client.experiments.list_by_workspace(
            RESOURCE_GROUP, self.unique("nows"))), "WorkspaceNotFound")

    def test_delete_then_get_is_experiment_not_found(self):
        ws = self.create_workspace().name
        exp = self.create_experiment(ws).name
        self.client.experiments.begin_delete(RESOURCE_GROUP, ws, exp, **self.lro()).result()
        error = self.assertNotFound(lambda: self.client.experiments.get(RESOURCE_GROUP, ws, exp),
                                    "ExperimentNotFound")
        self.assertEqual(error.error.message, f"The specified experiment {exp} is not found")

    def test_delete_cascades_to_jobs(self):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=0))
        exp = self.create_experiment(ws).name
        jobs = [self.create_job(ws, exp, cluster).name for _ in range(2)]
        self.client.experiments.begin_delete(RESOURCE_GROUP, ws, exp, **self.lro()).result()
        self.assertNotFound(lambda: self.client.jobs.get(RESOURCE_GROUP, ws, exp, jobs[0]),
                            "ExperimentNotFound")
        self.create_experiment(ws, exp)
        self.assertEqual(list(self.client.jobs.list_by_experiment(RESOURCE_GROUP, ws, exp)), [])
        self.assertNotFound(lambda: self.client.jobs.get(RESOURCE_GROUP, ws, exp, jobs[1]),
                            "JobNotFound")
        # The cluster belongs to the workspace, not to the experiment.
        self.assertEqual(self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name).name,
                         cluster.name)

    def test_experiments_isolation(self):
        # Mirrors the SDK's recorded test_experiments_isolation.
        workspaces = [self.create_workspace().name for _ in range(2)]
        for ws in workspaces:
            cluster = self.create_cluster(ws, "cluster", cluster_params(target_nodes=0))
            for exp in ("exp1", "exp2"):
                self.create_experiment(ws, exp)
                self.create_job(ws, exp, cluster, "job")
        first, second = workspaces
        self.client.experiments.begin_delete(RESOURCE_GROUP, first, "exp1", **self.lro()).result()
        self.assertNotFound(lambda: self.client.experiments.get(RESOURCE_GROUP, first, "exp1"),
                            "ExperimentNotFound")
        self.client.clusters.get(RESOURCE_GROUP, first, "cluster")
        self.client.experiments.get(RESOURCE_GROUP, first, "exp2")
        self.client.jobs.get(RESOURCE_GROUP, first, "exp2", "job")
        for exp in ("exp1", "exp2"):
            self.client.experiments.get(RESOURCE_GROUP, second, exp)
            self.client.jobs.get(RESOURCE_GROUP, second, exp, "job")


if __name__ == "__main__":
    unittest.main()
