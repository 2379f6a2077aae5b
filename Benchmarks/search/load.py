"""Loads the search benchmark's data set through the hub's REST API and prints the load rate.

    python3 load.py --url http://127.0.0.1:8080 [--seed 1] [--patients 100000] [--others 1000000]
                    [--bundle-size 500] [--clients 4] [--bundle-type batch]

Checks the first resource of each kind with `$validate`, then sends Bundles of PUTs (client-chosen ids, so a
reload replaces rather than duplicates) from a few concurrent keep-alive clients, kind after kind so that
referenced resources exist before what refers to them. Exits non-zero if any entry is refused.
"""

import argparse
import http.client
import itertools
import json
import queue
import sys
import threading
import time
import urllib.parse

import dataset


def connect(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)


def post(connection, path, body):
    connection.request("POST", path, body=body, headers={"Content-Type": "application/fhir+json"})
    response = connection.getresponse()
    return response.status, response.read()


def validate_samples(url, kinds):
    connection = connect(url)
    for kind, first in kinds:
        status, body = post(connection, f"/fhir/{kind}/$validate", json.dumps(first).encode())
        issues = [i for i in json.loads(body).get("issue", []) if i.get("severity") in ("error", "fatal")]
        if status >= 300 or issues:
            sys.exit(f"$validate refused the first {kind} ({status}): {json.dumps(issues)[:1000]}")
    connection.close()


def bundle(resources, bundle_type):
    entries = [{"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
               for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": bundle_type, "entry": entries},
                      ensure_ascii=False).encode()


def client(url, work, failures):
    """Sends the Bundles from `work` until it yields None; records refused entries in `failures`."""
    connection = connect(url)
    while (body := work.get()) is not None:
        status, reply = post(connection, "/fhir", body)
        if status != 200:
            failures.append(f"HTTP {status}: {reply[:500]!r}")
            continue
        for entry in json.loads(reply).get("entry", []):
            code = entry.get("response", {}).get("status", "")
            if not code.startswith(("200", "201")):
                failures.append(f"{code}: {json.dumps(entry.get('response'))[:500]}")
    connection.close()


def load(url, kind, resources, size, clients, bundle_type):
    """Loads one kind; returns how many resources were sent."""
    work, failures, sent = queue.Queue(maxsize=clients * 2), [], 0
    threads = [threading.Thread(target=client, args=(url, work, failures)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    while chunk := list(itertools.islice(resources, size)):
        work.put(bundle(chunk, bundle_type))
        sent += len(chunk)
        if failures:
            break
    for _ in threads:
        work.put(None)
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(f"{len(failures)} entries of {kind} were refused, e.g.:\n" + "\n".join(failures[:5]))
    return sent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=1_000_000)
    parser.add_argument("--bundle-size", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--bundle-type", choices=["batch", "transaction"], default="batch")
    args = parser.parse_args()

    kinds = dataset.resources(args.seed, args.patients, args.others)
    firsts = dataset.resources(args.seed, 1, 5)
    validate_samples(args.url, [(kind, next(generator)) for kind, generator in firsts])
    print(f"loading: seed {args.seed}, {args.bundle_type} Bundles of {args.bundle_size} PUTs, "
          f"{args.clients} concurrent clients")
    print(f"{'kind':<12} {'resources':>10} {'seconds':>8} {'resources/s':>12}")
    total, started = 0, time.monotonic()
    for kind, generator in kinds:
        began = time.monotonic()
        count = load(args.url, kind, generator, args.bundle_size, args.clients, args.bundle_type)
        seconds = time.monotonic() - began
        total += count
        print(f"{kind:<12} {count:>10,} {seconds:>8.1f} {count / seconds:>12,.0f}", flush=True)
    seconds = time.monotonic() - started
    print(f"{'all':<12} {total:>10,} {seconds:>8.1f} {total / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
