"""An autoscale cluster (min 0, max 4) driven through the real Python SDK on the sim backend with a
stopped clock: it grows as jobs arrive, the jobs succeed as the clock is advanced, and it shrinks back
to 0. The fast profile's timings make every step exact: autoscale every 5 s, nodes appear 2 s after a
resize and are ready 1 s later, leave 1 s after they are released."""

import unittest

from sdk_support import (RESOURCE_GROUP, EmulatorTestCase, cluster_body, cluster_path, job_body, job_path)


class AutoscaleTest(EmulatorTestCase):
    def counts(self, ws, name):
        c = self.client.clusters.get(RESOURCE_GROUP, ws, name)
        n = c.node_state_counts
        return c.allocation_state, c.current_node_count, n.idle_node_count, n.running_node_count, \
            n.preparing_node_count, n.leaving_node_count

    def states(self, ws, exp, names):
        return sorted(self.client.jobs.get(RESOURCE_GROUP, ws, exp, n).execution_state for n in names)

    def test_grows_to_demand_runs_the_jobs_and_shrinks_back_to_zero(self):
        # Creation by plain PUTs, so that no poller moves the clock: every time below is exact.
        ws = self.create_workspace().name
        exp = self.create_experiment(ws).name
        body = cluster_body()
        body["properties"]["scaleSettings"] = {"autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 4}}
        self.assertEqual(self.raw.put(cluster_path(ws, "auto"), body).status, 202)
        cluster_id = self.client.clusters.get(RESOURCE_GROUP, ws, "auto").id
        self.assertEqual(self.counts(ws, "auto"), ("steady", 0, 0, 0, 0, 0))
        jobs = [f"j{i}" for i in range(6)]
        for name in jobs:
            self.assertEqual(self.raw.put(job_path(ws, exp, name), job_body(cluster_id, duration="60")).status, 202)
        self.assertEqual(self.states(ws, exp, jobs), ["queued"] * 6)

        self.advance(5)  # t=5, the first evaluation: demand 6 nodes, capped at 4
        self.assertEqual(self.counts(ws, "auto")[0], "resizing")
        self.advance(2)  # t=7: allocated
        self.assertEqual(self.counts(ws, "auto"), ("steady", 4, 0, 0, 4, 0))
        self.advance(1)  # t=8: prepared; four jobs run, two wait
        self.assertEqual(self.counts(ws, "auto"), ("steady", 4, 0, 4, 0, 0))
        self.assertEqual(self.states(ws, exp, jobs), ["queued"] * 2 + ["running"] * 4)

        self.advance(60)  # t=68: the first four finish, the last two take two of their nodes
        self.assertEqual(self.states(ws, exp, jobs), ["running"] * 2 + ["succeeded"] * 4)
        self.advance(3)  # t=71: the evaluation at t=70 released the two idle nodes
        self.assertEqual(self.counts(ws, "auto"), ("steady", 2, 0, 2, 0, 0))
        self.advance(57)  # t=128
        self.assertEqual(self.states(ws, exp, jobs), ["succeeded"] * 6)
        self.advance(2)  # t=130: released
        self.assertEqual(self.counts(ws, "auto"), ("resizing", 2, 0, 0, 0, 2))
        self.advance(1)  # t=131: gone
        self.assertEqual(self.counts(ws, "auto"), ("steady", 0, 0, 0, 0, 0))


if __name__ == "__main__":
    unittest.main()
