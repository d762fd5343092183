"""Real jobs on container-backed nodes through the real Python SDK: a job's command line runs in a
node sandbox, its stdout is listed by listOutputFiles and downloaded through the emulator's signed
downloadUrl, and the link stops working once it expires. Skips, saying why, where the host cannot make
node sandboxes (the server then says which backend it chose)."""

import ssl
import time
import unittest
import urllib.error
import urllib.request

from azure.mgmt.batchai import models

from emulator_process import EmulatorProcess
from sdk_support import RESOURCE_GROUP, make_client

SKIP = 77


class ContainerJobsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = EmulatorProcess(backend="container", time_scale="1")
        cls.addClassCleanup(cls.emulator.close)
        try:
            cls.emulator.start()
        except Exception as failure:  # the backend is unavailable: serve says why and exits
            raise unittest.SkipTest(f"container-backed nodes are not available here: {failure}")
        cls.client = make_client(cls.emulator)
        cls.addClassCleanup(cls.client.close)
        cls.tls = ssl.create_default_context(cafile=cls.emulator.ca_path)

    def wait_for(self, fetch, done, what, limit=60.0):
        deadline = time.monotonic() + limit
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                self.fail(f"{what}: not reached in {limit} s; last: {value}")
            time.sleep(0.1)
            value = fetch()
        return value

    def test_a_job_runs_and_its_output_downloads_through_the_sdk(self):
        c, rg = self.client, RESOURCE_GROUP
        c.workspaces.begin_create(rg, "ws", {"location": "eastus"}).result()
        cluster = c.clusters.begin_create(rg, "ws", "c", {
            "vm_size": "STANDARD_D1",
            "user_account_settings": {"admin_user_name": "me", "admin_user_password": "never-shown"},
            "scale_settings": {"manual": {"target_node_count": 1}}}).result()
        c.experiments.begin_create(rg, "ws", "e").result()
        c.jobs.begin_create(rg, "ws", "e", "hello", {
            "cluster": {"id": cluster.id}, "node_count": 1, "std_out_err_path_prefix": "$AZ_BATCHAI_JOB_TEMP",
            "custom_toolkit_settings": {"command_line": "echo hello from $(hostname); echo gpus=$AZ_BATCHAI_NUM_GPUS"},
        }).result()
        job = self.wait_for(lambda: c.jobs.get(rg, "ws", "e", "hello"),
                            lambda j: j.execution_state in ("succeeded", "failed"), "job finished")
        self.assertEqual(job.execution_state, "succeeded", job.execution_info.errors)
        self.assertEqual(job.execution_info.exit_code, 0)

        options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr", linkexpiryinminutes=5)
        files = {f.name: f for f in c.jobs.list_output_files(rg, "ws", "e", "hello", options)}
        self.assertIn("stdout.txt", files)
        self.assertIn("stderr.txt", files)
        node = c.clusters.list_remote_login_information(rg, "ws", "c").next().node_id
        stdout = urllib.request.urlopen(files["stdout.txt"].download_url, context=self.tls).read().decode()
        self.assertEqual(stdout, f"hello from {node}\ngpus=0\n")
        self.assertEqual(files["stdout.txt"].content_length, len(stdout))

        forged = files["stdout.txt"].download_url[:-3] + "AAA"
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, context=self.tls)
        self.assertEqual(refused.exception.code, 403)


if __name__ == "__main__":
    unittest.main()
