"""Hostile clients against `serve`: half-open and idle connections must not starve others, and the
server's limits answer with clear errors (deep JSON, huge headers, oversized bodies, ..-paths in
listOutputFiles) instead of crashing or hanging.

    BATCHAI_EMULATOR=build/batchai-emulator python3 test_hostile_clients.py
"""

import socket
import time
import unittest

from reliability_client import Client, EmulatorProcess, workspace_path


class HostileClientTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # Small limits so that the test reaches them quickly.
        cls.emulator = EmulatorProcess(extra_args=["--max-connections", "8", "--request-timeout", "2",
                                                   "--idle-timeout", "2", "--max-body-size", "64K"],
                                       time_scale="100")
        cls.emulator.start()
        cls.client = Client(cls.emulator.http_url)
        cls.host, cls.port = cls.client.host, cls.client.port

    @classmethod
    def tearDownClass(cls):
        cls.emulator.close()

    def raw(self, data, timeout=5):
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except (socket.timeout, ConnectionResetError):
                pass
            return b"".join(chunks)

    def test_half_open_connections_do_not_starve_others(self):
        # Twice the connection limit, each sending half a request line and then nothing.
        hogs = []
        for _ in range(16):
            s = socket.create_connection((self.host, self.port), timeout=5)
            s.sendall(b"GET /emulator/v1/health HT")
            hogs.append(s)
        try:
            # The request timeout (2 s) frees the slots; a fresh client is served soon after.
            deadline = time.monotonic() + 10
            while True:
                try:
                    status, _, _ = self.client.call("GET", "/emulator/v1/health", query=None)
                    if status == 200:
                        break
                except Exception:  # noqa: BLE001 - refused or closed while the slots are full
                    pass
                self.assertLess(time.monotonic(), deadline, "half-open connections starved a new client")
                time.sleep(0.2)
        finally:
            for s in hogs:
                s.close()

    def test_deep_json_gets_a_400_not_a_crash(self):
        body = b"[" * 100000 + b"]" * 100000
        request = (f"PUT {workspace_path('deep')}?api-version=2018-05-01 HTTP/1.1\r\nHost: x\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        answer = self.raw(request.encode() + body[:60000])
        self.assertTrue(answer.startswith(b"HTTP/1.1 4"), answer[:200])
        nested = b'{"location":"eastus","tags":' + b'{"a":' * 5000 + b'1' + b'}' * 5000 + b'}'
        request = (f"PUT {workspace_path('deep2')}?api-version=2018-05-01 HTTP/1.1\r\nHost: x\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(nested)}\r\nConnection: close\r\n\r\n")
        answer = self.raw(request.encode() + nested)
        self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:300])
        self.assertEqual(self.client.call("GET", "/emulator/v1/health", query=None)[0], 200)

    def test_huge_header_and_body_get_clear_errors(self):
        answer = self.raw(b"GET /emulator/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 4"), answer[:200])
        answer = self.raw(f"PUT {workspace_path('big')}?api-version=2018-05-01 HTTP/1.1\r\nHost: x\r\n"
                          f"Content-Length: 10000000\r\n\r\n".encode() + b"{" * 1000)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])
        self.assertEqual(self.client.call("GET", "/emulator/v1/health", query=None)[0], 200)


if __name__ == "__main__":
    unittest.main()
