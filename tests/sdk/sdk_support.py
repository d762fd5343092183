"""What every SDK test file shares: the client, a poller on the simulated clock, raw HTTP, builders.

    class ClusterTests(EmulatorTestCase):
        def test_x(self):
            ws = self.create_workspace()
            cluster = self.create_cluster(ws)            # begin_create(...).result() on sim time
            response = self.raw.get(cluster_path(ws, cluster.name))

Import it before anything from azure: when Debian's python3-azure is missing, the test file exits
with the skip code (77) and says so, instead of failing.
"""

import datetime
import http.client
import itertools
import json
import os
import ssl
import sys
import unittest
import urllib.parse

from emulator_process import SKIP_EXIT_CODE, EmulatorError, EmulatorProcess, repository_root

try:
    from azure.core.credentials import AccessToken
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.mgmt.batchai import BatchAI
    from azure.mgmt.batchai import models
    from azure.mgmt.core.polling.arm_polling import ARMPolling
except ImportError as missing:
    print(f"SKIP: the Azure Batch AI SDK for Python is not importable ({missing}); install Debian's "
          f"python3-azure and run with /usr/bin/python3", file=sys.stderr)
    sys.exit(SKIP_EXIT_CODE)

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "sdk-tests"
LOCATION = "eastus"
API_VERSION = "2018-05-01"
PROVIDER = "Microsoft.BatchAI"
VM_SIZE = "STANDARD_NC6"
# One simulated day: nothing the fast profile does should take longer than this.
MAX_SIMULATED_WAIT_S = 24 * 3600


def shared_dir():
    """Folder with spec/, recipes/ and recordings/ (ctest passes it as EMU_SHARED_DIR)."""
    return os.environ.get("EMU_SHARED_DIR") or os.path.join(repository_root(), "..", "shared")


# ---- ARM paths and ids ---------------------------------------------------------------------

def rg_path(rg=RESOURCE_GROUP, sub=SUBSCRIPTION):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{PROVIDER}"


def workspace_path(ws, rg=RESOURCE_GROUP):
    return f"{rg_path(rg)}/workspaces/{ws}"


def cluster_path(ws, cluster, rg=RESOURCE_GROUP):
    return f"{workspace_path(ws, rg)}/clusters/{cluster}"


def file_server_path(ws, fs, rg=RESOURCE_GROUP):
    return f"{workspace_path(ws, rg)}/fileServers/{fs}"


def file_server_id(ws, fs, rg=RESOURCE_GROUP):
    # Ids of file servers spell the segment in lower case although the URL says fileServers.
    return f"{workspace_path(ws, rg)}/fileservers/{fs}"


def experiment_path(ws, exp, rg=RESOURCE_GROUP):
    return f"{workspace_path(ws, rg)}/experiments/{exp}"


def job_path(ws, exp, job, rg=RESOURCE_GROUP):
    return f"{experiment_path(ws, exp, rg)}/jobs/{job}"


# ---- the SDK client ------------------------------------------------------------------------

class StaticTokenCredential:
    """Any bearer token is accepted by the emulator; this one never expires."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("any-token", 4102444800)  # 2100-01-01


def make_client(emulator):
    # retry_total=0: a failure must show up as the failure it is, not as five slow retries.
    return BatchAI(StaticTokenCredential(), SUBSCRIPTION, base_url=emulator.https_url,
                   connection_verify=emulator.ca_path, polling_interval=0, retry_total=0)


class SimClockPolling(ARMPolling):
    """ARM polling where waiting means advancing the emulator's simulated clock.

    The SDK's poller sleeps Retry-After (or polling_interval) seconds between polls; with
    --time-scale 0 nothing would happen meanwhile. Here each wait advances simulated time by that
    many seconds (at least 1), so an operation takes as many polls as it takes simulated time.
    """

    def __init__(self, emulator, max_polls=400, **kwargs):
        super().__init__(timeout=0, **kwargs)
        self._emulator = emulator
        self._max_polls = max_polls
        self.waits = []

    def _sleep(self, delay):
        if len(self.waits) >= self._max_polls:
            raise EmulatorError(f"operation still {self.status()} after {len(self.waits)} polls and "
                                f"{sum(self.waits)} simulated seconds")
        # Grow the step so that minutes-long operations of a realistic profile still end soon.
        step = max(1.0, float(delay or 0))
        if len(self.waits) >= 30:
            step = max(step, 10.0)
        if len(self.waits) >= 100:
            step = max(step, 60.0)
        self.waits.append(step)
        self._emulator.advance_clock(step)


# ---- raw HTTP ------------------------------------------------------------------------------

class RawResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-case names
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        if not self.body:
            raise AssertionError(f"expected a JSON body, got an empty one (HTTP {self.status})")
        try:
            return json.loads(self.body)
        except ValueError:
            raise AssertionError(f"body is not JSON (HTTP {self.status}): {self.body[:300]!r}") from None

    def error_code(self):
        try:
            return self.json()["error"]["code"]
        except (AssertionError, KeyError, TypeError):
            return None

    def __repr__(self):
        return f"<HTTP {self.status} {self.reason!r} {self.body[:400]!r}>"


class RawClient:
    """Plain HTTPS (verified against the emulator's CA) for what the SDK hides: status codes,
    headers, reason phrases, malformed bodies."""

    def __init__(self, emulator, base_url=None):
        self._emulator = emulator
        self._base_url = base_url
        self._context = None

    @property
    def base_url(self):
        return self._base_url or self._emulator.https_url

    def request(self, method, path_or_url, body=None, api_version=API_VERSION, query=None,
                headers=None, raw_body=None):
        """body: JSON-encoded; raw_body: sent as is (bytes or str). api_version=None leaves it out."""
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        parts = urllib.parse.urlsplit(url)
        params = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if api_version is not None and not any(k == "api-version" for k, _ in params):
            params.append(("api-version", api_version))
        params.extend((query or {}).items())
        target = parts.path + ("?" + urllib.parse.urlencode(params) if params else "")
        all_headers = {"Authorization": "Bearer any-token", "Accept": "application/json"}
        payload = None
        if raw_body is not None:
            payload = raw_body.encode() if isinstance(raw_body, str) else raw_body
            all_headers["Content-Type"] = "application/json"
        elif body is not None:
            payload = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        if parts.scheme == "https":
            if self._context is None:
                self._context = ssl.create_default_context(cafile=self._emulator.ca_path)
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=30,
                                                     context=self._context)
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request(method, target, body=payload, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
            return RawResponse(response.status, response.reason,
                               {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


# ---- request bodies (SDK models) -----------------------------------------------------------

def user_account(password="Sup3rS3cret!"):
    return models.UserAccountSettings(admin_user_name="demoUser", admin_user_password=password)


def cluster_params(target_nodes=1, vm_size=VM_SIZE, auto_scale=None, password="Sup3rS3cret!",
                   node_setup=None, vm_priority="dedicated"):
    if auto_scale is not None:
        scale = models.ScaleSettings(auto_scale=models.AutoScaleSettings(
            minimum_node_count=auto_scale[0], maximum_node_count=auto_scale[1]))
    else:
        scale = models.ScaleSettings(manual=models.ManualScaleSettings(
            target_node_count=target_nodes, node_deallocation_option="requeue"))
    return models.ClusterCreateParameters(vm_size=vm_size, vm_priority=vm_priority,
                                          scale_settings=scale, node_setup=node_setup,
                                          user_account_settings=user_account(password))


def job_params(cluster_id, duration="PT1M", exit_code=None, node_count=1, secrets=None,
               command_line="echo hi", priority=None):
    env = [models.EnvironmentVariable(name="EMULATOR_SIM_DURATION", value=duration)]
    if exit_code is not None:
        env.append(models.EnvironmentVariable(name="EMULATOR_SIM_EXIT_CODE", value=str(exit_code)))
    return models.JobCreateParameters(
        cluster=models.ResourceId(id=cluster_id), node_count=node_count,
        std_out_err_path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
        custom_toolkit_settings=models.CustomToolkitSettings(command_line=command_line),
        environment_variables=env, secrets=secrets, scheduling_priority=priority,
        output_directories=[models.OutputDirectory(id="OUTPUTS",
                                                   path_prefix="$AZ_BATCHAI_JOB_MOUNT_ROOT/logs")])


def file_server_params(password="FsS3cret!", vm_size="STANDARD_D1"):
    return models.FileServerCreateParameters(
        vm_size=vm_size,
        ssh_configuration=models.SshConfiguration(user_account_settings=user_account(password)),
        data_disks=models.DataDisks(disk_size_in_gb=10, disk_count=2,
                                    storage_account_type="Standard_LRS"))


# Wire-format bodies, for raw requests.
def cluster_body(target_nodes=1, vm_size=VM_SIZE):
    return {"properties": {
        "vmSize": vm_size,
        "scaleSettings": {"manual": {"targetNodeCount": target_nodes}},
        "userAccountSettings": {"adminUserName": "demoUser", "adminUserPassword": "Sup3rS3cret!"}}}


def job_body(cluster_id, duration="PT1M", node_count=1):
    return {"properties": {
        "cluster": {"id": cluster_id}, "nodeCount": node_count,
        "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
        "customToolkitSettings": {"commandLine": "echo hi"},
        "environmentVariables": [{"name": "EMULATOR_SIM_DURATION", "value": duration}]}}


def file_server_body():
    return {"properties": {
        "vmSize": "STANDARD_D1",
        "sshConfiguration": {"userAccountSettings": {"adminUserName": "demoUser",
                                                     "adminUserPassword": "FsS3cret!"}},
        "dataDisks": {"diskSizeInGB": 10, "diskCount": 2, "storageAccountType": "Standard_LRS"}}}


def contains_text(document, needle):
    """True when needle occurs anywhere in the JSON document (keys or values)."""
    return needle in json.dumps(document)


# ---- the base test case --------------------------------------------------------------------

_names = itertools.count(1)


class EmulatorTestCase(unittest.TestCase):
    """One emulator per test class; each test makes its own workspace, so tests stay independent."""

    emulator_args = ()
    emulator_settings = None  # text of a --config YAML file, e.g. "profile: realistic\n"
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = EmulatorProcess(extra_args=cls.emulator_args,
                                       settings_yaml=cls.emulator_settings)
        cls.addClassCleanup(cls.emulator.close)
        cls.emulator.start()
        cls.client = make_client(cls.emulator)
        cls.addClassCleanup(cls.client.close)
        cls.raw = RawClient(cls.emulator)

    def run(self, result=None):
        # When a test fails, the server's stderr is the first thing one wants to read.
        failures_before = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > failures_before:
            tail = self.emulator.stderr_text()[-3000:] if getattr(self, "emulator", None) else ""
            if tail:
                print(f"\n--- {self.id()}: end of the emulator's log ---\n{tail}", file=sys.stderr)
        return outcome

    # names and polling
    @staticmethod
    def unique(prefix):
        return f"{prefix}{next(_names)}"

    def lro(self, **kwargs):
        return {"polling": SimClockPolling(self.emulator, **kwargs)}

    def advance(self, seconds):
        return self.emulator.advance_clock(seconds)

    def wait_until(self, fetch, predicate, what, step=5, limit=MAX_SIMULATED_WAIT_S):
        """Advances simulated time in steps until predicate(fetch()) holds; returns the last value."""
        waited = 0
        value = fetch()
        while not predicate(value):
            if waited >= limit:
                self.fail(f"{what}: not reached after {waited} simulated seconds; last: {value}")
            self.advance(step)
            waited += step
            step = min(step * 2, 600)
            value = fetch()
        return value

    # resources through the SDK
    def create_workspace(self, name=None, tags=None, location=LOCATION):
        name = name or self.unique("ws")
        return self.client.workspaces.begin_create(
            RESOURCE_GROUP, name, models.WorkspaceCreateParameters(location=location, tags=tags),
            **self.lro()).result()

    def create_experiment(self, ws, name=None):
        name = name or self.unique("exp")
        return self.client.experiments.begin_create(RESOURCE_GROUP, ws, name, **self.lro()).result()

    def create_cluster(self, ws, name=None, params=None):
        name = name or self.unique("cluster")
        return self.client.clusters.begin_create(RESOURCE_GROUP, ws, name,
                                                 params or cluster_params(), **self.lro()).result()

    def create_job(self, ws, exp, cluster, name=None, params=None, **job_kw):
        name = name or self.unique("job")
        params = params or job_params(cluster.id, **job_kw)
        return self.client.jobs.begin_create(RESOURCE_GROUP, ws, exp, name, params,
                                             **self.lro()).result()

    def create_file_server(self, ws, name=None, params=None):
        name = name or self.unique("fs")
        return self.client.file_servers.begin_create(RESOURCE_GROUP, ws, name,
                                                     params or file_server_params(),
                                                     **self.lro()).result()

    def workspace_with_cluster(self, target_nodes=1):
        ws = self.create_workspace().name
        cluster = self.create_cluster(ws, params=cluster_params(target_nodes=target_nodes))
        exp = self.create_experiment(ws).name
        return ws, cluster, exp

    # raw long-running operations
    def wait_raw_operation(self, response, max_polls=400):
        """Polls the Azure-AsyncOperation URL of a raw 202 on the simulated clock; returns the
        final status document."""
        self.assertEqual(response.status, 202, response)
        url = response.header("Azure-AsyncOperation")
        self.assertTrue(url, f"202 without Azure-AsyncOperation header: {response.headers}")
        for _ in range(max_polls):
            status = self.raw.get(url, api_version=None)
            self.assertEqual(status.status, 200, status)
            document = status.json()
            if document.get("status") != "InProgress":
                return document
            self.advance(max(1, int(status.header("Retry-After") or 1)))
        self.fail(f"operation {url} still InProgress after {max_polls} polls")

    # errors
    def assertCloudError(self, error, status, code, target=None):
        """error: an HttpResponseError from the SDK or a RawResponse."""
        if isinstance(error, RawResponse):
            self.assertEqual(error.status, status, error)
            body = error.json()
            self.assertIn("error", body, error)
            self.assertEqual(body["error"].get("code"), code, error)
            self.assertTrue(body["error"].get("message"), f"CloudError without message: {error}")
            if target is not None:
                self.assertEqual(body["error"].get("target"), target, error)
            return body["error"]
        self.assertIsInstance(error, HttpResponseError)
        self.assertEqual(error.status_code, status, f"{error}")
        self.assertIsNotNone(error.error, f"no CloudError body in {error}")
        self.assertEqual(error.error.code, code, f"{error}")
        if target is not None:
            self.assertEqual(error.error.target, target, f"{error}")
        return error.error

    def assertNotFound(self, call, code):
        with self.assertRaises(ResourceNotFoundError) as caught:
            call()
        self.assertCloudError(caught.exception, 404, code)
        return caught.exception


def pages_of(pager):
    """All pages of an SDK pager as lists (each page one HTTP call)."""
    return [list(page) for page in pager.by_page()]


def days(n):
    return datetime.timedelta(days=n)
