"""`serve --auth token`: only the emulator's own JWTs pass, each limited to its subscription; a
token for one subscription sees nothing of another; no token, a forged, a foreign or an expired one
gets 401. Driven through the real Python SDK."""

import subprocess
import time
import unittest

from sdk_support import AccessToken, BatchAI, EmulatorProcess, HttpResponseError, models

SUB_A = "aaaaaaaa-0000-0000-0000-000000000000"
SUB_B = "bbbbbbbb-0000-0000-0000-000000000000"
RG = "auth-tests"


class JwtCredential:
    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, int(time.time()) + 3600)


class TokenAuthTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.emulator = EmulatorProcess(extra_args=["--auth", "token"])
        cls.emulator.start()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.close()

    def token(self, subscription, *extra):
        return subprocess.run([self.emulator.binary, "token", "--subscription", subscription, "--data-dir",
                               self.emulator.data_dir, *extra], check=True, capture_output=True,
                              text=True).stdout.strip()

    def client(self, subscription, token):
        client = BatchAI(JwtCredential(token), subscription, base_url=self.emulator.https_url,
                         connection_verify=self.emulator.ca_path, polling_interval=0, retry_total=0)
        self.addCleanup(client.close)
        return client

    def make_workspace(self, client, name):
        return client.workspaces.begin_create(RG, name, models.WorkspaceCreateParameters(location="eastus"),
                                              polling_interval=0).result()

    def assertStatus(self, status, code, call):
        with self.assertRaises(HttpResponseError) as caught:
            call()
        self.assertEqual(caught.exception.status_code, status, caught.exception)
        self.assertEqual(caught.exception.error.code, code, caught.exception)

    def test_a_token_sees_its_own_subscription_and_nothing_of_another(self):
        a = self.client(SUB_A, self.token(SUB_A))
        b = self.client(SUB_B, self.token(SUB_B))
        self.make_workspace(a, "ws-a")
        self.make_workspace(b, "ws-b")
        self.assertEqual([w.name for w in a.workspaces.list()], ["ws-a"])
        self.assertEqual([w.name for w in b.workspaces.list_by_resource_group(RG)], ["ws-b"])
        self.assertEqual(a.workspaces.get(RG, "ws-a").name, "ws-a")
        # A client of subscription B holding A's token: every path of B is forbidden.
        b_with_a_token = self.client(SUB_B, self.token(SUB_A))
        self.assertStatus(403, "AuthorizationFailed", lambda: list(b_with_a_token.workspaces.list()))
        self.assertStatus(403, "AuthorizationFailed", lambda: b_with_a_token.workspaces.get(RG, "ws-b"))
        self.assertStatus(403, "AuthorizationFailed", lambda: self.make_workspace(b_with_a_token, "intruder"))
        self.assertEqual([w.name for w in b.workspaces.list()], ["ws-b"])

    def test_missing_forged_and_expired_tokens_get_401(self):
        good = self.token(SUB_A)
        header, claims, signature = good.split(".")
        forged_signature = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        # alg none with the signature dropped must never pass.
        none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"
        cases = {
            "not a JWT": ("garbage", "InvalidAuthenticationToken"),
            "forged signature": (f"{header}.{claims}.{forged_signature}", "InvalidAuthenticationToken"),
            "alg none": (f"{none_header}.{claims}.", "InvalidAuthenticationToken"),
            "expired": (self.token(SUB_A, "--expires", "1"), "ExpiredAuthenticationToken"),
        }
        time.sleep(2.1)  # lets the one-second token expire
        for label, (token, code) in cases.items():
            with self.subTest(label):
                client = self.client(SUB_A, token)
                self.assertStatus(401, code, lambda: list(client.workspaces.list()))

    def test_a_token_of_another_data_dir_is_rejected(self):
        other = EmulatorProcess()
        try:
            foreign = subprocess.run([self.emulator.binary, "token", "--subscription", SUB_A, "--data-dir",
                                      other.data_dir], check=True, capture_output=True, text=True).stdout.strip()
        finally:
            other.close()
        client = self.client(SUB_A, foreign)
        self.assertStatus(401, "InvalidAuthenticationToken", lambda: list(client.workspaces.list()))


class DefaultAuthTests(unittest.TestCase):

    def test_default_accepts_any_token_and_says_so(self):
        with EmulatorProcess() as emulator:
            client = BatchAI(JwtCredential("anything"), SUB_B, base_url=emulator.https_url,
                             connection_verify=emulator.ca_path, polling_interval=0, retry_total=0)
            self.assertEqual(list(client.workspaces.list()), [])
            client.close()
            self.assertIn("auth none", emulator.stderr_text())


if __name__ == "__main__":
    unittest.main()
