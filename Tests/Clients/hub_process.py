"""A `carebridge serve` process for the process-level checks: free ports, a work folder, its own embedded cluster.

Shared by the webhook checks (through webhook_support) and the MLLP durability check. The binary is the one named
by CAREBRIDGE_BINARY, or the debug build.
"""

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

REPO = pathlib.Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, step=0.05, what="the condition"):
    """Polls `condition` until it is true; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def work_folder(prefix):
    """A new folder under /tmp that the `postgres` account can reach (the embedded cluster runs as it under root)."""
    folder = tempfile.mkdtemp(prefix=f"carebridge-{prefix}.", dir="/tmp")
    os.chmod(folder, 0o755)
    return folder


def remove(folder):
    """Removes a work folder once its check passed (a failed check leaves it, with the hub logs)."""
    shutil.rmtree(folder, ignore_errors=True)


def socket_url(data):
    """The `--database-url` of the embedded cluster in `data`: its Unix socket, superuser, the hub's database."""
    return f"postgres://carebridge@/carebridge?host={data}"


class Hub:
    """One `carebridge serve` process: on its own embedded cluster in `data`, or on `database_url`; in insecure
    development mode unless `auth_config` names a security configuration file."""

    def __init__(self, work, name="hub", data=None, database_url=None, options=(), auth_config=None):
        self.binary = os.environ.get("CAREBRIDGE_BINARY") or str(REPO / ".build" / "debug" / "carebridge")
        self.work, self.name = work, name
        self.data = data or os.path.join(work, "pg")
        self.database_url = database_url
        self.options = list(options)
        self.auth_config = auth_config
        self.http, self.mllp = free_port(), free_port()
        self.process = None

    @property
    def root(self):
        return f"http://127.0.0.1:{self.http}"

    @property
    def base(self):
        return f"{self.root}/fhir"

    @property
    def log(self):
        return os.path.join(self.work, f"{self.name}.log")

    def start(self):
        environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        # The checks send thousands of requests from one address; the per-client rate limit is not what they test.
        environment.setdefault("CAREBRIDGE_RATE_LIMIT", "0")
        storage = ["--database-url", self.database_url] if self.database_url else ["--data-dir", self.data]
        security = ["--auth-config", self.auth_config] if self.auth_config else ["--insecure-dev"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve", *security, "--http-host", "127.0.0.1", "--http-port", str(self.http),
                 "--mllp-port", str(self.mllp), *storage, "--profiles-dir", str(REPO / "profiles"),
                 "--mappings-dir", str(REPO / "mappings"), *self.options],
                stdout=log, stderr=log, env=environment, cwd=REPO)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited while starting; see {self.log}")
            try:
                requests.get(f"{self.base}/metadata", timeout=2).raise_for_status()
                return self
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start within 120 s; see {self.log}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.database_url:
            stop_cluster(self.data)

    def tail(self, lines=30):
        try:
            with open(self.log, "rb") as log:
                return b"\n".join(log.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""


def stop_cluster(data):
    """The embedded PostgreSQL outlives a SIGKILLed hub; stop it so no postmaster is left behind."""
    if not os.path.exists(os.path.join(data, "postmaster.pid")):
        return
    pg_ctl = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not pg_ctl:
        return
    command = [str(pg_ctl[-1]), "-D", data, "-m", "immediate", "-w", "stop"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    subprocess.run(command, capture_output=True, timeout=60)
