"""No acknowledged HL7v2 message is lost when the hub is killed (SIGKILL) in the middle of a stream.

Starts its own hub (the binary named by CAREBRIDGE_BINARY) on free ports with a new data folder, streams ADT^A04
messages over MLLP with python-hl7's client while another thread kills the hub after some acknowledgements,
restarts it on the same data folder, and checks that every acknowledged message is in the inbound log as
processed and its patient is found by FHIR search.
"""

import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import threading
import time

import hl7
import hl7.exceptions
import requests
from hl7.client import MLLPClient

REPO = pathlib.Path(__file__).resolve().parents[2]


def unframe(reply):
    """python-hl7's client returns the reply as received, MLLP framing included."""
    return reply.strip(b"\x0b\x1c\r\n").decode("utf-8")

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def adt(number):
    control = f"DUR-{number}"
    return "\r".join([
        f"MSH|^~\\&|DURABILITY|TEST|CAREBRIDGE|HUB|20261123101500||ADT^A04^ADT_A01|{control}|P|2.5.1",
        "EVN|A04|20261123101500",
        f"PID|1||{control}^^^DURABILITY&1.2.3.4&ISO^MR||Durable^Number{number}||19800101|F",
        f"PV1|1|O|CLINIC^1^A||||||||||||||||V-{control}",
    ]) + "\r"


class Hub:
    def __init__(self, binary, data):
        self.binary, self.data = binary, data
        self.http, self.mllp = free_port(), free_port()
        self.process = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.http}/fhir"

    def start(self):
        log = open(os.path.join(os.path.dirname(self.data), "hub.log"), "ab")
        environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        self.process = subprocess.Popen(
            [self.binary, "serve", "--insecure-dev", "--http-port", str(self.http), "--mllp-port", str(self.mllp),
             "--data-dir", self.data, "--profiles-dir", str(REPO / "profiles"), "--mappings-dir", str(REPO / "mappings")],
            stdout=log, stderr=log, env=environment, cwd=REPO)
        for _ in range(300):
            assert self.process.poll() is None, "the hub exited while starting"
            try:
                requests.get(f"{self.base}/metadata", timeout=2).raise_for_status()
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError("the hub did not start")

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
        stop_cluster(self.data)


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


def test_acknowledged_messages_survive_sigkill():
    binary = os.environ["CAREBRIDGE_BINARY"]
    work = tempfile.mkdtemp(prefix="carebridge-durability.", dir="/tmp")
    os.chmod(work, 0o755)
    hub = Hub(binary, os.path.join(work, "pg"))
    acknowledged = []
    try:
        hub.start()
        killer = threading.Thread(target=lambda: (wait_for(lambda: len(acknowledged) >= 40), hub.kill()))
        killer.start()
        try:
            with MLLPClient("127.0.0.1", hub.mllp) as client:
                for number in range(100_000):
                    ack = hl7.parse(unframe(client.send_message(adt(number))))
                    if str(ack.segment("MSA")[1]) == "AA":
                        acknowledged.append(number)
        except (OSError, IndexError, hl7.exceptions.ParseException):
            pass  # the hub was killed mid-stream: the connection closed, maybe in the middle of a reply
        killer.join()
        assert len(acknowledged) >= 40
        hub.start()
        for number in acknowledged:
            log = requests.get(f"{hub.base.removesuffix('/fhir')}/inbound/messages",
                               params={"control-id": f"DUR-{number}"}, timeout=30).json()["messages"]
            assert [entry["status"] for entry in log] == ["processed"], f"DUR-{number}: {log}"
            found = requests.get(f"{hub.base}/Patient", params={"identifier": f"DUR-{number}"}, timeout=30).json()
            assert len(found.get("entry", [])) == 1, f"the patient of DUR-{number} was lost"
    finally:
        hub.stop()


def wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
