"""ARM wire conventions over raw HTTPS, as the recorded sessions with the live service show them:
202 + empty body + Azure-AsyncOperation/Location for LROs, the operation status document,
synchronous PUT workspace/experiment and PATCH cluster, reason phrases, ids, nextLink paging."""

import re
import unittest
import urllib.parse

from sdk_support import (API_VERSION, RESOURCE_GROUP, SUBSCRIPTION, EmulatorTestCase, RawClient,
                         cluster_body, cluster_path, experiment_path, file_server_body,
                         file_server_params, file_server_path, job_body, job_path, workspace_path)

LOCATION = "westeurope"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"


class WireTests(EmulatorTestCase):

    def new_workspace(self):
        name = self.unique("ws")
        response = self.raw.put(workspace_path(name), {"location": LOCATION})
        self.assertEqual(response.status, 200, response)
        return name

    def assert_accepted(self, response):
        """202, empty body, both operation headers with one operation id; returns the id."""
        self.assertEqual(response.status, 202, response)
        self.assertEqual(response.body, b"", response)
        self.assertEqual(response.header("Content-Length"), "0")
        async_url = response.header("Azure-AsyncOperation")
        location = response.header("Location")
        self.assertTrue(async_url and location, f"missing operation headers: {response.headers}")
        async_parts = urllib.parse.urlsplit(async_url)
        location_parts = urllib.parse.urlsplit(location)
        prefix = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.BatchAI/locations/{LOCATION}/"
        match = re.fullmatch(re.escape(prefix) + "operationresults/(" + _GUID + ")",
                             async_parts.path)
        self.assertTrue(match, async_url)
        operation_id = match.group(1)
        self.assertEqual(location_parts.path, prefix + "operationstatuses/" + operation_id)
        for parts in (async_parts, location_parts):
            self.assertEqual(urllib.parse.parse_qs(parts.query).get("api-version"), [API_VERSION])
            self.assertIn(parts.scheme, ("https", "http"))
        retry_after = response.header("Retry-After")
        self.assertIsNotNone(retry_after, "a small Retry-After keeps clients from waiting 30 s")
        self.assertTrue(retry_after.isdigit() and int(retry_after) <= 5, retry_after)
        return operation_id

    def finish(self, response, resource_id_parts):
        operation_id = self.assert_accepted(response)
        url = response.header("Azure-AsyncOperation")
        seen = []
        for _ in range(400):
            poll = self.raw.get(url, api_version=None)
            self.assertEqual(poll.status, 200, poll)
            self.assertTrue(poll.header("Content-Type").startswith("application/json"), poll.headers)
            document = poll.json()
            seen.append(document["status"])
            self.assertEqual(document["name"], operation_id)
            self.assertTrue(document["id"].startswith("http"), document)
            self.assertEqual(urllib.parse.urlsplit(document["id"]).path,
                             urllib.parse.urlsplit(url).path)
            self.assertRegex(document["startTime"], _TIMESTAMP)
            if document["status"] != "InProgress":
                break
            self.assertNotIn("endTime", document)
            self.advance(1)
        self.assertEqual(document["status"], "Succeeded", seen)
        self.assertRegex(document["endTime"], _TIMESTAMP)
        self.assertGreaterEqual(document["endTime"], document["startTime"])
        self.assertEqual(document["properties"]["resourceId"],
                         "$".join([SUBSCRIPTION, RESOURCE_GROUP, *resource_id_parts]))
        # The Location URL answers too (clients may poll either).
        status = self.raw.get(response.header("Location"), api_version=None)
        self.assertIn(status.status, (200, 202, 204), status)
        return document

    # ---- long-running operations ---------------------------------------------------------

    def test_cluster_create_and_delete_are_202_operations(self):
        ws = self.new_workspace()
        self.finish(self.raw.put(cluster_path(ws, "c1"), cluster_body(0)), [ws, "c1"])
        self.finish(self.raw.delete(cluster_path(ws, "c1")), [ws, "c1"])

    def test_job_create_terminate_delete_are_202_operations(self):
        ws = self.new_workspace()
        self.finish(self.raw.put(cluster_path(ws, "c"), cluster_body(0)), [ws, "c"])
        self.assertEqual(self.raw.put(experiment_path(ws, "e")).status, 200)
        cluster_id = cluster_path(ws, "c")
        self.finish(self.raw.put(job_path(ws, "e", "j"), job_body(cluster_id)), [ws, "e", "j"])
        self.finish(self.raw.post(job_path(ws, "e", "j") + "/terminate"), [ws, "e", "j"])
        self.finish(self.raw.delete(job_path(ws, "e", "j")), [ws, "e", "j"])

    def test_file_server_create_and_delete_are_202_operations(self):
        ws = self.new_workspace()
        self.finish(self.raw.put(file_server_path(ws, "f"), file_server_body()), [ws, "f"])
        self.finish(self.raw.delete(file_server_path(ws, "f")), [ws, "f"])

    def test_workspace_and_experiment_delete_are_202_operations(self):
        ws = self.new_workspace()
        self.assertEqual(self.raw.put(experiment_path(ws, "e")).status, 200)
        self.finish(self.raw.delete(experiment_path(ws, "e")), [ws, "e"])
        self.finish(self.raw.delete(workspace_path(ws)), [ws])

    # ---- synchronous answers -------------------------------------------------------------

    def test_put_workspace_is_synchronous(self):
        name = self.unique("ws")
        response = self.raw.put(workspace_path(name), {"location": LOCATION, "tags": {"a": "b"}})
        self.assertEqual(response.status, 200, response)
        self.assertIsNone(response.header("Azure-AsyncOperation"))
        body = response.json()
        self.assertEqual(body["id"], workspace_path(name))
        self.assertEqual(body["name"], name)
        self.assertEqual(body["location"], LOCATION)
        self.assertEqual(body["tags"], {"a": "b"})
        self.assertEqual(body["properties"]["provisioningState"], "succeeded")
        self.assertRegex(body["properties"]["creationTime"], _TIMESTAMP)

    def test_put_experiment_is_synchronous_with_or_without_a_body(self):
        ws = self.new_workspace()
        for name, payload in (("e1", None), ("e2", {"properties": {}})):
            with self.subTest(body=payload):
                response = self.raw.put(experiment_path(ws, name), payload)
                self.assertEqual(response.status, 200, response)
                body = response.json()
                self.assertEqual(body["id"], experiment_path(ws, name))
                self.assertEqual(body["properties"]["provisioningState"], "succeeded")

    def test_patch_cluster_is_synchronous(self):
        ws = self.new_workspace()
        self.finish(self.raw.put(cluster_path(ws, "c"), cluster_body(0)), [ws, "c"])
        response = self.raw.patch(cluster_path(ws, "c"), {"properties": {"scaleSettings": {
            "autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 3}}}})
        self.assertEqual(response.status, 200, response)
        properties = response.json()["properties"]
        self.assertEqual(properties["scaleSettings"]["autoScale"],
                         {"minimumNodeCount": 0, "maximumNodeCount": 3, "initialNodeCount": 0})
        self.assertNotIn("manual", properties["scaleSettings"])
        self.assertEqual(properties["vmSize"].lower(), "standard_nc6")

    def test_patch_workspace_is_synchronous(self):
        ws = self.new_workspace()
        response = self.raw.patch(workspace_path(ws), {"tags": {"x": "1"}})
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.json()["tags"], {"x": "1"})

    def test_terminate_of_a_finished_job_is_200_with_an_empty_body(self):
        ws = self.new_workspace()
        self.finish(self.raw.put(cluster_path(ws, "c"), cluster_body(1)), [ws, "c"])
        self.raw.put(experiment_path(ws, "e"))
        self.finish(self.raw.put(job_path(ws, "e", "j"), job_body(cluster_path(ws, "c"), "5")),
                    [ws, "e", "j"])
        self.wait_until(lambda: self.raw.get(job_path(ws, "e", "j")).json(),
                        lambda j: j["properties"]["executionState"] == "succeeded", "job done")
        response = self.raw.post(job_path(ws, "e", "j") + "/terminate")
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.body, b"")

    # ---- errors, ids, paging -------------------------------------------------------------

    def test_404_reason_phrase_is_the_message(self):
        ws = self.new_workspace()
        self.raw.put(experiment_path(ws, "e"))
        response = self.raw.get(job_path(ws, "e", "job"))
        self.assertEqual(response.status, 404)
        self.assertEqual(response.reason, "The specified job job is not found")
        error = response.json()["error"]
        self.assertEqual((error["code"], error["message"]),
                         ("JobNotFound", "The specified job job is not found"))

    def test_file_server_ids_and_types_use_lower_case_fileservers(self):
        ws = self.new_workspace()
        self.finish(self.raw.put(file_server_path(ws, "f"), file_server_body()), [ws, "f"])
        listed = self.raw.get(workspace_path(ws) + "/fileServers").json()["value"]
        single = self.raw.get(file_server_path(ws, "f")).json()
        for document in (listed[0], single):
            self.assertEqual(document["id"], workspace_path(ws) + "/fileservers/f")
            self.assertIn("fileservers", document["type"].lower())
            self.assertNotIn("fileServers", document["type"])
        # ARM matches path segments case-insensitively: the id is also a URL.
        self.assertEqual(self.raw.get(single["id"]).status, 200)

    def test_ids_and_types_of_every_resource(self):
        ws = self.new_workspace()
        self.finish(self.raw.put(cluster_path(ws, "c"), cluster_body(0)), [ws, "c"])
        self.raw.put(experiment_path(ws, "e"))
        self.finish(self.raw.put(job_path(ws, "e", "j"), job_body(cluster_path(ws, "c"))),
                    [ws, "e", "j"])
        for path, kind in ((workspace_path(ws), "workspaces"), (cluster_path(ws, "c"), "clusters"),
                           (experiment_path(ws, "e"), "experiments"),
                           (job_path(ws, "e", "j"), "jobs")):
            with self.subTest(kind=kind):
                document = self.raw.get(path).json()
                self.assertEqual(document["id"], path)
                self.assertTrue(document["type"].lower().startswith("microsoft.batchai/"),
                                document["type"])
                self.assertTrue(document["type"].lower().endswith(kind), document["type"])

    def test_next_link_paging(self):
        ws = self.new_workspace()
        names = [f"c{i}" for i in range(5)]
        for name in names:
            self.finish(self.raw.put(cluster_path(ws, name), cluster_body(0)), [ws, name])
        response = self.raw.get(workspace_path(ws) + "/clusters", query={"maxresults": "2"})
        listed, pages = [], 0
        while True:
            self.assertEqual(response.status, 200, response)
            page = response.json()
            pages += 1
            self.assertLessEqual(len(page["value"]), 2)
            listed += [c["name"] for c in page["value"]]
            next_link = page.get("nextLink")
            if not next_link:
                break
            self.assertTrue(next_link.startswith("https://") or next_link.startswith("http://"),
                            next_link)
            self.assertIn("api-version=", next_link)
            self.assertLess(pages, 20, "nextLink never ends")
            response = self.raw.get(next_link, api_version=None)
        self.assertEqual(sorted(listed), names)
        self.assertGreaterEqual(pages, 3)

    def test_json_responses_and_request_ids(self):
        ws = self.new_workspace()
        response = self.raw.get(workspace_path(ws))
        self.assertTrue(response.header("Content-Type").startswith("application/json"))
        self.assertTrue(response.header("x-ms-request-id"))
        mine = self.raw.get(workspace_path(ws), headers={
            "x-ms-client-request-id": "11111111-2222-3333-4444-555555555555"})
        self.assertEqual(mine.status, 200)

    def test_plain_http_listener_serves_the_same_api(self):
        plain = RawClient(self.emulator, base_url=self.emulator.http_url)
        ws = self.new_workspace()
        response = plain.get(workspace_path(ws))
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.json()["name"], ws)


class RealisticProfileWireTests(EmulatorTestCase):
    """With the realistic profile operations take simulated time, so the in-progress half of the
    conventions shows: Retry-After on polls, no endTime yet, 202 from the Location URL."""

    emulator_settings = "profile: realistic\n"

    def test_operation_in_progress_then_succeeded(self):
        ws = self.unique("ws")
        self.assertEqual(self.raw.put(workspace_path(ws), {"location": LOCATION}).status, 200)
        accepted = self.raw.put(file_server_path(ws, "f"), file_server_body())
        self.assertEqual(accepted.status, 202, accepted)
        poll = self.raw.get(accepted.header("Azure-AsyncOperation"), api_version=None)
        self.assertEqual(poll.status, 200, poll)
        document = poll.json()
        self.assertEqual(document["status"], "InProgress", document)
        self.assertNotIn("endTime", document)
        self.assertNotIn("properties", document)
        self.assertTrue(poll.header("Retry-After"), poll.headers)
        status = self.raw.get(accepted.header("Location"), api_version=None)
        self.assertEqual(status.status, 202, status)
        # The file server exists (creating) while its operation runs.
        creating = self.raw.get(file_server_path(ws, "f"))
        self.assertEqual(creating.status, 200, creating)
        self.assertIn(creating.json()["properties"]["provisioningState"], ("creating", "succeeded"))
        final = self.wait_raw_operation(accepted)
        self.assertEqual(final["status"], "Succeeded")
        self.assertGreater(final["endTime"], final["startTime"])
        self.assertEqual(self.raw.get(accepted.header("Location"), api_version=None).status, 200)

    def test_sdk_poller_waits_on_the_simulated_clock(self):
        ws = self.create_workspace().name
        polling = self.lro()["polling"]
        fs = self.client.file_servers.begin_create(RESOURCE_GROUP, ws, "f", file_server_params(),
                                                   polling=polling).result()
        self.assertEqual(fs.provisioning_state, "succeeded")
        self.assertTrue(polling.waits, "the operation finished without a single poll")
        self.assertGreaterEqual(sum(polling.waits), 200, polling.waits)


if __name__ == "__main__":
    unittest.main()
