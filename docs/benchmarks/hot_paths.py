"""Measure the two hottest read paths against a running server.

    CLIENT_ID=... CLIENT_SECRET=... DATABASE_URL=postgres://... \
        python docs/benchmarks/hot_paths.py http://127.0.0.1:8099

The client needs customers:read and customers:exists. Profiles to ask for
are drawn from the database named by DATABASE_URL (PostgreSQL). Raise
EXISTS_RATE on the server first, or the exists figures measure the
throttle. Prints requests per second and latency percentiles; asserts
nothing.
"""

import base64
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

SECONDS = 8


def access_token(host: str, port: int) -> str:
    pair = f"{os.environ['CLIENT_ID']}:{os.environ['CLIENT_SECRET']}"
    connection = http.client.HTTPConnection(host, port)
    connection.request(
        "POST",
        "/oauth/token/",
        "grant_type=client_credentials",
        {
            "Authorization": f"Basic {base64.b64encode(pair.encode()).decode()}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return json.loads(connection.getresponse().read())["access_token"]


SAMPLE = (
    "select public_id, email from customers_customer where is_active "
    "order by random() limit 2000"
)


def sample_profiles() -> list[tuple[str, str]]:
    output = subprocess.run(  # noqa: S603
        ["psql", os.environ["DATABASE_URL"], "-Atc", SAMPLE],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [tuple(line.split("|")) for line in output.split()]


def measure(host, port, token, paths, threads) -> str:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop = time.monotonic() + SECONDS

    def worker(offset: int) -> None:
        connection = http.client.HTTPConnection(host, port)
        index = offset
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection.request(
                "GET",
                paths[index % len(paths)],
                headers={"Authorization": f"Bearer {token}"},
            )
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            index += threads

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    ordered = sorted(latencies)
    return (
        f"{len(ordered) / SECONDS:6.0f} req/s  "
        f"p50 {statistics.median(ordered) * 1000:5.1f} ms  "
        f"p99 {ordered[int(len(ordered) * 0.99)] * 1000:5.1f} ms  {statuses}"
    )


def main() -> None:
    base = urllib.parse.urlsplit(sys.argv[1] if len(sys.argv) > 1 else "")
    host, port = base.hostname or "127.0.0.1", base.port or 8000
    token = access_token(host, port)
    profiles = sample_profiles()
    cases = {
        "GET /customers/{id}": [f"/api/v1/customers/{pid}" for pid, _ in profiles],
        "GET /customers/exists?email": [
            f"/api/v1/customers/exists?email={urllib.parse.quote(email.upper())}"
            for _, email in profiles
        ],
    }
    for name, paths in cases.items():
        for threads in (1, 4):
            result = measure(host, port, token, paths, threads)
            print(f"{name:28} {threads} connection(s)  {result}")


if __name__ == "__main__":
    main()
