"""Every example of spec/examples/ replayed against the emulator: the answer must have the example's
keys (recursively) with the same JSON types, every other key must be declared by the spec, and the
status must be one the example lists. One test per example file, generated from the spec itself
(x-ms-examples tells which operation an example belongs to)."""

import json
import os
import re
import unittest

from sdk_support import EmulatorTestCase, shared_dir

SPEC_DIR = os.path.join(shared_dir(), "spec")
with open(os.path.join(SPEC_DIR, "BatchAI-2018-05-01.json")) as _f:
    SPEC = json.load(_f)

# Quirks of the example files (spec/SUMMARY.md section 10), repaired before sending: ids with the
# singular "workspace" segment and a misspelt workspace in a mount reference.
_QUIRKS = [("/workspace/", "/workspaces/"), ("/demo_workspaces/", "/demo_workspace/")]

# Keys an example shows that depend on state the emulator legitimately lacks. Keep this short.
OPTIONAL = {
    # The live service made a VNet when the request named no subnet; the emulator need not.
    ("*", "properties.subnet"): "service-made VNet",
    # A job just created is queued; executionInfo appears when it starts.
    ("PutJob.json", "properties.executionInfo"): "queued job",
    # Simulated jobs write no files, so the listing may be empty.
    ("ListOutputFiles.json", "value[]"): "no output files on the sim backend",
}
# Envelope keys the live service added in later years (2021 cluster bodies carry location, etag).
ENVELOPE_EXTRAS = {"location", "etag"}
# Keys the spec does not declare but the live service sent (recordings/): job bodies carried
# properties.experimentName.
RECORDED_EXTRAS = {("JobProperties", "experimentName")}

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def operations_by_example():
    found = {}
    for path, methods in SPEC["paths"].items():
        for method, operation in methods.items():
            if method == "parameters":
                continue
            for ref in operation.get("x-ms-examples", {}).values():
                found[os.path.basename(ref["$ref"])] = (method.upper(), path, operation)
    return found


def json_kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def compare_shape(expected, actual, example, path="", problems=None):
    """Problems where actual lacks a key of expected or has another JSON type."""
    problems = [] if problems is None else problems
    if expected is None:
        return problems
    if json_kind(expected) != json_kind(actual):
        problems.append(f"{path or '(root)'}: example has {json_kind(expected)}, "
                        f"emulator sent {json_kind(actual)} ({str(actual)[:80]})")
        return problems
    if isinstance(expected, dict):
        for key, value in expected.items():
            child = f"{path}.{key}" if path else key
            if key not in actual:
                if not optional(example, child):
                    problems.append(f"{child}: missing")
                continue
            compare_shape(value, actual[key], example, child, problems)
    elif isinstance(expected, list) and expected:
        if not actual and not optional(example, path + "[]"):
            problems.append(f"{path}[]: empty, the example has items")
        for item in actual:
            # An item passes when it has the shape of any example item (a listing mixes files
            # and directories); otherwise the closest example item's complaints are reported.
            attempts = [compare_shape(candidate, item, example, path + "[]")
                        for candidate in expected]
            problems.extend(min(attempts, key=len))
    return problems


def optional(example, path):
    return (example, path) in OPTIONAL or ("*", path) in OPTIONAL


def resolve(schema):
    """The schema with $ref followed and allOf merged: {properties, type, items, additional}."""
    name = None
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = SPEC["definitions"][name]
    merged = {"name": name, "properties": dict(schema.get("properties", {})),
              "type": schema.get("type"),
              "items": schema.get("items"), "additional": schema.get("additionalProperties"),
              "format": schema.get("format")}
    for part in schema.get("allOf", []):
        base = resolve(part)
        merged["properties"] = {**base["properties"], **merged["properties"]}
        merged["type"] = merged["type"] or base["type"]
    if merged["properties"] and not merged["type"]:
        merged["type"] = "object"
    return merged


def check_schema(actual, schema, path="", problems=None):
    """Problems where actual has keys the spec does not declare, or values of the wrong type."""
    problems = [] if problems is None else problems
    s = resolve(schema)
    where = path or "(root)"
    expected_type = s["type"]
    if actual is None:
        return problems
    if expected_type == "integer" and not (isinstance(actual, int) and not isinstance(actual, bool)):
        problems.append(f"{where}: spec says integer, got {actual!r}")
    elif expected_type == "number" and json_kind(actual) != "number":
        problems.append(f"{where}: spec says number, got {actual!r}")
    elif expected_type == "string" and not isinstance(actual, str):
        problems.append(f"{where}: spec says string, got {actual!r}")
    elif expected_type == "boolean" and not isinstance(actual, bool):
        problems.append(f"{where}: spec says boolean, got {actual!r}")
    elif expected_type == "array":
        if not isinstance(actual, list):
            problems.append(f"{where}: spec says array, got {json_kind(actual)}")
        else:
            for item in actual:
                check_schema(item, s["items"] or {}, path + "[]", problems)
    elif expected_type == "object" or s["properties"] or s["additional"]:
        if not isinstance(actual, dict):
            problems.append(f"{where}: spec says object, got {json_kind(actual)}")
            return problems
        for key, value in actual.items():
            child = f"{path}.{key}" if path else key
            if key in s["properties"]:
                check_schema(value, s["properties"][key], child, problems)
            elif s["additional"]:
                check_schema(value, s["additional"], child, problems)
            elif key in ENVELOPE_EXTRAS and path in ("", "value[]"):
                continue
            elif (s["name"], key) in RECORDED_EXTRAS:
                continue
            elif not s["properties"]:
                continue  # a free-form object such as Operation.properties
            else:
                problems.append(f"{child}: not declared by the spec")
    if s["format"] == "date-time" and isinstance(actual, str) and not _DATE_TIME.match(actual):
        problems.append(f"{where}: not an ISO 8601 date-time: {actual!r}")
    return problems


class SpecExampleTests(EmulatorTestCase):
    """Each example runs in its own resource group, so examples do not see each other."""

    def setUp(self):
        self.rg = self.unique("demo_resource_group_")

    def fixed(self, value):
        text = json.dumps(value)
        for old, new in _QUIRKS:
            text = text.replace(old, new)
        return json.loads(text.replace("demo_resource_group", self.rg))

    def example_body(self, name):
        with open(os.path.join(SPEC_DIR, "examples", name)) as f:
            return self.fixed(json.load(f)["parameters"]["parameters"])

    def base(self, ws):
        return (f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{self.rg}/"
                f"providers/Microsoft.BatchAI/workspaces/{ws}")

    def lro_put(self, path, body):
        response = self.raw.put(path, body)
        if response.status == 202:
            self.wait_raw_operation(response)
        else:
            self.assertIn(response.status, (200, 201), response)
        return response

    # ---- prerequisites, built from the example request bodies ----------------------------

    def prepare(self, operation_id, params):
        ws = params.get("workspaceName")
        family = operation_id.split("_")[0]
        if operation_id in ("Operations_List", "Usages_List", "Workspaces_Create"):
            return
        self.assertEqual(self.raw.put(self.base(ws), {"location": "eastus"}).status, 200)
        if family == "Workspaces":
            return
        if family == "Experiments":
            if operation_id != "Experiments_Create":
                exp = params.get("experimentName", "demo_experiment")
                self.assertEqual(self.raw.put(f"{self.base(ws)}/experiments/{exp}").status, 200)
            return
        if family == "FileServers":
            if operation_id != "FileServers_Create":
                self.lro_put(f"{self.base(ws)}/fileServers/{params.get('fileServerName', 'demo_nfs')}",
                             self.example_body("PutFileServer.json"))
            return
        # Clusters and jobs: PutCluster.json mounts file server fileservercedd134b.
        self.lro_put(f"{self.base(ws)}/fileServers/fileservercedd134b",
                     self.example_body("PutFileServer.json"))
        if operation_id == "Clusters_Create":
            return
        cluster = params.get("clusterName", "demo_cluster")
        self.lro_put(f"{self.base(ws)}/clusters/{cluster}", self.example_body("PutCluster.json"))
        self.wait_until(lambda: self.raw.get(f"{self.base(ws)}/clusters/{cluster}").json(),
                        lambda c: c["properties"]["nodeStateCounts"]["idleNodeCount"] >= 1,
                        "an idle node")
        if family == "Clusters":
            return
        exp = params["experimentName"]
        self.assertEqual(self.raw.put(f"{self.base(ws)}/experiments/{exp}").status, 200)
        if operation_id == "Jobs_Create":
            return
        job = params.get("jobName", "demo_job")
        body = self.example_body("PutJob.json")
        body["properties"]["environmentVariables"] = [{"name": "EMULATOR_SIM_DURATION",
                                                       "value": "PT10H"}]
        job_url = f"{self.base(ws)}/experiments/{exp}/jobs/{job}"
        self.lro_put(job_url, body)
        self.wait_until(lambda: self.raw.get(job_url).json(),
                        lambda j: j["properties"]["executionState"] == "running", "job running")

    # ---- one example ---------------------------------------------------------------------

    def replay(self, name, method, template, operation):
        with open(os.path.join(SPEC_DIR, "examples", name)) as f:
            example = json.load(f)
        params = self.fixed(example["parameters"])
        self.prepare(operation["operationId"], params)

        path_names = set(re.findall(r"{(\w+)}", template))
        path = template
        for key in path_names:
            path = path.replace("{" + key + "}", str(params[key]))
        body_param = next((p["name"] for p in operation.get("parameters", [])
                           if p.get("in") == "body"), None)
        query = {k: str(v) for k, v in params.items()
                 if k not in path_names and k != body_param and k != "api-version"}
        body = params.get(body_param) if body_param else None
        response = self.raw.request(method, path, body=body, api_version=params["api-version"],
                                    query=query)
        declared = sorted(int(code) for code in example["responses"])
        self.assertIn(response.status, declared, response)

        if response.status == 202:
            self.assertEqual(self.wait_raw_operation(response)["status"], "Succeeded")
            if method == "PUT":
                response = self.raw.get(path)
                self.assertEqual(response.status, 200, response)
            elif method == "DELETE":
                self.assertEqual(self.raw.get(path).status, 404)
        expected = example["responses"].get("200", {}).get("body")
        if expected is None:
            return
        self.assertEqual(response.status, 200, response)
        actual = response.json()
        problems = compare_shape(expected, actual, name)
        schema = operation["responses"]["200"].get("schema")
        if schema:
            problems += check_schema(actual, schema)
        self.assertFalse(problems, f"{name}: " + "\n  ".join(problems) +
                         f"\nemulator sent: {json.dumps(actual)[:1500]}")


def _add_tests():
    for name, (method, template, operation) in sorted(operations_by_example().items()):
        test_name = "test_" + re.sub(r"(?<!^)(?=[A-Z])", "_", name[:-5]).lower()

        def test(self, name=name, method=method, template=template, operation=operation):
            self.replay(name, method, template, operation)

        test.__doc__ = f"{name}: {method} {operation['operationId']}"
        setattr(SpecExampleTests, test_name, test)


_add_tests()


class CheckerTests(unittest.TestCase):
    """The comparison itself must be able to fail, or the example tests prove nothing."""

    def setUp(self):
        with open(os.path.join(SPEC_DIR, "examples", "GetCluster.json")) as f:
            self.example = json.load(f)["responses"]["200"]["body"]
        self.schema = operations_by_example()["GetCluster.json"][2]["responses"]["200"]["schema"]

    def problems(self, actual):
        return compare_shape(self.example, actual, "GetCluster.json") + check_schema(actual,
                                                                                     self.schema)

    def test_the_example_matches_itself(self):
        self.assertEqual(self.problems(self.example), [])

    def test_a_missing_key_is_reported(self):
        actual = json.loads(json.dumps(self.example))
        del actual["properties"]["nodeStateCounts"]["idleNodeCount"]
        self.assertEqual(self.problems(actual), ["properties.nodeStateCounts.idleNodeCount: missing"])

    def test_an_optional_key_may_be_missing(self):
        actual = json.loads(json.dumps(self.example))
        del actual["properties"]["subnet"]
        self.assertEqual(self.problems(actual), [])

    def test_a_wrong_type_is_reported(self):
        actual = json.loads(json.dumps(self.example))
        actual["properties"]["currentNodeCount"] = "0"
        self.assertEqual(len(self.problems(actual)), 2, self.problems(actual))

    def test_an_undeclared_key_is_reported(self):
        actual = json.loads(json.dumps(self.example))
        actual["properties"]["scaleSettings"]["manual"]["surprise"] = 1
        self.assertEqual(self.problems(actual),
                         ["properties.scaleSettings.manual.surprise: not declared by the spec"])

    def test_a_bad_timestamp_is_reported(self):
        actual = json.loads(json.dumps(self.example))
        actual["properties"]["creationTime"] = "yesterday"
        self.assertEqual(len(self.problems(actual)), 1)


class ExampleCoverageTests(unittest.TestCase):

    def test_every_example_file_belongs_to_an_operation(self):
        files = {f for f in os.listdir(os.path.join(SPEC_DIR, "examples")) if f.endswith(".json")}
        self.assertEqual(files - set(operations_by_example()), set())
        self.assertEqual(len(files), 29)


if __name__ == "__main__":
    unittest.main()
