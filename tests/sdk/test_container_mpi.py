"""MPI on container-backed nodes through the real Python SDK, as Batch AI jobs used it: a customToolkit
job whose own command line runs mpirun over $AZ_BATCHAI_MPI_HOST_FILE (nodes run no sshd; the
emulator's launch agent reaches the job's other node), and a customMpi job. Each rank prints its node's
hostname, which is the node id that listRemoteLoginInformation gives. Skips, saying why, where the
host cannot make node sandboxes or has no mpirun."""

import shutil
import ssl
import time
import unittest
import urllib.request

from azure.mgmt.batchai import models

from emulator_process import EmulatorProcess
from sdk_support import RESOURCE_GROUP, make_client


class ContainerMpiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("mpirun") is None:
            raise unittest.SkipTest("mpirun is not installed (Debian package openmpi-bin)")
        cls.emulator = EmulatorProcess(backend="container", time_scale="1")
        cls.addClassCleanup(cls.emulator.close)
        try:
            cls.emulator.start()
        except Exception as failure:  # the backend is unavailable: serve says why and exits
            raise unittest.SkipTest(f"container-backed nodes are not available here: {failure}")
        cls.client = make_client(cls.emulator)
        cls.addClassCleanup(cls.client.close)
        cls.tls = ssl.create_default_context(cafile=cls.emulator.ca_path)
        c, rg = cls.client, RESOURCE_GROUP
        c.workspaces.begin_create(rg, "ws", {"location": "eastus"}).result()
        cls.cluster = c.clusters.begin_create(rg, "ws", "c", {
            "vm_size": "STANDARD_D1",
            "user_account_settings": {"admin_user_name": "me", "admin_user_password": "never-shown"},
            "scale_settings": {"manual": {"target_node_count": 2}}}).result()
        c.experiments.begin_create(rg, "ws", "e").result()
        cls.wait_for(lambda: c.clusters.get(rg, "ws", "c"),
                     lambda cluster: cluster.node_state_counts.idle_node_count == 2, "two idle nodes")
        cls.nodes = sorted(n.node_id for n in c.clusters.list_remote_login_information(rg, "ws", "c"))

    @staticmethod
    def wait_for(fetch, done, what, limit=60.0):
        deadline = time.monotonic() + limit
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not reached in {limit} s; last: {value}")
            time.sleep(0.1)
            value = fetch()
        return value

    def run_job(self, name, settings):
        c, rg = self.client, RESOURCE_GROUP
        c.jobs.begin_create(rg, "ws", "e", name, dict({
            "cluster": {"id": self.cluster.id}, "node_count": 2,
            "std_out_err_path_prefix": "$AZ_BATCHAI_JOB_TEMP"}, **settings)).result()
        job = self.wait_for(lambda: c.jobs.get(rg, "ws", "e", name),
                            lambda j: j.execution_state in ("succeeded", "failed"), f"job {name} finished")
        options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr", linkexpiryinminutes=5)
        files = {f.name: f for f in c.jobs.list_output_files(rg, "ws", "e", name, options)}
        read = lambda f: urllib.request.urlopen(files[f].download_url, context=self.tls).read().decode()
        self.assertEqual(job.execution_state, "succeeded", (job.execution_info.errors, read("stderr.txt")))
        return read("stdout.txt")

    def test_a_custom_toolkit_job_runs_mpirun_over_the_host_file_itself(self):
        stdout = self.run_job("own", {"custom_toolkit_settings": {
            "command_line": "mpirun --hostfile $AZ_BATCHAI_MPI_HOST_FILE -np 2 hostname"}})
        self.assertEqual(sorted(stdout.split()), self.nodes)

    def test_a_custom_mpi_job_runs_one_rank_per_node(self):
        stdout = self.run_job("mpi", {"custom_mpi_settings": {"command_line": "hostname", "process_count": 2}})
        self.assertEqual(sorted(stdout.split()), self.nodes)


if __name__ == "__main__":
    unittest.main()
