"""Every real create body under recipes/ is accepted: job files as jobs, cluster files as clusters,
file server files as file servers; the one invalid file gets a 400 with a precise code.

The files are what users passed to `az batchai ... create -f FILE`; before anything reached the
service the CLI filled in what its command-line flags said. That is mirrored here, explicitly:
  - <AZURE_BATCHAI_STORAGE_ACCOUNT> / <AZURE_BATCHAI_STORAGE_KEY> become an account and a key;
    Azure Files / blob mounts without accountName or credentials get them (the CLI did that from
    its storage settings); <ARM ID of ... File Server> becomes the id of a real file server;
  - a job gets properties.cluster.id (`-c CLUSTER`);
  - a cluster gets vmSize (`-s`), scaleSettings (`-t 1`) and userAccountSettings (`-u/-p`) when the
    file has none.
Unknown keys ($schema, location, experimentName, credentialsInfo, comment, ...) are left in: the
service ignored them, and so must the emulator.
"""

import copy
import json
import os
import re
import unittest

from sdk_support import (SUBSCRIPTION, EmulatorTestCase, cluster_body, file_server_body,
                         shared_dir)

RECIPES = os.path.join(shared_dir(), "recipes")
RG = "batchai.recipes"
WS = "recipe_workspace"
ACCOUNT = "sdkstorageaccount"
KEY = "c2RrLXN0b3JhZ2Uta2V5LW5vdC1hLXJlYWwtb25l"
INVALID = "using-azure-cli-20-examples/job-fragment-private-registry-keyvault.json"
FRAGMENTS = {
    # fragment -> (what it is merged into, where)
    "using-azure-cli-20-examples/job-fragment-private-registry.json": "job",
    "using-azure-cli-20-examples/fragment-azure-file-share-keyvault-key.json": "cluster mounts",
}


def ws_path():
    return (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.BatchAI/"
            f"workspaces/{WS}")


def recipe_files():
    """(relative path, kind) of every create body, kind in job|cluster|fileserver."""
    found = []
    for root, dirs, files in os.walk(RECIPES):
        dirs[:] = sorted(d for d in dirs if d != "_schemas")
        for name in sorted(files):
            relative = os.path.relpath(os.path.join(root, name), RECIPES)
            if not name.endswith(".json") or relative == INVALID or relative in FRAGMENTS:
                continue
            if name.startswith("output-") or "fragment" in name:
                continue
            if "file_server" in name:
                kind = "fileserver"
            elif "cluster" in name:
                kind = "cluster"
            else:
                kind = "job"
            found.append((relative, kind))
    return found


def load(relative):
    with open(os.path.join(RECIPES, relative), encoding="utf-8") as f:
        return f.read()


def substitute(text, file_server_ids):
    text = text.replace("<AZURE_BATCHAI_STORAGE_ACCOUNT>", ACCOUNT)
    text = text.replace("<AZURE_BATCHAI_STORAGE_KEY>", KEY)
    text = text.replace("<ARM ID of Batch AI File Server>", file_server_ids[0])
    return text.replace("<ARM ID of another Batch AI file Server>", file_server_ids[1])


def fill_storage(mount_volumes):
    for share in mount_volumes.get("azureFileShares", []):
        if "accountName" not in share:
            share["accountName"] = re.match(r"https://([^.]+)\.", share["azureFileUrl"]).group(1)
        share.setdefault("credentials", {"accountKey": KEY})
    for blob in mount_volumes.get("azureBlobFileSystems", []):
        blob.setdefault("accountName", ACCOUNT)
        blob.setdefault("credentials", {"accountKey": KEY})


def secret_values(document):
    """Values that must never come back: passwords, storage keys, secret variables."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("adminUserPassword", "accountKey", "password") and isinstance(value, str):
                    found.append(value)
                elif key == "secrets" and isinstance(value, list):
                    found.extend(s["value"] for s in value if isinstance(s, dict) and "value" in s)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return found


class RecipeTests(EmulatorTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        raw = cls.raw
        cls._finish(raw.put(ws_path(), {"location": "eastus"}))
        cls._finish(raw.put(ws_path() + "/experiments/recipes"))
        cls.file_server_ids = []
        for name in ("nfs1", "nfs2"):
            accepted = raw.put(f"{ws_path()}/fileServers/{name}", file_server_body())
            cls._finish(accepted)
            cls.file_server_ids.append(raw.get(f"{ws_path()}/fileServers/{name}").json()["id"])
        # Room for the biggest recipe: 4 nodes of 4 GPUs (TensorFlow worker counts, MPI ranks).
        cls._finish(raw.put(ws_path() + "/clusters/recipes",
                            cluster_body(target_nodes=4, vm_size="Standard_NC24")))
        cls.cluster_id = raw.get(ws_path() + "/clusters/recipes").json()["id"]

    @classmethod
    def _finish(cls, response):
        if response.status == 202:
            url = response.header("Azure-AsyncOperation")
            for _ in range(400):
                status = cls.raw.get(url, api_version=None).json()["status"]
                if status != "InProgress":
                    break
                cls.emulator.advance_clock(1)
            if status != "Succeeded":
                raise AssertionError(f"setup operation ended {status}")
        elif response.status not in (200, 201):
            raise AssertionError(f"setup request failed: {response}")

    def prepare(self, relative, kind):
        document = json.loads(substitute(load(relative), self.file_server_ids))
        properties = document.setdefault("properties", {})
        if kind == "job":
            properties.setdefault("cluster", {"id": self.cluster_id})
            fill_storage(properties.get("mountVolumes", {}))
        elif kind == "cluster":
            properties.setdefault("vmSize", "STANDARD_NC6")
            properties.setdefault("scaleSettings", {"manual": {"targetNodeCount": 1}})
            properties.setdefault("userAccountSettings", {"adminUserName": "recipes",
                                                          "adminUserPassword": "Recipe-Pa55"})
            fill_storage(properties.get("nodeSetup", {}).get("mountVolumes", {}))
        return document

    def url(self, kind, name):
        if kind == "job":
            return f"{ws_path()}/experiments/recipes/jobs/{name}"
        return f"{ws_path()}/{'clusters' if kind == 'cluster' else 'fileServers'}/{name}"

    def create(self, kind, document):
        name = self.unique(kind)
        response = self.raw.put(self.url(kind, name), document)
        self.assertIn(response.status, (200, 201, 202),
                      f"{response}\nrequest body: {json.dumps(document)[:1500]}")
        if response.status == 202:
            self.assertEqual(self.wait_raw_operation(response)["status"], "Succeeded")
        created = self.raw.get(self.url(kind, name))
        self.assertEqual(created.status, 200, created)
        for secret in secret_values(document):
            self.assertNotIn(secret.encode(), created.body, f"a secret came back: {secret}")
        return created.json()

    def check_recipe(self, relative, kind):
        document = self.prepare(relative, kind)
        created = self.create(kind, document)
        properties = created["properties"]
        if kind == "job":
            wanted = document["properties"]
            self.assertEqual(properties["nodeCount"], wanted["nodeCount"])
            self.assertEqual(properties["stdOutErrPathPrefix"], wanted["stdOutErrPathPrefix"])
            self.assertIn(properties["executionState"], ("queued", "running"))
            # A file's own experimentName ("MNIST Train") is ignored; the live service reported
            # the job's real experiment there.
            self.assertEqual(properties.get("experimentName", "recipes"), "recipes")
        elif kind == "cluster":
            self.assertEqual(properties["vmSize"].lower(),
                             document["properties"]["vmSize"].lower())
            self.assertNotIn("credentialsInfo", json.dumps(properties))
        else:
            self.assertEqual(properties["dataDisks"]["diskCount"],
                             document["properties"]["dataDisks"]["diskCount"])

    def test_the_invalid_file_is_rejected_as_invalid_json(self):
        text = substitute(load(INVALID), self.file_server_ids)
        response = self.raw.put(self.url("job", self.unique("job")), raw_body=text)
        self.assertCloudError(response, 400, "InvalidRequestContent")

    def test_private_registry_fragment_in_a_job(self):
        fragment = json.loads(load("using-azure-cli-20-examples/job-fragment-private-registry.json"))
        document = self.prepare("azure-cli-batchai-tests/nop_job.json", "job")
        document["properties"].update(copy.deepcopy(fragment["properties"]))
        created = self.create("job", document)
        registry = created["properties"]["containerSettings"]["imageSourceRegistry"]
        self.assertEqual(registry["image"], "demo.azurecr.io/myimage")
        self.assertEqual(registry["credentials"]["username"], "demo")
        self.assertNotIn("password", registry["credentials"])

    def test_key_vault_file_share_fragment_in_a_cluster(self):
        fragment = json.loads(load(
            "using-azure-cli-20-examples/fragment-azure-file-share-keyvault-key.json"))
        document = self.prepare("azure-cli-batchai-tests/simple_cluster.json", "cluster")
        document["properties"]["nodeSetup"] = {"mountVolumes": {
            "azureFileShares": fragment["azureFileShares"]}}
        created = self.create("cluster", document)
        share = created["properties"]["nodeSetup"]["mountVolumes"]["azureFileShares"][0]
        self.assertEqual(share["relativeMountPath"], "afs")
        reference = share["credentials"]["accountKeySecretReference"]
        self.assertEqual(reference["secretUrl"],
                         "https://demokeyvault.vault.azure.net/secrets/nameofsecter")

    def test_every_kind_is_covered(self):
        kinds = [kind for _, kind in recipe_files()]
        self.assertGreaterEqual(kinds.count("job"), 30)
        self.assertGreaterEqual(kinds.count("cluster"), 7)
        self.assertEqual(kinds.count("fileserver"), 1)


def _add_tests():
    for relative, kind in recipe_files():
        slug = re.sub(r"[^0-9a-zA-Z]+", "_", relative[:-5]).strip("_").lower()

        def test(self, relative=relative, kind=kind):
            self.check_recipe(relative, kind)

        test.__doc__ = f"{relative} as a {kind}"
        setattr(RecipeTests, f"test_{kind}_{slug}", test)


_add_tests()


if __name__ == "__main__":
    unittest.main()
