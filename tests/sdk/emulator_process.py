"""One `batchai-emulator serve` process for a test: started on free ports with its own data dir.

    with EmulatorProcess() as emu:          # sim backend, --time-scale 0, ports picked by the OS
        emu.advance_clock(60)               # simulated time moves only when a test says so
        emu.kill9(); emu.start()            # crash and come back on the same data dir

The binary comes from $BATCHAI_EMULATOR (ctest sets it) or build/batchai-emulator in the repository.
Whatever happens (a failing test, a killed test runner), the server does not outlive the test: it
runs in its own process group, is killed with that group, and gets SIGKILL if the runner dies.
"""

import ctypes
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SKIP_EXIT_CODE = 77

_READY_LINE = re.compile(
    r"^ready https=(?P<https>https://\S+) http=(?P<http>http://\S+) ca=(?P<ca>\S+) backend=(?P<backend>\S+)$")
_PR_SET_PDEATHSIG = 1


class EmulatorError(RuntimeError):
    """The emulator process did not start, answer or stop the way the contract says."""


def repository_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def find_binary():
    """Path of batchai-emulator, or None when it has not been built."""
    configured = os.environ.get("BATCHAI_EMULATOR")
    if configured:
        return configured
    candidate = os.path.join(repository_root(), "build", "batchai-emulator")
    return candidate if os.path.exists(candidate) else None


def require_binary():
    """Exits with the skip code (ctest SKIP_RETURN_CODE) when there is no binary to test."""
    binary = find_binary()
    if binary is None:
        print("SKIP: batchai-emulator is not built; set BATCHAI_EMULATOR to its path", file=sys.stderr)
        sys.exit(SKIP_EXIT_CODE)
    if not os.access(binary, os.X_OK):
        # A configured path that is not there is a broken build, not a missing prerequisite.
        raise EmulatorError(f"BATCHAI_EMULATOR={binary} is not an executable file")
    return binary


def _die_with_parent():
    # Runs in the child between fork and exec: if the test runner is killed (ctest timeout), the
    # kernel sends the server SIGKILL instead of leaving it behind.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


class EmulatorProcess:
    def __init__(self, extra_args=(), data_dir=None, binary=None, backend="sim", time_scale="0",
                 ready_timeout=30.0, settings_yaml=None):
        """settings_yaml: text of a --config file (e.g. "profile: realistic\n")."""
        self.binary = binary or require_binary()
        self.extra_args = list(extra_args)
        self.backend_requested = backend
        self.time_scale = time_scale
        self.ready_timeout = ready_timeout
        self.work_dir = tempfile.mkdtemp(prefix="batchai-sdk-")
        self.data_dir = data_dir or os.path.join(self.work_dir, "data")
        if settings_yaml is not None:
            config = os.path.join(self.work_dir, "settings.yaml")
            with open(config, "w") as f:
                f.write(settings_yaml)
            self.extra_args += ["--config", config]
        self.process = None
        self.https_url = self.http_url = self.ca_path = self.backend = None
        self._https_port = self._http_port = None
        self._starts = 0
        self._stderr_path = None
        self._stdout_thread = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self, keep_ports=False):
        """Starts the server and waits for its ready line. keep_ports reuses the previous ports so
        URLs handed out before a restart (operation results, nextLinks) stay valid."""
        if self.running():
            raise EmulatorError("start() called while the emulator is still running")
        https_port, http_port = ("0", "0")
        if keep_ports and self._https_port:
            https_port, http_port = self._https_port, self._http_port
        self._starts += 1
        self._stderr_path = os.path.join(self.work_dir, f"stderr-{self._starts}.log")
        argv = [self.binary, "serve", "--data-dir", self.data_dir, "--host", "127.0.0.1",
                "--https-port", https_port, "--http-port", http_port,
                "--backend", self.backend_requested, "--time-scale", str(self.time_scale),
                *self.extra_args]
        env = dict(os.environ)
        for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env.pop(proxy, None)
        with open(self._stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=stderr, env=env, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        try:
            line = self._read_ready_line()
        except BaseException:
            self._kill_group(signal.SIGKILL)
            raise
        match = _READY_LINE.match(line)
        if not match:
            self._kill_group(signal.SIGKILL)
            raise EmulatorError(f"unexpected first stdout line {line!r}; expected "
                                f"'ready https=https://HOST:PORT http=http://HOST:PORT ca=PATH "
                                f"backend=NAME'\n{self._stderr_tail()}")
        self.https_url = match["https"].rstrip("/")
        self.http_url = match["http"].rstrip("/")
        self.ca_path = match["ca"]
        self.backend = match["backend"]
        self._https_port = self.https_url.rsplit(":", 1)[1]
        self._http_port = self.http_url.rsplit(":", 1)[1]
        # Later stdout output must never fill the pipe and block the server.
        self._stdout_thread = threading.Thread(target=self._drain_stdout, args=(self.process,),
                                               daemon=True)
        self._stdout_thread.start()
        return self

    def _read_ready_line(self):
        deadline = time.monotonic() + self.ready_timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise EmulatorError(f"no ready line within {self.ready_timeout:.0f} s "
                                        f"(stdout so far: {buffer!r})\n{self._stderr_tail()}")
                if not selector.select(timeout=min(remaining, 0.5)):
                    if self.process.poll() is not None:
                        break
                    continue
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    break
                buffer += chunk
        if b"\n" not in buffer:
            code = self.process.wait(timeout=5)
            raise EmulatorError(f"batchai-emulator serve exited with code {code} before its ready "
                                f"line (stdout: {buffer!r})\n{self._stderr_tail()}")
        return buffer.split(b"\n", 1)[0].decode("utf-8", "replace").strip()

    @staticmethod
    def _drain_stdout(process):
        try:
            while process.stdout.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def running(self):
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        """Crashes the server: SIGKILL, no chance to save anything."""
        if self.running():
            self._kill_group(signal.SIGKILL)
        self._reap()

    def terminate(self, timeout=10.0):
        """SIGTERM and wait; returns the exit code. A server that does not stop in time is
        killed and reported."""
        if not self.running():
            return self._reap()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill_group(signal.SIGKILL)
            self._reap()
            raise EmulatorError(f"batchai-emulator did not stop within {timeout:.0f} s of SIGTERM\n"
                                f"{self._stderr_tail()}")

    def restart(self, keep_ports=True, crash=False):
        """Stops (SIGTERM, or SIGKILL with crash=True) and starts again on the same data dir."""
        if crash:
            self.kill9()
        else:
            self.terminate()
        return self.start(keep_ports=keep_ports)

    def close(self):
        """Stops the server whatever state it is in and removes the temporary folder."""
        try:
            if self.running():
                try:
                    self.terminate(timeout=5)
                except EmulatorError:
                    pass
        finally:
            self._kill_group(signal.SIGKILL)
            self._reap()
            if os.environ.get("BATCHAI_SDK_KEEP_DATA"):
                print(f"kept emulator data in {self.work_dir}", file=sys.stderr)
            else:
                # A caller-provided data dir lies outside work_dir and stays: it is the caller's.
                shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self):
        if not self.running():
            self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _kill_group(self, sig):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _reap(self):
        if self.process is None:
            return None
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        if self.process.stdout:
            self.process.stdout.close()
        return code

    def _stderr_tail(self, limit=4000):
        try:
            with open(self._stderr_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return "(no stderr captured)"
        return "stderr of batchai-emulator:\n" + (text[-limit:] if text else "(empty)")

    def stderr_text(self):
        return self._stderr_tail(limit=1 << 20)

    # ---- emulator's own API ----------------------------------------------------------------

    def admin(self, method, path, body=None, timeout=30.0):
        """Calls /emulator/v1/... over plain HTTP and returns the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.http_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            raise EmulatorError(f"{method} {path} answered {error.code}: "
                                f"{error.read().decode('utf-8', 'replace')}") from None
        return json.loads(payload) if payload else None

    def health(self):
        return self.admin("GET", "/emulator/v1/health")

    def clock(self):
        return self.admin("GET", "/emulator/v1/clock")

    def advance_clock(self, seconds):
        """Runs every simulated event up to now + seconds; returns the server's answer."""
        return self.admin("POST", "/emulator/v1/clock/advance", {"seconds": seconds})
