"""Runs the @azure/arm-batchai tests (node/batchai.test.js) against a fresh emulator.

    /usr/bin/python3 run_node_tests.py        # exit 77 (skipped) without node or node_modules

node_modules comes from scripts/install-sdk-deps.sh (npm ci). The emulator is started here, so the
JS side needs no process handling: it gets BATCHAI_HTTP_URL and the emulator is always stopped.
"""

import os
import shutil
import subprocess
import sys

from emulator_process import SKIP_EXIT_CODE, EmulatorProcess, require_binary

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


def skip(reason):
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(SKIP_EXIT_CODE)


def main():
    node = shutil.which("node")
    if node is None:
        skip("node is not installed; the @azure/arm-batchai tests need Node.js 18 or newer")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 18:
        skip(f"node {version} has no built-in test runner; Node.js 18 or newer is needed")
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@azure", "arm-batchai")):
        skip("tests/sdk/node/node_modules is missing; run scripts/install-sdk-deps.sh (npm ci)")
    require_binary()
    with EmulatorProcess() as emulator:
        env = dict(os.environ, BATCHAI_HTTP_URL=emulator.http_url,
                   BATCHAI_HTTPS_URL=emulator.https_url, NODE_EXTRA_CA_CERTS=emulator.ca_path)
        for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env.pop(proxy, None)
        try:
            result = subprocess.run([node, "--test", "batchai.test.js"], cwd=NODE_DIR, env=env,
                                    timeout=240)
        except subprocess.TimeoutExpired:
            print("node --test did not finish within 240 s", file=sys.stderr)
            return 1
        if result.returncode != 0:
            print(emulator.stderr_text()[-4000:], file=sys.stderr)
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
