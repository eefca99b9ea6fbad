"""Executes one notebook with nbclient (Jupyter's own executor) and writes the result.

usage: run_notebook.py IN.ipynb OUT.ipynb TIMEOUT_SECONDS

The kernel is the one the notebook names (tslab), found through JUPYTER_PATH. On SIGTERM the
kernel is shut down before exiting; on a cell error the partly executed notebook is still
written (for the test to show) and the exit code is 1.
"""
import os
import signal
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main():
    src, dst, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "tslab"),
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
    )
    # Turn SIGTERM into an exception so nbclient's clean-up shuts the kernel down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    code = 0
    try:
        client.execute()
    except CellExecutionError as e:
        print(str(e), file=sys.stderr)
        code = 1
    finally:
        nbformat.write(nb, dst)
    sys.exit(code)


if __name__ == "__main__":
    main()
