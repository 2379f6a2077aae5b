"""python-hl7 (hl7.parse) over the same messages as the Swift benchmark, single thread, same cases and units.

    python python_hl7_bench.py CORPUS_DIR LIST_FILE [SECONDS]

Bytes are decoded as CareBridge reads them (MSH-18 8859/1 is Latin-1, else UTF-8 when valid, else Latin-1) and
segment terminators turned into CR before timing, since hl7.parse splits segments on CR only. MB/s counts the
file bytes, as the Swift side does.
"""
import logging
import os
import re
import sys
import time

import hl7

logging.disable(logging.CRITICAL)  # python-hl7 logs escape sequences it cannot read


def decode(data):
    match = re.search(rb"(?m)^MSH(.)", data)
    if match:
        fields = data[match.start():].split(b"\r")[0].split(b"\n")[0].split(match.group(1))
        if len(fields) > 17 and fields[17].split(b"~")[0].split(b"^")[0].strip().upper() == b"8859/1":
            return data.decode("latin-1")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def main():
    corpus, listing = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    with open(listing) as handle:
        names = [line.strip() for line in handle if line.strip()]
    texts, total_bytes, failed = [], 0, 0
    for name in names:
        with open(os.path.join(corpus, name), "rb") as handle:
            data = handle.read()
        size = len(data)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        text = "\r".join(line for line in re.split(r"\r\n|\r|\n", decode(data)) if line.strip())
        try:
            hl7.parse(text)
        except Exception:
            failed += 1
            continue
        texts.append(text)
        total_bytes += size
    print("python corpus: %d messages, %d bytes (%d not read by hl7.parse and left out)"
          % (len(texts), total_bytes, failed))

    def measure(label, body):
        checksum = 0
        for text in texts:
            checksum += body(text)
        wall_start, cpu_start = time.perf_counter(), time.thread_time()
        passes = 0
        while True:
            for text in texts:
                checksum += body(text)
            passes += 1
            cpu = time.thread_time() - cpu_start
            if cpu >= seconds:
                break
        wall = time.perf_counter() - wall_start
        print("python %-13s%9.1f MB/s %10.0f msgs/s   wall clock %8.1f MB/s %10.0f msgs/s   (%d passes)"
              % (label, total_bytes * passes / cpu / 1e6, len(texts) * passes / cpu,
                 total_bytes * passes / wall / 1e6, len(texts) * passes / wall, passes))

    measure("parse", lambda text: len(hl7.parse(text)))

    paths = ["MSH.F9.R1.C1", "MSH.F10", "PID.F3.R1.C1", "PID.F5.R1.C1", "PID.F7", "OBX.F5"]

    def access(text):
        message = hl7.parse(text)
        total = 0
        for path in paths:
            try:
                total += len(str(message[path]))
            except Exception:
                pass
        return total

    measure("parse+access", access)
    parsed = {}
    for text in texts:
        parsed[id(text)] = hl7.parse(text)
    measure("encode", lambda text: len(str(parsed[id(text)])))


if __name__ == "__main__":
    main()
