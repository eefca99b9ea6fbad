"""Executes one prepared submission cell by cell in a fresh kernel, for `npm run grade`.

usage: execute.py IN.ipynb OUT.ipynb RESULT.json CELL_TIMEOUT NOTEBOOK_TIMEOUT MEMORY_MB

Jupyter's nbclient runs each cell; this script records how each one ended (ok, error, timeout,
crashed, or not run) in RESULT.json and writes the executed notebook to OUT.ipynb. It never
stops at a failing cell (a wrong answer is an error and grading goes on), but it does stop when
the kernel dies, a cell runs past its timeout, the notebook runs past its own, or the kernel
grows past MEMORY_MB (then the kernel is killed): the cells after that are "not run".
"""
import json
import math
import os
import signal
import sys
import threading
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

# tslab drops every request that arrives within 200 ms after a cell fails (its answer to
# yunabe/tslab#19); the next cell waits that long, and is sent again if it was dropped anyway.
TSLAB_ABORT_WINDOW = 0.3
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes(pid):
    """Resident memory of a process and its descendants (Linux /proc), 0 once it is gone."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


class MemoryWatch(threading.Thread):
    """Kills the kernel when it holds more than `limit` bytes; `tripped` says it did."""

    def __init__(self, pid, limit):
        super().__init__(daemon=True)
        self.pid, self.limit, self.tripped, self.peak = pid, limit, False, 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(0.2):
            used = rss_bytes(self.pid)
            self.peak = max(self.peak, used)
            if used > self.limit:
                self.tripped = True
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return


def main():
    src, dst, result_path = sys.argv[1], sys.argv[2], sys.argv[3]
    cell_timeout, notebook_timeout, memory_mb = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    nb = nbformat.read(src, as_version=4)
    replies = {}
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        allow_errors=True,
        kernel_name="tslab",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply),
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cells = [{"index": i, "status": "not run"} for i in range(len(nb.cells))]
    started = time.monotonic()
    watch = None
    stopped = None  # why execution stopped early, if it did
    try:
        with client.setup_kernel():
            pid = client.km.provisioner.pid if client.km.provisioner else None
            if pid:
                watch = MemoryWatch(pid, memory_mb * 1024 * 1024)
                watch.start()
            after_error = False
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    cells[index]["status"] = "skipped"
                    continue
                left = notebook_timeout - (time.monotonic() - started)
                if left <= 0:
                    stopped = {"index": index, "status": "timeout", "reason": f"the notebook ran longer than {notebook_timeout:g} s"}
                    break
                client.timeout = max(1, math.ceil(min(cell_timeout, left)))
                for attempt in range(2):
                    if after_error:
                        time.sleep(TSLAB_ABORT_WINDOW)
                    cell.outputs = []
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        limit = "notebook" if left < cell_timeout else "cell"
                        cells[index] = {"index": index, "status": "timeout", "reason": (
                            f"the notebook ran longer than {notebook_timeout:g} s" if limit == "notebook" else f"this cell ran longer than {cell_timeout:g} s")}
                        stopped = cells[index]
                        break
                    except DeadKernelError:
                        memory = watch is not None and watch.tripped
                        cells[index] = {"index": index, "status": "crashed", "reason": (
                            f"the kernel used more than {memory_mb} MB and was stopped" if memory else "the kernel died while running this cell (process.exit or a crash)")}
                        stopped = cells[index]
                        break
                    status = replies.get(index, {}).get("content", {}).get("status", "ok")
                    if status == "aborted" or status == "abort":
                        after_error = True
                        continue
                    failed = status == "error" or any(o.get("output_type") == "error" or (o.get("output_type") == "stream" and o.get("name") == "stderr") for o in cell.outputs)
                    cells[index] = {"index": index, "status": "error" if failed else "ok"}
                    after_error = status == "error"
                    break
                if stopped:
                    break
    except DeadKernelError:
        stopped = {"status": "crashed", "reason": "the kernel died"}
    except RuntimeError as e:
        stopped = {"status": "crashed", "reason": f"the kernel could not run: {e}"}
    finally:
        if watch:
            watch.stopped.set()
        nbformat.write(nb, dst)
        with open(result_path, "w") as f:
            json.dump({"cells": cells, "stopped": stopped, "seconds": time.monotonic() - started,
                       "peak_mb": round((watch.peak if watch else 0) / 2**20)}, f)


if __name__ == "__main__":
    main()
