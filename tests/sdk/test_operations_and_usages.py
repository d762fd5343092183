"""operations.list() and usages.list(location) through azure-mgmt-batchai."""

import json
import os
import unittest

from sdk_support import (LOCATION, SUBSCRIPTION, EmulatorTestCase, cluster_params, shared_dir)


def example_operation_names():
    with open(os.path.join(shared_dir(), "spec", "examples", "ListOperation.json")) as f:
        return {op["name"] for op in json.load(f)["responses"]["200"]["body"]["value"]}


class OperationsTests(EmulatorTestCase):

    def test_operations_list_names_every_operation_of_the_provider(self):
        operations = list(self.client.operations.list())
        names = [op.name for op in operations]
        self.assertEqual(len(names), len(set(names)), f"duplicated operation names: {names}")
        missing = example_operation_names() - set(names)
        self.assertFalse(missing, f"listed in the spec example but not by the emulator: {sorted(missing)}")
        for op in operations:
            self.assertTrue(op.name.startswith("Microsoft.BatchAI/"), op.name)
            self.assertTrue(op.display.provider, op.as_dict())
            self.assertTrue(op.display.operation, op.as_dict())
            self.assertTrue(op.display.resource, op.as_dict())
            self.assertTrue(op.display.description, op.as_dict())
            self.assertTrue(op.origin, op.as_dict())

    def test_operations_list_needs_no_subscription(self):
        response = self.raw.get("/providers/Microsoft.BatchAI/operations")
        self.assertEqual(response.status, 200, response)
        self.assertIsInstance(response.json()["value"], list)


class UsagesTests(EmulatorTestCase):

    def usages(self):
        return {u.name.value: u for u in self.client.usages.list(LOCATION)}

    def test_usages_shape(self):
        usages = list(self.client.usages.list(LOCATION))
        self.assertTrue(usages)
        names = [u.name.value for u in usages]
        self.assertEqual(len(names), len(set(names)), names)
        for usage in usages:
            self.assertEqual(usage.unit, "Count")
            self.assertIsInstance(usage.current_value, int)
            self.assertIsInstance(usage.limit, int)
            self.assertGreaterEqual(usage.current_value, 0)
            self.assertTrue(usage.name.value)
            self.assertTrue(usage.name.localized_value)

    def test_cluster_count_is_counted(self):
        before = self.usages()
        self.assertIn("Clusters", before, sorted(before))
        ws = self.create_workspace().name
        self.create_cluster(ws, params=cluster_params(target_nodes=0))
        after = self.usages()
        self.assertEqual(after["Clusters"].current_value, before["Clusters"].current_value + 1)

    def test_usages_of_a_location_over_raw_https(self):
        response = self.raw.get(f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.BatchAI/"
                                f"locations/{LOCATION}/usages")
        self.assertEqual(response.status, 200, response)
        for usage in response.json()["value"]:
            self.assertEqual(set(usage), {"unit", "currentValue", "limit", "name"}, usage)


if __name__ == "__main__":
    unittest.main()
