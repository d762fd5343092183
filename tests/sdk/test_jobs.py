"""Jobs through azure-mgmt-batchai: create, get, list, run to the end on simulated time, terminate,
output files, remote login, delete. Sim-backend jobs take their behaviour from EMULATOR_SIM_*."""

import datetime
import unittest

from sdk_support import (RESOURCE_GROUP, SUBSCRIPTION, EmulatorTestCase, HttpResponseError,
                         experiment_path, job_params, job_path, models, pages_of)


class JobTests(EmulatorTestCase):

    def get_job(self, ws, exp, name):
        return self.client.jobs.get(RESOURCE_GROUP, ws, exp, name)

    def finished(self, ws, exp, name):
        return self.wait_until(lambda: self.get_job(ws, exp, name),
                               lambda j: j.execution_state in ("succeeded", "failed"),
                               f"job {name} finished")

    def test_create_returns_the_final_job(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=0)
        name = self.unique("job")
        job = self.create_job(ws, exp, cluster, name)
        self.assertEqual(job.name, name)
        self.assertEqual(job.id, job_path(ws, exp, name))
        self.assertEqual(job.provisioning_state, "succeeded")
        self.assertEqual(job.execution_state, "queued")
        self.assertEqual(job.cluster.id.lower(), cluster.id.lower())
        self.assertEqual(job.node_count, 1)
        self.assertEqual(job.tool_type, "custom")
        self.assertEqual(job.scheduling_priority, "normal")
        self.assertEqual(job.constraints.max_wall_clock_time, datetime.timedelta(days=7))
        self.assertEqual(job.custom_toolkit_settings.command_line, "echo hi")
        segment = job.job_output_directory_path_segment
        prefix = f"{SUBSCRIPTION}/{RESOURCE_GROUP}/workspaces/{ws}/experiments/{exp}/jobs/{name}/"
        self.assertTrue(segment.startswith(prefix), segment)
        self.assertGreater(len(segment), len(prefix), "the segment ends with a per-job uuid")
        self.assertIsNotNone(job.creation_time)
        fetched = self.get_job(ws, exp, name)
        self.assertEqual(fetched.job_output_directory_path_segment, segment)
        self.assertEqual([e.as_dict() for e in fetched.environment_variables],
                         [e.as_dict() for e in job.environment_variables])

    def test_recreated_job_gets_a_new_output_segment(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=0)
        first = self.create_job(ws, exp, cluster)
        self.client.jobs.begin_delete(RESOURCE_GROUP, ws, exp, first.name, **self.lro()).result()
        second = self.create_job(ws, exp, cluster, first.name)
        self.assertNotEqual(first.job_output_directory_path_segment,
                            second.job_output_directory_path_segment)

    def test_list_pages_every_job_once(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=0)
        names = [self.create_job(ws, exp, cluster).name for _ in range(3)]
        pages = pages_of(self.client.jobs.list_by_experiment(
            RESOURCE_GROUP, ws, exp, models.JobsListByExperimentOptions(max_results=2)))
        self.assertEqual(sorted(j.name for page in pages for j in page), sorted(names))
        self.assertTrue(all(len(page) <= 2 for page in pages), [len(p) for p in pages])

    def test_job_runs_and_succeeds(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="PT1H"))
        running = self.wait_until(lambda: self.get_job(ws, exp, job.name),
                                  lambda j: j.execution_state == "running", "job running", step=1)
        self.assertIsNotNone(running.execution_info.start_time)
        self.assertIsNone(running.execution_info.end_time)
        done = self.finished(ws, exp, job.name)
        self.assertEqual(done.execution_state, "succeeded")
        self.assertEqual(done.execution_info.exit_code, 0)
        self.assertFalse(done.execution_info.errors)
        took = done.execution_info.end_time - done.execution_info.start_time
        self.assertGreaterEqual(took, datetime.timedelta(hours=1))

    def test_non_zero_exit_code_fails_with_job_failed(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="30",
                                                                   exit_code=3))
        done = self.finished(ws, exp, job.name)
        self.assertEqual(done.execution_state, "failed")
        self.assertEqual(done.execution_info.exit_code, 3)
        self.assertEqual(done.execution_info.errors[0].code, "JobFailed")

    def test_terminate_queued_job(self):
        # Mirrors the SDK's recorded test_queued_job_termination.
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=0)
        job = self.create_job(ws, exp, cluster)
        self.client.jobs.begin_terminate(RESOURCE_GROUP, ws, exp, job.name, **self.lro()).result()
        done = self.finished(ws, exp, job.name)
        self.assertEqual(done.execution_state, "failed")
        self.assertEqual(done.execution_info.errors[0].code, "JobTerminated")
        self.assertIsNone(done.execution_info.exit_code)
        self.client.jobs.begin_delete(RESOURCE_GROUP, ws, exp, job.name, **self.lro()).result()
        self.assertNotFound(lambda: self.get_job(ws, exp, job.name), "JobNotFound")

    def test_terminate_running_job(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="PT1H"))
        self.wait_until(lambda: self.get_job(ws, exp, job.name),
                        lambda j: j.execution_state == "running", "job running", step=1)
        self.client.jobs.begin_terminate(RESOURCE_GROUP, ws, exp, job.name, **self.lro()).result()
        done = self.finished(ws, exp, job.name)
        self.assertEqual(done.execution_state, "failed")
        self.assertEqual(done.execution_info.errors[0].code, "JobTerminated")

    def test_terminate_finished_job_is_a_no_op(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="10"))
        self.assertEqual(self.finished(ws, exp, job.name).execution_state, "succeeded")
        response = self.raw.post(job_path(ws, exp, job.name) + "/terminate")
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.body, b"")
        self.client.jobs.begin_terminate(RESOURCE_GROUP, ws, exp, job.name, **self.lro()).result()
        self.assertEqual(self.get_job(ws, exp, job.name).execution_state, "succeeded")

    def test_delete_then_get_is_job_not_found(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=0)
        job = self.create_job(ws, exp, cluster)
        self.client.jobs.begin_delete(RESOURCE_GROUP, ws, exp, job.name, **self.lro()).result()
        error = self.assertNotFound(lambda: self.get_job(ws, exp, job.name), "JobNotFound")
        self.assertEqual(error.error.message, f"The specified job {job.name} is not found")
        self.assertEqual(list(self.client.jobs.list_by_experiment(RESOURCE_GROUP, ws, exp)), [])

    def test_delete_running_job(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="PT1H"))
        self.wait_until(lambda: self.get_job(ws, exp, job.name),
                        lambda j: j.execution_state == "running", "job running", step=1)
        self.client.jobs.begin_delete(RESOURCE_GROUP, ws, exp, job.name, **self.lro()).result()
        self.assertNotFound(lambda: self.get_job(ws, exp, job.name), "JobNotFound")
        # Its node is free again.
        self.wait_until(lambda: self.client.clusters.get(RESOURCE_GROUP, ws, cluster.name),
                        lambda c: c.node_state_counts.idle_node_count == 1, "node idle again")

    def test_create_in_missing_experiment_is_experiment_not_found(self):
        ws, cluster, _ = self.workspace_with_cluster(target_nodes=0)
        self.assertNotFound(lambda: self.create_job(ws, self.unique("noexp"), cluster),
                            "ExperimentNotFound")

    def test_secrets_never_come_back(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=0)
        secrets = [models.EnvironmentVariableWithSecretValue(name="DB_PASSWORD",
                                                             value="Never-Show-Me-42")]
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, secrets=secrets))
        self.assertEqual([s.name for s in job.secrets], ["DB_PASSWORD"])
        self.assertIsNone(job.secrets[0].value)
        for path in (job_path(ws, exp, job.name), experiment_path(ws, exp) + "/jobs"):
            response = self.raw.get(path)
            self.assertEqual(response.status, 200, response)
            self.assertNotIn(b"Never-Show-Me-42", response.body)

    def test_list_output_files_shape(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="10"))
        self.finished(ws, exp, job.name)
        for directory_id in ("stdouterr", "OUTPUTS"):
            options = models.JobsListOutputFilesOptions(outputdirectoryid=directory_id,
                                                        linkexpiryinminutes=5, max_results=1)
            files = list(self.client.jobs.list_output_files(RESOURCE_GROUP, ws, exp, job.name,
                                                            options))
            for f in files:
                self.assertTrue(f.name)
                self.assertIn(f.file_type, ("file", "directory"))
                if f.file_type == "file":
                    self.assertTrue(f.download_url)
                    self.assertIsNotNone(f.content_length)

    def test_list_output_files_of_unknown_directory_is_rejected(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=0)
        job = self.create_job(ws, exp, cluster)
        response = self.raw.post(job_path(ws, exp, job.name) + "/listOutputFiles",
                                 query={"outputdirectoryid": "NOPE"})
        self.assertIn(response.status, (400, 404), response)
        self.assertTrue(response.error_code(), response)

    def test_list_remote_login_information_shape(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, duration="PT1H"))
        self.wait_until(lambda: self.get_job(ws, exp, job.name),
                        lambda j: j.execution_state == "running", "job running", step=1)
        logins = list(self.client.jobs.list_remote_login_information(RESOURCE_GROUP, ws, exp,
                                                                      job.name))
        self.assertEqual(len(logins), 1, [l.as_dict() for l in logins])
        self.assertTrue(logins[0].node_id)
        self.assertTrue(logins[0].ip_address)
        self.assertIsNotNone(logins[0].port)

    def test_gang_scheduling_waits_for_all_nodes(self):
        ws, cluster, exp = self.workspace_with_cluster(target_nodes=1)
        # Whether a job may ask for more nodes than the cluster has is the emulator's choice
        # (the spec is silent): refusing it with a 400 is fine, running it on one node is not.
        try:
            job = self.create_job(ws, exp, cluster, params=job_params(cluster.id, node_count=2))
        except HttpResponseError as error:
            self.assertEqual(error.status_code, 400, f"{error}")
            return
        self.advance(3600)
        self.assertEqual(self.get_job(ws, exp, job.name).execution_state, "queued")


if __name__ == "__main__":
    unittest.main()
