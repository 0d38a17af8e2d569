"""The tests' fault proxy in a process of its own, controlled through stdin and stdout.

The benchmarks run it as ``python -m benchmarks.latency_proxy UPSTREAM_URL`` from the
repository root, so that the proxy's work does not share the benchmark's interpreter. It prints
the proxy's URL on its first line, then replies to each command read from stdin with one line:

- ``latency SECONDS`` adds SECONDS before every forwarded request, and replies ``ok``.
- ``reset`` clears the recorded calls, the concurrency statistics and the latency, and replies
  ``ok``.
- ``count`` or ``count OPERATION`` replies with the number of requests (of OPERATION) recorded.
- ``max_concurrent`` replies with the most requests in flight at once since the last reset.

It stops when stdin closes, which also happens when the benchmark that started it dies.
"""

from __future__ import annotations

import logging
import sys

from tests.harness.fault_proxy import FaultProxy


def _reply(proxy: FaultProxy, command: str) -> str:
    verb, _, argument = command.partition(" ")
    if verb == "latency":
        proxy.latency = float(argument)

        return "ok"

    if verb == "reset":
        proxy.reset()

        return "ok"

    if verb == "count":
        return str(proxy.count(argument or None))

    if verb == "max_concurrent":
        return str(proxy.max_concurrent())

    return f"error: unknown command {command!r}"


def main() -> None:
    """Start the proxy in front of the URL given as the only argument and serve commands."""
    logging.basicConfig(level=logging.WARNING, format="latency proxy: %(message)s")
    upstream_url = sys.argv[1]
    with FaultProxy(upstream_url) as proxy:
        print(proxy.url, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command:
                print(_reply(proxy, command), flush=True)


if __name__ == "__main__":
    main()
