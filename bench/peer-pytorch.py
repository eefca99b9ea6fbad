#!/usr/bin/python3
"""The benchmark's workloads in PyTorch (Debian's python3-torch), timed like bench/run.mjs.

    /usr/bin/python3 bench/peer-pytorch.py [--only a,b] [--iterations N]

Prints a JSON line describing the run (torch version, BLAS, the OpenBLAS core kernel really in
use, CPU), then one JSON line per workload: {"workload","trainMs","forwardMs","iterations",
"peakRssMB"}. peakRssMB is this process's peak so far (bench/peers.mjs runs one workload per
process). The OpenBLAS kernel is chosen by the caller through OPENBLAS_CORETYPE.

Same models as bench/workloads.mjs: time-major (T, B, F) input (one-hot, nn.Embedding or randn),
nn.LSTM/GRU/RNN with a zero initial state, a Linear readout at every step, mean cross-entropy,
Adam(lr=1e-3), float32, one thread.
"""
import argparse
import ctypes
import json
import os
import re
import resource
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

# Same sizes as bench/workloads.mjs.
WORKLOADS = {
    "tiny": dict(cell=nn.LSTM, vocab=4, input_size=4, hidden_size=8, T=6, B=1, input="onehot"),
    "char-small": dict(cell=nn.LSTM, vocab=65, input_size=32, hidden_size=128, T=64, B=32, input="embedding"),
    "gru-small": dict(cell=nn.GRU, vocab=65, input_size=32, hidden_size=128, T=64, B=32, input="embedding"),
    "rnn-small": dict(cell=nn.RNN, vocab=65, input_size=32, hidden_size=128, T=64, B=32, input="embedding"),
    "char-medium": dict(cell=nn.LSTM, vocab=65, input_size=32, hidden_size=256, num_layers=2, T=64, B=32, input="embedding"),
    "large": dict(cell=nn.LSTM, vocab=65, input_size=512, hidden_size=512, T=32, B=64, input="dense", iterations=5),
}
WARMUP_CALLS = 2
WARMUP_S = 0.5
DEFAULT_ITERATIONS = 20
MIN_TIMED_S = 1.0


def timed(fn, n):
    """Median ms of fn over ≥n calls and ≥1 s of calls, after ≥2 calls and ≥0.5 s of warm-up (as bench/timing.mjs)."""
    start = time.perf_counter()
    k = 0
    while k < WARMUP_CALLS or time.perf_counter() - start < WARMUP_S:
        fn()
        k += 1
    ms = []
    timed_start = time.perf_counter()
    while len(ms) < n or time.perf_counter() - timed_start < MIN_TIMED_S:
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ms)


def build(cell, vocab, input_size, hidden_size, T, B, input, num_layers=1, iterations=None):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    targets = torch.randint(vocab, (T * B,), generator=gen)
    modules = []
    if input == "onehot":
        x = F.one_hot(torch.randint(vocab, (T, B), generator=gen), vocab).float()
        encode = lambda: x
    elif input == "embedding":
        ids = torch.randint(vocab, (T, B), generator=gen)
        emb = nn.Embedding(vocab, input_size)
        modules.append(emb)
        encode = lambda: emb(ids)
    else:
        x = torch.randn(T, B, input_size, generator=gen)
        encode = lambda: x
    rnn = cell(input_size, hidden_size, num_layers)  # batch_first=False: (T, B, F)
    readout = nn.Linear(hidden_size, vocab)
    modules += [rnn, readout]
    optimizer = torch.optim.Adam([p for m in modules for p in m.parameters()], lr=1e-3)

    def loss():
        output, _ = rnn(encode())
        return F.cross_entropy(readout(output.reshape(T * B, hidden_size)), targets)

    def train_step():
        optimizer.zero_grad()
        l = loss()
        l.backward()
        optimizer.step()
        return l.item()

    def forward():
        with torch.no_grad():
            return loss().item()

    return train_step, forward


def loaded_blas():
    """The BLAS/LAPACK shared objects this process really mapped (after the alternatives)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line or "lapack" in line}
    return sorted(p for p in paths if p.startswith("/"))


def openblas_core(paths):
    """OpenBLAS's own name for the kernel it picked, from the copy already loaded (dlopen of a
    loaded library returns the same handle, so this is the instance torch uses)."""
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode(), lib.openblas_get_config().decode()
        except (OSError, AttributeError):
            continue
    return None, None


def cpu_model():
    with open("/proc/cpuinfo") as f:
        return next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), None)


def describe():
    config = torch.__config__.show()
    blas_info = re.findall(r"\b(?:BLAS_INFO|LAPACK_INFO)=\w+", config)
    capability = next((l.split(":", 1)[1].strip() for l in config.splitlines() if "CPU capability usage" in l), None)
    blas = loaded_blas()
    core, openblas_config = openblas_core(blas)
    return {
        "peer": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blasInfo": blas_info,  # torch.__config__.show(): Debian's build links the generic libblas.so.3
        "blasLoaded": [os.path.realpath(p) for p in blas],
        "openblasCore": core,
        "openblasConfig": openblas_config,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "atenCpuCapability": capability,
        "cpu": cpu_model(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=None)
    parser.add_argument("--iterations", type=int, default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = args.only.split(",") if args.only else list(WORKLOADS)
    for n in names:
        if n not in WORKLOADS:
            raise SystemExit(f"peer-pytorch: unknown workload {n!r}; known: {', '.join(WORKLOADS)}")
    print(json.dumps(describe()), flush=True)
    for name in names:
        w = WORKLOADS[name]
        iterations = args.iterations or w.get("iterations") or DEFAULT_ITERATIONS
        train_step, forward = build(**w)
        train_ms = timed(train_step, iterations)
        forward_ms = timed(forward, iterations)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        print(json.dumps({"workload": name, "trainMs": round(train_ms, 3), "forwardMs": round(forward_ms, 3),
                          "iterations": iterations, "peakRssMB": round(peak, 1)}), flush=True)


if __name__ == "__main__":
    main()
