"""Validation and routing errors: HTTP status and CloudError code, through the SDK and raw HTTPS.

Codes the router uses: InvalidRequestContent (malformed JSON), MissingRequiredProperty,
InvalidPropertyType, InvalidPropertyValue (enum, range, one-of), InvalidResourceName
(InvalidResourceGroupName for groups), InvalidQueryParameterValue (maxresults),
MissingApiVersionParameter, InvalidApiVersionParameter, NotFound (route), MethodNotAllowed,
RequestEntityTooLarge, *NotFound for missing parents/resources, ClusterNotFound (400) for a job's
missing cluster, InvalidVmSize, ResourceAlreadyExists (409).
"""

import copy
import socket
import ssl
import unittest
import urllib.parse

from sdk_support import (RESOURCE_GROUP, SUBSCRIPTION, EmulatorTestCase, HttpResponseError,
                         SimClockPolling, cluster_body, cluster_params, cluster_path,
                         experiment_path, file_server_body, file_server_path, job_body,
                         job_params, job_path, models, workspace_path)


class ErrorTests(EmulatorTestCase):

    @classmethod
    def setUpClass(cls):
        # The class shares one workspace and one (empty) cluster; each test makes its experiment.
        super().setUpClass()
        cls.client.workspaces.begin_create(
            RESOURCE_GROUP, "errors-ws", models.WorkspaceCreateParameters(location="eastus"),
            polling=SimClockPolling(cls.emulator)).result()
        cls.cluster = cls.client.clusters.begin_create(
            RESOURCE_GROUP, "errors-ws", "errors-cluster", cluster_params(target_nodes=0),
            polling=SimClockPolling(cls.emulator)).result()
        cls.cluster_id = cls.cluster.id

    def setUp(self):
        self.exp = self.create_experiment("errors-ws").name

    def sdk_error(self, call):
        with self.assertRaises(HttpResponseError) as caught:
            call()
        return caught.exception

    # ---- names -------------------------------------------------------------------------

    def test_invalid_workspace_names(self):
        for name in ("bad name", "bad!name", "a" * 65, "dot.ted"):
            with self.subTest(name=name):
                response = self.raw.put(workspace_path(urllib.parse.quote(name)),
                                        {"location": "eastus"})
                error = self.assertCloudError(response, 400, "InvalidResourceName")
                self.assertIn("name", error["message"].lower())

    def test_invalid_names_through_the_sdk(self):
        # The SDK does no client-side validation, so the emulator sees these names.
        error = self.sdk_error(lambda: self.client.clusters.begin_create(
            RESOURCE_GROUP, "errors-ws", "no spaces allowed", cluster_params(),
            **self.lro()).result())
        self.assertCloudError(error, 400, "InvalidResourceName")
        error = self.sdk_error(lambda: self.client.experiments.begin_create(
            RESOURCE_GROUP, "errors-ws", "x" * 65, **self.lro()).result())
        self.assertCloudError(error, 400, "InvalidResourceName")

    def test_invalid_resource_group_name(self):
        response = self.raw.put(workspace_path("ws", rg="bad%21group"), {"location": "eastus"})
        self.assertEqual(response.status, 400, response)
        # A resource group is not a Batch AI resource: either code names the problem precisely.
        self.assertIn(response.error_code(), ("InvalidResourceGroupName", "InvalidResourceName"),
                      response)

    def test_sixty_four_characters_is_a_valid_name(self):
        name = "n" * 64
        exp = self.create_experiment("errors-ws", name)
        self.assertEqual(exp.name, name)

    # ---- bodies --------------------------------------------------------------------------

    def test_malformed_json(self):
        for raw in ('{"location": ', "not json at all", '{"location": "eastus",}'):
            with self.subTest(body=raw):
                response = self.raw.put(workspace_path(self.unique("ws")), raw_body=raw)
                self.assertCloudError(response, 400, "InvalidRequestContent")

    def test_missing_required_fields(self):
        cases = {
            "location": (workspace_path(self.unique("ws")), {"tags": {}}),
            "vmSize": (cluster_path("errors-ws", self.unique("c")), self.without(
                cluster_body(), "vmSize")),
            "userAccountSettings": (cluster_path("errors-ws", self.unique("c")), self.without(
                cluster_body(), "userAccountSettings")),
            "nodeCount": (job_path("errors-ws", self.exp, self.unique("j")), self.without(
                job_body(self.cluster_id), "nodeCount")),
            "stdOutErrPathPrefix": (job_path("errors-ws", self.exp, self.unique("j")), self.without(
                job_body(self.cluster_id), "stdOutErrPathPrefix")),
            "cluster": (job_path("errors-ws", self.exp, self.unique("j")), self.without(
                job_body(self.cluster_id), "cluster")),
            "dataDisks": (file_server_path("errors-ws", self.unique("f")), self.without(
                file_server_body(), "dataDisks")),
        }
        for field, (path, body) in cases.items():
            with self.subTest(field=field):
                error = self.assertCloudError(self.raw.put(path, body), 400,
                                              "MissingRequiredProperty")
                self.assertIn(field, (error.get("target") or "") + error["message"])

    def test_missing_nested_required_field(self):
        body = cluster_body()
        del body["properties"]["userAccountSettings"]["adminUserName"]
        error = self.assertCloudError(self.raw.put(cluster_path("errors-ws", self.unique("c")),
                                                   body), 400, "MissingRequiredProperty")
        self.assertIn("adminUserName", (error.get("target") or "") + error["message"])

    def test_wrong_json_types(self):
        job = job_body(self.cluster_id)
        job["properties"]["nodeCount"] = "two"
        cluster = cluster_body()
        cluster["properties"]["scaleSettings"]["manual"]["targetNodeCount"] = [1]
        workspace = {"location": "eastus", "tags": ["not", "a", "map"]}
        cases = {
            "nodeCount": (job_path("errors-ws", self.exp, self.unique("j")), job),
            "targetNodeCount": (cluster_path("errors-ws", self.unique("c")), cluster),
            "tags": (workspace_path(self.unique("ws")), workspace),
        }
        for field, (path, body) in cases.items():
            with self.subTest(field=field):
                error = self.assertCloudError(self.raw.put(path, body), 400,
                                              "InvalidPropertyType")
                self.assertIn(field, (error.get("target") or "") + error["message"])

    def test_wrong_enum_values_ranges_and_one_ofs(self):
        priority = cluster_body()
        priority["properties"]["vmPriority"] = "cheap"
        both = cluster_body()
        both["properties"]["scaleSettings"]["autoScale"] = {"minimumNodeCount": 0,
                                                            "maximumNodeCount": 1}
        neither = cluster_body()
        neither["properties"]["scaleSettings"] = {}
        job_priority = job_body(self.cluster_id)
        job_priority["properties"]["schedulingPriority"] = "urgent"
        caching = file_server_body()
        caching["properties"]["dataDisks"]["cachingType"] = "sometimes"
        storage = file_server_body()
        storage["properties"]["dataDisks"]["storageAccountType"] = "Tape_LRS"
        dealloc = cluster_body()
        dealloc["properties"]["scaleSettings"]["manual"]["nodeDeallocationOption"] = "whenever"
        cases = {
            "vmPriority": (cluster_path("errors-ws", self.unique("c")), priority),
            "scaleSettings (both)": (cluster_path("errors-ws", self.unique("c")), both),
            "scaleSettings (neither)": (cluster_path("errors-ws", self.unique("c")), neither),
            "nodeDeallocationOption": (cluster_path("errors-ws", self.unique("c")), dealloc),
            "schedulingPriority": (job_path("errors-ws", self.exp, self.unique("j")), job_priority),
            "cachingType": (file_server_path("errors-ws", self.unique("f")), caching),
            "storageAccountType": (file_server_path("errors-ws", self.unique("f")), storage),
        }
        for field, (path, body) in cases.items():
            with self.subTest(field=field):
                self.assertCloudError(self.raw.put(path, body), 400, "InvalidPropertyValue")

    def test_wrong_enum_value_through_the_sdk(self):
        params = job_params(self.cluster_id, priority="urgent")
        error = self.sdk_error(lambda: self.client.jobs.begin_create(
            RESOURCE_GROUP, "errors-ws", self.exp, self.unique("j"), params,
            **self.lro()).result())
        self.assertCloudError(error, 400, "InvalidPropertyValue")

    def test_maxresults_out_of_range(self):
        for value in ("0", "1001", "many"):
            with self.subTest(maxresults=value):
                response = self.raw.get(f"{workspace_path('errors-ws')}/clusters",
                                        query={"maxresults": value})
                self.assertEqual(response.status, 400, response)
                self.assertIn(response.error_code(), ("InvalidQueryParameterValue",
                                                      "InvalidPropertyValue"), response)

    def test_unknown_vm_size(self):
        body = cluster_body(vm_size="STANDARD_QUANTUM42")
        error = self.assertCloudError(self.raw.put(cluster_path("errors-ws", self.unique("c")),
                                                   body), 400, "InvalidVmSize")
        self.assertIn("STANDARD_QUANTUM42", error["message"])
        error = self.sdk_error(lambda: self.client.clusters.begin_create(
            RESOURCE_GROUP, "errors-ws", self.unique("c"), cluster_params(vm_size="Standard_XYZ"),
            **self.lro()).result())
        self.assertCloudError(error, 400, "InvalidVmSize")

    def test_job_on_a_missing_cluster(self):
        missing = workspace_path("errors-ws") + "/clusters/no-such-cluster"
        error = self.sdk_error(lambda: self.client.jobs.begin_create(
            RESOURCE_GROUP, "errors-ws", self.exp, self.unique("j"), job_params(missing),
            **self.lro()).result())
        self.assertCloudError(error, 400, "ClusterNotFound", target="properties.cluster.id")
        response = self.raw.put(job_path("errors-ws", self.exp, self.unique("j")),
                                job_body(missing))
        self.assertCloudError(response, 400, "ClusterNotFound", target="properties.cluster.id")

    def test_unknown_keys_are_ignored(self):
        body = cluster_body(target_nodes=0)
        body["$schema"] = "https://example.invalid/cluster.json"
        body["location"] = "somewhere"
        body["properties"]["credentialsInfo"] = {"accountKey": "k"}
        body["properties"]["somethingNew"] = 1
        response = self.raw.put(cluster_path("errors-ws", self.unique("c")), body)
        self.assertIn(response.status, (200, 201, 202), response)

    def test_body_too_large(self):
        # Only the headers are sent: a server that knows the declared length is over its limit
        # answers before reading the body, which is what lets it stay cheap under abuse.
        url = urllib.parse.urlsplit(self.emulator.https_url)
        context = ssl.create_default_context(cafile=self.emulator.ca_path)
        path = workspace_path(self.unique("ws")) + "?api-version=2018-05-01"
        request = (f"PUT {path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\n"
                   f"Authorization: Bearer t\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {64 * 1024 * 1024}\r\n\r\n").encode()
        with socket.create_connection((url.hostname, url.port), timeout=15) as raw_socket:
            with context.wrap_socket(raw_socket, server_hostname=url.hostname) as tls:
                tls.sendall(request)
                tls.sendall(b"{" * 65536)
                received = b""
                try:
                    while b"\r\n\r\n" not in received:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        received += chunk
                except (ConnectionResetError, ssl.SSLError):
                    pass
        status_line = received.split(b"\r\n", 1)[0]
        self.assertTrue(status_line.startswith(b"HTTP/1.1 413"), received[:500])
        self.assertIn(b"RequestEntityTooLarge", received)
        # The server keeps serving.
        self.assertEqual(self.raw.get(workspace_path("errors-ws")).status, 200)

    # ---- parents and resources -----------------------------------------------------------

    def test_missing_parents(self):
        nows = self.unique("nows")
        cases = [
            (cluster_path(nows, "c"), cluster_body(), "WorkspaceNotFound"),
            (file_server_path(nows, "f"), file_server_body(), "WorkspaceNotFound"),
            (experiment_path(nows, "e"), {}, "WorkspaceNotFound"),
            (job_path(nows, "e", "j"), job_body(self.cluster_id), "WorkspaceNotFound"),
            (job_path("errors-ws", "noexp", "j"), job_body(self.cluster_id), "ExperimentNotFound"),
        ]
        for path, body, code in cases:
            with self.subTest(path=path):
                self.assertCloudError(self.raw.put(path, body), 404, code)

    def test_missing_resources_and_their_messages(self):
        cases = [
            (workspace_path("ghost"), "WorkspaceNotFound", "The specified workspace ghost is not found"),
            (cluster_path("errors-ws", "ghost"), "ClusterNotFound", None),
            (file_server_path("errors-ws", "ghost"), "FileServerNotFound", None),
            (experiment_path("errors-ws", "ghost"), "ExperimentNotFound",
             "The specified experiment ghost is not found"),
            (job_path("errors-ws", self.exp, "ghost"), "JobNotFound",
             "The specified job ghost is not found"),
        ]
        for path, code, message in cases:
            with self.subTest(code=code):
                response = self.raw.get(path)
                error = self.assertCloudError(response, 404, code)
                self.assertIn("ghost", error["message"])
                if message:
                    self.assertEqual(error["message"], message)
                # Batch AI's own 404s carry the message as the reason phrase.
                self.assertEqual(response.reason, error["message"])

    def test_sdk_maps_404_to_resource_not_found(self):
        self.assertNotFound(lambda: self.client.jobs.get(RESOURCE_GROUP, "errors-ws", self.exp,
                                                         "ghost"), "JobNotFound")
        self.assertNotFound(lambda: self.client.jobs.begin_terminate(
            RESOURCE_GROUP, "errors-ws", self.exp, "ghost", **self.lro()).result(), "JobNotFound")
        self.assertNotFound(lambda: self.client.clusters.begin_delete(
            RESOURCE_GROUP, "errors-ws", "ghost", **self.lro()).result(), "ClusterNotFound")

    def test_put_conflicts(self):
        # PUT of an existing cluster, job or file server: the same body again is idempotent (200 or
        # a 202 that succeeds), a different body is a 409.
        cases = {
            "cluster": (cluster_path("errors-ws", self.unique("c")), cluster_body(target_nodes=0),
                        ("vmSize", "STANDARD_D1")),
            "job": (job_path("errors-ws", self.exp, self.unique("j")), job_body(self.cluster_id),
                    ("nodeCount", 2)),
            "file server": (file_server_path("errors-ws", self.unique("f")), file_server_body(),
                            ("vmSize", "STANDARD_D2")),
        }
        for kind, (path, body, (field, value)) in cases.items():
            self.wait_raw_operation(self.raw.put(path, body))
            with self.subTest(kind=kind, body="same"):
                same = self.raw.put(path, body)
                self.assertIn(same.status, (200, 202), same)
                if same.status == 202:
                    self.assertEqual(self.wait_raw_operation(same)["status"], "Succeeded")
            with self.subTest(kind=kind, body="different"):
                changed = copy.deepcopy(body)
                changed["properties"][field] = value
                self.assertCloudError(self.raw.put(path, changed), 409, "ResourceAlreadyExists")

    # ---- api-version, routes, methods ----------------------------------------------------

    def test_api_version(self):
        missing = self.raw.get(workspace_path("errors-ws"), api_version=None)
        self.assertCloudError(missing, 400, "MissingApiVersionParameter")
        for version in ("2017-09-01-preview", "2099-01-01", "garbage"):
            with self.subTest(version=version):
                self.assertCloudError(self.raw.get(workspace_path("errors-ws"),
                                                   api_version=version),
                                      400, "InvalidApiVersionParameter")

    def test_unknown_api_version_through_the_sdk_pipeline(self):
        from azure.core.rest import HttpRequest
        request = HttpRequest("GET", self.emulator.https_url + workspace_path("errors-ws"),
                              params={"api-version": "1999-01-01"})
        response = self.client._client.send_request(request)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["code"], "InvalidApiVersionParameter")

    def test_unknown_routes(self):
        for path in (f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.BatchAI/nothing",
                     workspace_path("errors-ws") + "/gadgets/x",
                     "/totally/unknown"):
            with self.subTest(path=path):
                self.assertCloudError(self.raw.get(path), 404, "NotFound")

    def test_wrong_methods(self):
        cases = [("DELETE", "/providers/Microsoft.BatchAI/operations"),
                 ("POST", workspace_path("errors-ws")),
                 ("PATCH", experiment_path("errors-ws", self.exp)),
                 ("PUT", job_path("errors-ws", self.exp, "j") + "/terminate")]
        for method, path in cases:
            with self.subTest(method=method, path=path):
                self.assertCloudError(self.raw.request(method, path, body={}), 405,
                                      "MethodNotAllowed")

    @staticmethod
    def without(body, field):
        body = copy.deepcopy(body)
        del body["properties"][field]
        return body


if __name__ == "__main__":
    unittest.main()
