"""A stand-in for the model in batch tests: module-level (so worker processes can import it), fast,
deterministic, and it records which process loaded it and how often."""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from typing import Any

from govreport.core import schema

_LOADS = {"count": 0}


def make_fake(delay: float = 0.0, fail_on: str | None = None, crash_on: str | None = None,
              kill_on: str | None = None, bad_check_on: str | None = None) -> Any:
    _LOADS["count"] += 1
    load_id = (os.getpid(), _LOADS["count"])

    def extract(text: str) -> dict[str, Any]:
        if crash_on and crash_on in text:
            os._exit(3)  # like a segfault in a native library: the process is gone
        if kill_on and kill_on in text:
            os.kill(os.getpid(), signal.SIGKILL)  # killed from outside (the OOM killer, kill -9)
        if fail_on and fail_on in text:
            raise ValueError(f"cannot handle {fail_on}")
        if delay:
            time.sleep(delay)
        record = schema.empty_record("2019")
        record["agency"] = text.strip().split("\n")[0][:40] or None
        record["requests"]["new_received"]["total"] = len(text)
        if bad_check_on and bad_check_on in text:
            record["checks"] = [
                {"identity": 1, "where": "requests.granted", "expected": 12, "found": 13, "ok": False},
                {"identity": 4, "where": "review_litigation.review", "expected": 5, "found": 5, "ok": True},
                {"identity": 7, "where": "requests.closed", "expected": 3, "found": 30, "ok": False},
            ]
        record["_loaded_by"] = list(load_id)  # test-only key: which worker, which load
        return record

    return extract


def fake_factory(delay: float = 0.0, fail_on: str | None = None, crash_on: str | None = None,
                 kill_on: str | None = None, bad_check_on: str | None = None) -> Any:
    return partial(make_fake, delay, fail_on, crash_on, kill_on, bad_check_on)


def crashing_factory() -> Any:
    os._exit(3)  # the model loader itself kills the worker


def broken_factory() -> Any:
    raise OSError("model weights missing")
