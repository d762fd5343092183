"""Output boundaries end to end: real jobs on container-backed nodes write real files (and hostile
symbolic links) into their output directories, and a client over HTTPS tries to get anything outside
them through listOutputFiles' `directory` and the signed download links: `..`, absolute paths, links
to a host file, to the data dir, to another job's output, forged, re-pointed, spliced and expired
tokens. Each attempt gets its documented status (400, 403 or 404) and never a byte from outside.

Needs root and container-backed nodes; otherwise the tests are skipped with the reason (the server's
own when it cannot make node sandboxes).

    BATCHAI_EMULATOR=build/batchai-emulator python3 -m unittest -v test_output_boundaries.py
"""

import base64
import glob
import http.client
import json
import os
import ssl
import time
import unittest
import urllib.parse

from reliability_client import EmulatorProcess

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
PREFIX = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/boundaries/providers/Microsoft.BatchAI/workspaces/ws"
API = "2018-05-01"
# Outputs under the node's mount root: it outlives a job, so one node can run every job of the test.
OUTPUT_PREFIX = "$AZ_BATCHAI_MOUNT_ROOT/boundaries"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Https:
    """One request per connection over HTTPS, verified against the emulator's CA."""

    def __init__(self, emulator):
        self.base = urllib.parse.urlsplit(emulator.https_url)
        self.context = ssl.create_default_context(cafile=emulator.ca_path)

    def call(self, method, path_or_url, body=None, query=None):
        """(status, headers with lower-case names, body bytes)."""
        parts = urllib.parse.urlsplit(path_or_url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        if query is not None:
            target += ("&" if "?" in target else "?") + urllib.parse.urlencode(query)
        connection = http.client.HTTPSConnection(self.base.hostname, self.base.port, timeout=30,
                                                 context=self.context)
        try:
            headers = {"Content-Type": "application/json"}
            connection.request(method, target, body=None if body is None else json.dumps(body).encode(),
                               headers=headers)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def arm(self, method, path, body=None, **query):
        return self.call(method, PREFIX + path, body, {"api-version": API, **query})


class OutputBoundaryTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("container-backed nodes need root (namespaces, mounts)")
        cls.emulator = EmulatorProcess(backend="container", time_scale="1")
        cls.addClassCleanup(cls.emulator.close)
        try:
            cls.emulator.start()
        except Exception as failure:  # noqa: BLE001 - serve says why it cannot make node sandboxes
            raise unittest.SkipTest(f"container-backed nodes are not available here: {failure}")
        cls.https = Https(cls.emulator)
        # A host file and folder outside every output directory, and the data dir itself.
        outside = os.path.join(cls.emulator.work_dir, "outside")
        os.makedirs(os.path.join(outside, "folder"))
        cls.secret = f"TOP-SECRET-{os.getpid()}-{time.monotonic_ns()}"
        cls.secret_file = os.path.join(outside, "secret.txt")
        with open(cls.secret_file, "w") as f:
            f.write(cls.secret + "\n")
        with open(os.path.join(outside, "folder", "also-secret.txt"), "w") as f:
            f.write(cls.secret + "\n")
        cls.secret_dir = os.path.join(outside, "folder")

        cls.ok(cls.https.arm("PUT", "", {"location": "eastus"}), 200)
        cls.ok(cls.https.arm("PUT", "/experiments/e", {}), 200)
        cls.ok(cls.https.arm("PUT", "/clusters/c", {"properties": {
            "vmSize": "STANDARD_D1", "scaleSettings": {"manual": {"targetNodeCount": 1}},
            "userAccountSettings": {"adminUserName": "me", "adminUserPassword": "never-shown"}}}), 202)
        cls.cluster_id = PREFIX + "/clusters/c"
        # Job b runs first and keeps a private file; job a then plants links to outside files,
        # to the data dir, above its own directory and to b's file.
        cls.run_job("b", "echo b-private > $AZ_BATCHAI_OUTPUT_OUT/b.txt")
        cls.run_job("a", " && ".join([
            "cd $AZ_BATCHAI_OUTPUT_OUT",
            "echo inside > inside.txt", "mkdir sub", "echo deep > sub/deep.txt",
            "ln -s inside.txt alias.txt", "ln -s sub subalias",
            f"ln -s {cls.secret_file} leak.txt", f"ln -s {cls.secret_dir} leakdir",
            f"ln -s {cls.emulator.data_dir} datadir", "ln -s ../../../../../../../../../../.. up",
            "ln -s \"$(realpath --relative-to=. \"$(find $AZ_BATCHAI_MOUNT_ROOT/boundaries -name b.txt | head -n1)\")\" "
            "other.txt",
            "test -L other.txt"]))

    @staticmethod
    def ok(answer, status):
        if answer[0] != status:
            raise AssertionError(f"expected HTTP {status}, got {answer[0]}: {answer[2][:500]!r}")
        return json.loads(answer[2]) if answer[2] else None

    @classmethod
    def run_job(cls, name, command, wait=True):
        cls.ok(cls.https.arm("PUT", f"/experiments/e/jobs/{name}", {"properties": {
            "cluster": {"id": cls.cluster_id}, "nodeCount": 1, "stdOutErrPathPrefix": OUTPUT_PREFIX,
            "outputDirectories": [{"id": "OUT", "pathPrefix": OUTPUT_PREFIX}],
            "customToolkitSettings": {"commandLine": command}}}), 202)
        if not wait:
            return None
        job = cls.wait_job(name, lambda j: j["properties"]["executionState"] in ("succeeded", "failed"))
        if job["properties"]["executionState"] != "succeeded":
            stderr = cls.listing(name, "stdouterr").get("value", [])
            raise AssertionError(f"job {name} failed: {job['properties'].get('executionInfo')} {stderr}")
        return job

    @classmethod
    def wait_job(cls, name, done, limit=90.0):
        deadline = time.monotonic() + limit
        while True:
            job = cls.ok(cls.https.arm("GET", f"/experiments/e/jobs/{name}"), 200)
            if done(job):
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {name} not done in {limit} s: {job['properties']}")
            time.sleep(0.2)

    @classmethod
    def list_answer(cls, job, directory_id="OUT", **query):
        return cls.https.arm("POST", f"/experiments/e/jobs/{job}/listOutputFiles", None,
                             outputdirectoryid=directory_id, linkexpiryinminutes="5", **query)

    @classmethod
    def listing(cls, job, directory_id="OUT", **query):
        return cls.ok(cls.list_answer(job, directory_id, **query), 200)

    def urls(self, job, **query):
        answer = self.listing(job, **query)
        return {f["name"]: f.get("downloadUrl") for f in answer["value"]}

    def assertNoSecret(self, answer):
        self.assertNotIn(self.secret.encode(), answer[2], answer)
        self.assertNotIn(b"b-private", answer[2], answer)

    def assertRefused(self, answer, status, code=None):
        self.assertNoSecret(answer)
        self.assertEqual(answer[0], status, answer)
        if code is not None:
            self.assertEqual(json.loads(answer[2])["error"]["code"], code, answer)

    # ---- listOutputFiles -------------------------------------------------------------------

    def test_a_listing_shows_only_what_lies_inside(self):
        answer = self.list_answer("a")
        self.assertNoSecret(answer)
        names = {f["name"]: f["fileType"] for f in json.loads(answer[2])["value"]}
        # leak.txt, leakdir, datadir, up and other.txt lead out of the directory: not listed.
        self.assertEqual(names, {"alias.txt": "file", "inside.txt": "file", "sub": "directory",
                                 "subalias": "directory"})
        self.assertEqual(set(self.urls("a", directory="sub")), {"sub/deep.txt"})
        self.assertEqual(set(self.urls("a", directory="subalias")), {"subalias/deep.txt"})
        self.assertEqual(set(self.urls("b")), {"b.txt"})

    def test_b_directories_outside_are_refused(self):
        for directory in ("..", "../..", "sub/../..", "sub/../../b", "./../x", "/", "/etc",
                          self.secret_dir, "leakdir", "datadir", "up", "up/tmp", "other.txt", "leak.txt"):
            with self.subTest(directory=directory):
                self.assertRefused(self.list_answer("a", directory=directory), 400, "InvalidQueryParameterValue")
        self.assertRefused(self.list_answer("a", directory="missing"), 404, "DirectoryNotFound")
        # An unknown output directory id is refused before any path is looked at.
        self.assertRefused(self.list_answer("a", directory_id="../OUT"), 400, "InvalidQueryParameterValue")

    # ---- download links --------------------------------------------------------------------

    def test_c_download_links_give_their_own_file_and_nothing_else(self):
        a = self.urls("a")
        b = self.urls("b")
        self.assertEqual(self.https.call("GET", a["inside.txt"])[2], b"inside\n")
        self.assertEqual(self.https.call("GET", a["alias.txt"])[2], b"inside\n")
        self.assertEqual(self.https.call("GET", self.urls("a", directory="sub")["sub/deep.txt"])[2], b"deep\n")
        self.assertEqual(self.https.call("GET", b["b.txt"])[2], b"b-private\n")

        prefix, token_a = a["inside.txt"].rsplit("/", 1)
        payload_a, signature_a = token_a.split(".")
        payload_b, signature_b = b["b.txt"].rsplit("/", 1)[1].split(".")
        expires, path_a = b64url_decode(payload_a).decode().split("\n", 1)
        path_b = b64url_decode(payload_b).decode().split("\n", 1)[1]
        self.assertTrue(path_a.endswith("/inside.txt"), path_a)

        def token(expiry, path, signature=signature_a):
            return f"{prefix}/{b64url_encode((expiry + chr(10) + path).encode())}.{signature}"

        def repointed(path):
            return token(expires, path)

        forged = signature_a[:-2] + ("AA" if not signature_a.endswith("AA") else "BB")
        attempts = {
            "forged signature": f"{prefix}/{payload_a}.{forged}",
            "no signature": f"{prefix}/{payload_a}",
            "a's signature on a host file": repointed(self.secret_file),
            "a's signature on b's file": repointed(path_b),
            "a's signature on ../": repointed(path_a.rsplit("/", 1)[0] + "/../../../../b.txt"),
            "b's signature on a's payload": f"{prefix}/{payload_a}.{signature_b}",
            "a later expiry": token(str(int(expires) * 2), path_a),
            "a path instead of a token": f"{prefix}/..%2F..%2F..%2Fetc%2Fpasswd",
            "garbage": f"{prefix}/not-a-token",
        }
        for label, url in attempts.items():
            with self.subTest(label):
                self.assertRefused(self.https.call("GET", url), 403, "AuthenticationFailed")

    def test_d_a_file_swapped_for_a_link_after_listing_is_not_served(self):
        # The link signs the path as listed; the download opens it and checks the opened file's real
        # path against the output directory again, so a job that swaps a listed file for a link to a
        # host file after the listing gets 403, not the host file.
        signal_dir = "$AZ_BATCHAI_JOB_TEMP/shared"
        self.run_job("swap", " && ".join([
            "cd $AZ_BATCHAI_OUTPUT_OUT", "echo harmless > swap.txt", f"touch {signal_dir}/listed-me",
            f"i=0; while [ ! -e {signal_dir}/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done",
            "test -e {0}/go".format(signal_dir), "rm swap.txt", f"ln -s {self.secret_file} swap.txt"]), wait=False)
        shared = os.path.join(self.emulator.data_dir, "shared", "*")
        deadline = time.monotonic() + 90
        while not glob.glob(os.path.join(shared, "listed-me")):
            self.assertLess(time.monotonic(), deadline, "the swap job did not start")
            time.sleep(0.2)
        url = self.urls("swap")["swap.txt"]
        self.assertEqual(self.https.call("GET", url)[2], b"harmless\n")
        signal = os.path.dirname(glob.glob(os.path.join(shared, "listed-me"))[0])
        open(os.path.join(signal, "go"), "w").close()
        # The job succeeds only once it has swapped the file (its commands are joined by &&).
        job = self.wait_job("swap", lambda j: j["properties"]["executionState"] in ("succeeded", "failed"))
        self.assertEqual(job["properties"]["executionState"], "succeeded", job["properties"])
        answer = self.https.call("GET", url)
        self.assertNoSecret(answer)
        self.assertRefused(answer, 403, "FileOutsideOutputDirectory")

    def test_e_links_expire_on_the_emulators_clock(self):
        url = self.urls("a")["inside.txt"]  # linkexpiryinminutes=5
        self.assertEqual(self.https.call("GET", url)[0], 200)
        self.emulator.advance_clock(5 * 60 + 1)
        answer = self.https.call("GET", url)
        self.assertRefused(answer, 403, "AuthenticationFailed")
        self.assertIn("expired", json.loads(answer[2])["error"]["message"])
        # A fresh listing gives a fresh link.
        self.assertEqual(self.https.call("GET", self.urls("a")["inside.txt"])[2], b"inside\n")


if __name__ == "__main__":
    unittest.main()
