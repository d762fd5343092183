"""File servers: create and list through azure-mgmt-batchai 7.0.0b1 (which dropped get and delete
when the spec did), get and delete over raw HTTPS, mounting one in a cluster."""

import unittest

from sdk_support import (RESOURCE_GROUP, EmulatorTestCase, cluster_params, file_server_id,
                         file_server_params, file_server_path, models, pages_of, workspace_path)


class FileServerTests(EmulatorTestCase):

    def test_create_returns_the_final_file_server(self):
        ws = self.create_workspace().name
        name = self.unique("fs")
        fs = self.create_file_server(ws, name)
        self.assertEqual(fs.name, name)
        # Ids and types spell fileservers in lower case although the URL says fileServers.
        self.assertEqual(fs.id, file_server_id(ws, name))
        self.assertIn("/fileservers", fs.type.lower())
        self.assertNotIn("fileServers", fs.type)
        self.assertEqual(fs.provisioning_state, "succeeded")
        self.assertEqual(fs.vm_size.lower(), "standard_d1")
        self.assertEqual(fs.data_disks.disk_count, 2)
        self.assertEqual(fs.data_disks.disk_size_in_gb, 10)
        self.assertEqual(fs.data_disks.storage_account_type, "Standard_LRS")
        self.assertEqual(fs.data_disks.caching_type, "none")
        self.assertEqual(fs.ssh_configuration.user_account_settings.admin_user_name, "demoUser")
        self.assertIsNone(fs.ssh_configuration.user_account_settings.admin_user_password)
        self.assertIsNotNone(fs.mount_settings)
        self.assertEqual(fs.mount_settings.mount_point, "/mnt/data")
        self.assertTrue(fs.mount_settings.file_server_internal_ip)
        self.assertIsNotNone(fs.creation_time)

    def test_get_and_delete_over_raw_https(self):
        ws = self.create_workspace().name
        fs = self.create_file_server(ws)
        response = self.raw.get(file_server_path(ws, fs.name))
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.json()["id"], fs.id)
        self.assertEqual(response.json()["properties"]["provisioningState"], "succeeded")
        deleted = self.raw.delete(file_server_path(ws, fs.name))
        self.assertEqual(deleted.status, 202, deleted)
        self.assertEqual(self.wait_raw_operation(deleted)["status"], "Succeeded")
        error = self.assertCloudError(self.raw.get(file_server_path(ws, fs.name)), 404,
                                      "FileServerNotFound")
        self.assertIn(fs.name, error["message"])
        self.assertEqual(list(self.client.file_servers.list_by_workspace(RESOURCE_GROUP, ws)), [])

    def test_list_pages_every_file_server_once(self):
        ws = self.create_workspace().name
        names = [self.create_file_server(ws).name for _ in range(3)]
        pages = pages_of(self.client.file_servers.list_by_workspace(
            RESOURCE_GROUP, ws, models.FileServersListByWorkspaceOptions(max_results=1)))
        self.assertEqual(sorted(f.name for page in pages for f in page), sorted(names))
        self.assertTrue(all(len(page) <= 1 for page in pages), [len(p) for p in pages])

    def test_password_never_comes_back(self):
        ws = self.create_workspace().name
        fs = self.create_file_server(ws, params=file_server_params(password="Fs-Hidden-Pa55"))
        for path in (file_server_path(ws, fs.name), f"{workspace_path(ws)}/fileServers"):
            response = self.raw.get(path)
            self.assertEqual(response.status, 200, response)
            self.assertNotIn(b"Fs-Hidden-Pa55", response.body)

    def test_create_in_missing_workspace_is_workspace_not_found(self):
        self.assertNotFound(lambda: self.create_file_server(self.unique("nows")),
                            "WorkspaceNotFound")

    def test_cluster_mounts_a_file_server(self):
        ws = self.create_workspace().name
        fs = self.create_file_server(ws)
        mount = models.FileServerReference(file_server=models.ResourceId(id=fs.id),
                                           relative_mount_path="nfs", mount_options="rw")
        cluster = self.create_cluster(ws, params=cluster_params(
            target_nodes=0, node_setup=models.NodeSetup(
                mount_volumes=models.MountVolumes(file_servers=[mount]))))
        mounted = cluster.node_setup.mount_volumes.file_servers[0]
        self.assertEqual(mounted.file_server.id.lower(), fs.id.lower())
        self.assertEqual(mounted.relative_mount_path, "nfs")

    def test_file_server_is_deleted_with_its_workspace(self):
        ws = self.create_workspace().name
        fs = self.create_file_server(ws)
        self.client.workspaces.begin_delete(RESOURCE_GROUP, ws, **self.lro()).result()
        self.assertCloudError(self.raw.get(file_server_path(ws, fs.name)), 404, "WorkspaceNotFound")


if __name__ == "__main__":
    unittest.main()
