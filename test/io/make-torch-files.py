#!/usr/bin/python3
"""PyTorch's side of seqlab's model-file tests.

Default mode: writes small files with real `torch.save` into test/io/fixtures/ and
test/io/fixtures/expected.json, which says what every file holds (and, for module files, what
PyTorch computes with it), so test/unit/io-torch-files.test.ts can check seqlab's `load` without
Python. Run it with Debian's interpreter, which has torch 1.13 (pyenv's `python3` has none):

    /usr/bin/python3 test/io/make-torch-files.py

Second mode: checks safetensors files that seqlab's `save` wrote, in real PyTorch:

    /usr/bin/python3 test/io/make-torch-files.py --check-safetensors DIR

Every DIR/NAME.safetensors with a DIR/NAME.json beside it (written by the test, see
io-torch-files.test.ts) is parsed here by hand (Debian has no python3-safetensors), loaded
into the torch module the JSON describes with load_state_dict(strict=True), run on the JSON's
input, and compared with the outputs seqlab recorded. A DIR/NAME.pt beside it (seqlab's
save(..., {format: "pt"})) is read with torch.load, once its pickle has been checked to name
only tensors, and must hold the same tensors. To make DIR:

    SEQLAB_SAFETENSORS_DIR=/tmp/st npx vitest run --config test/vitest.config.ts \
        test/unit/io-torch-files.test.ts -t "PyTorch can check"

Why things are as they are:
- Fixed seeds per case, one thread: the values are the same on every run. Zip-format files
  are byte-identical between runs too (torch writes fixed 1980 timestamps); files in the old
  format are not, because torch names their storages by memory address. expected.json does
  not depend on those names (unless an address gets another number of digits, which changes
  the recorded file sizes), so it is identical between runs.
- Values are stored as float64 numbers. A float32/float16/bfloat16 value is exact as a double,
  so the test compares loaded tensors with `===`; int64 values here stay below 2**53.
- Module outputs are what PyTorch computes in the file's dtype (float32 or float64). For the
  float16/bfloat16 files the outputs are computed in float32 from the upcast values, which is
  what seqlab computes after `load` (it returns them as float32); PyTorch 1.13 has no half LSTM
  on the CPU anyway.
- The hostile files are written with torch.save and then only read as bytes: their globals are
  found with pickletools (never pickle.load / torch.load, which would run them).
"""
import argparse
import hashlib
import io
import json
import os
import pickletools
import re
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures"
PWNED = "/tmp/seqlab-pwned"

torch.set_num_threads(1)
DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.float16: "float16",
               torch.bfloat16: "bfloat16", torch.int64: "int64", torch.int32: "int32", torch.uint8: "uint8", torch.bool: "bool"}


# ---------------------------------------------------------------------------------------------
# Modules by seqlab's option names (camelCase, every option spelt out so the test can pass the
# same object to seqlab's constructor) and back to PyTorch's constructors.

def recurrent_options(m: nn.RNNBase) -> dict:
    o = {"inputSize": m.input_size, "hiddenSize": m.hidden_size, "numLayers": m.num_layers, "bias": m.bias,
         "batchFirst": m.batch_first, "bidirectional": m.bidirectional}
    if isinstance(m, nn.LSTM):
        o["projSize"] = m.proj_size
    if type(m) is nn.RNN:
        o["nonlinearity"] = m.nonlinearity
    return o


def describe(m: nn.Module) -> dict:
    if isinstance(m, (nn.RNN, nn.LSTM, nn.GRU)):
        return {"kind": type(m).__name__, "options": recurrent_options(m)}
    if isinstance(m, nn.Linear):
        return {"kind": "Linear", "options": {"inFeatures": m.in_features, "outFeatures": m.out_features, "bias": m.bias is not None}}
    if isinstance(m, nn.Embedding):
        return {"kind": "Embedding", "options": {"numEmbeddings": m.num_embeddings, "embeddingDim": m.embedding_dim}}
    if isinstance(m, Net):
        return {"kind": "Net", "children": {name: describe(c) for name, c in m.named_children()}}
    raise TypeError(type(m))


def build(desc: dict) -> nn.Module:
    kind, o = desc["kind"], desc.get("options", {})
    if kind in ("RNN", "LSTM", "GRU"):
        kw = dict(num_layers=o.get("numLayers", 1), bias=o.get("bias", True), batch_first=o.get("batchFirst", False),
                  bidirectional=o.get("bidirectional", False))
        if kind == "LSTM":
            kw["proj_size"] = o.get("projSize", 0)
        if kind == "RNN":
            kw["nonlinearity"] = o.get("nonlinearity", "tanh")
        return getattr(nn, kind)(o["inputSize"], o["hiddenSize"], **kw)
    if kind == "Linear":
        return nn.Linear(o["inFeatures"], o["outFeatures"], bias=o.get("bias", True))
    if kind == "Embedding":
        return nn.Embedding(o["numEmbeddings"], o["embeddingDim"])
    if kind == "Net":
        c = desc["children"]
        return Net(build(c["embed"]), build(c["rnn"]), build(c["head"]))
    raise ValueError(f"unknown module kind {kind!r}")


class Net(nn.Module):
    """A composite model as a course would write it: its keys are embed.weight, rnn.weight_ih_l0, ..."""

    def __init__(self, embed: nn.Embedding, rnn: nn.LSTM, head: nn.Linear):
        super().__init__()
        self.embed = embed
        self.rnn = rnn
        self.head = head

    def forward(self, ids):
        out, (h_n, c_n) = self.rnn(self.embed(ids))
        return self.head(out), (h_n, c_n)


def run(m: nn.Module, x: torch.Tensor) -> dict:
    """PyTorch's outputs under seqlab's names: output, h_n, c_n (LSTM) or logits (Net)."""
    with torch.no_grad():
        if isinstance(m, Net):
            logits, (h_n, c_n) = m(x)
            return {"logits": logits, "h_n": h_n, "c_n": c_n}
        if isinstance(m, nn.LSTM):
            out, (h_n, c_n) = m(x)
            return {"output": out, "h_n": h_n, "c_n": c_n}
        if isinstance(m, (nn.RNN, nn.GRU)):
            out, h_n = m(x)
            return {"output": out, "h_n": h_n}
        return {"output": m(x)}


# ---------------------------------------------------------------------------------------------
# JSON

def values(t: torch.Tensor) -> list:
    """Row-major values as exact float64 numbers (ints for integer tensors)."""
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32, torch.uint8):
        return [int(v) for v in t.reshape(-1).tolist()]
    return [float(v) for v in t.to(torch.float64).reshape(-1).tolist()]


def tensor_json(t: torch.Tensor) -> dict:
    return {"shape": list(t.shape), "data": values(t)}


def tensor_entry(t: torch.Tensor) -> dict:
    """What the file holds for one key: its dtype there, shape, values, and how it sits in its storage."""
    return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data": values(t),
            "stride": list(t.stride()), "storage_offset": t.storage_offset(), "contiguous": t.is_contiguous(),
            "storage_numel": t.storage().size()}


def compact_json(obj) -> str:
    """Indented JSON with every list of numbers on one line (readable diffs, small files)."""
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    return re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text) + "\n"


# ---------------------------------------------------------------------------------------------
# Reading a file's pickle without running it

def pickle_bytes(path: Path) -> list:
    """The pickles in a torch file: data.pkl of a zip, or the leading pickles of the old format."""
    raw = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return [z.read(n) for n in z.namelist() if n.endswith("/data.pkl")]
    f, out = io.BytesIO(raw), []
    for _ in range(4):  # magic number, protocol version, sys_info, the object
        start = f.tell()
        for _op, _arg, _pos in pickletools.genops(f):
            pass
        out.append(raw[start:f.tell()])
    return out


def globals_named(pkl: bytes) -> list:
    """'module.name' of every GLOBAL / STACK_GLOBAL in a pickle, read with pickletools.genops only."""
    found, strings = [], []
    for op, arg, _pos in pickletools.genops(pkl):
        if op.name == "GLOBAL":
            mod, name = arg.split(" ", 1)
            found.append(f"{mod}.{name}")
        elif op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
            strings.append(arg)
        elif op.name == "STACK_GLOBAL":
            # Good enough for what torch.save writes: the two strings just pushed (memoized, not fetched).
            found.append(f"{strings[-2]}.{strings[-1]}")
    return found


# ---------------------------------------------------------------------------------------------
# The cases

class Payload:
    """Pickles as a call of `fn(arg)`: how a hostile checkpoint runs code when unpickled."""

    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def save(obj, name: str, legacy=False, **kw) -> Path:
    path = OUT / name
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy, **kw)
    return path


def module_case(name, seed, make, x_fn, legacy=False, dtype=torch.float32, file_dtype=None, description=""):
    """Saves make()'s state dict (converted to file_dtype if given) and records PyTorch's outputs."""
    torch.manual_seed(seed)
    m = make().to(dtype)
    state = m.state_dict()
    if file_dtype is not None:
        state = {k: v.to(file_dtype) for k, v in state.items()}
        # What seqlab computes with: the file's values upcast to float32.
        m.load_state_dict({k: v.to(torch.float32) for k, v in state.items()})
    path = save(state, name, legacy)
    x = x_fn()
    if x.is_floating_point():
        x = x.to(dtype)
    entry = {"format": "legacy" if legacy else "zip", "description": description, "seed": seed,
             "tensors": {k: tensor_entry(v) for k, v in state.items()},
             "module": {**describe(m), "dtype": DTYPE_NAMES[dtype], "input": tensor_json(x),
                        "outputs": {k: tensor_json(v) for k, v in run(m, x).items()}}}
    if file_dtype is not None:
        entry["module"]["note"] = f"outputs computed in float32 from the {DTYPE_NAMES[file_dtype]} values upcast (seqlab's load gives float32)"
    return path, entry


def make_cases() -> dict:
    cases = {}

    def add(path_entry):
        path, entry = path_entry
        cases[path.name] = entry

    g = lambda seed: torch.Generator().manual_seed(seed)  # noqa: E731 - inputs drawn apart from module init

    add(module_case("lstm-course.pt", 1, lambda: nn.LSTM(input_size=2, hidden_size=4, num_layers=1, batch_first=True),
                    lambda: torch.tensor([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]),
                    description="the course's nn.LSTM(2, 4, batch_first=True) on x = [[[1,2],[3,4],[5,6]]]"))
    add(module_case("lstm-proj-bi.pt", 2, lambda: nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2),
                    lambda: torch.randn(4, 2, 3, generator=g(102)),
                    description="nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2), time-first input (T=4, B=2)"))
    add(module_case("gru-double.pt", 3, lambda: nn.GRU(3, 4, num_layers=2),
                    lambda: torch.randn(5, 2, 3, generator=g(103), dtype=torch.float64), dtype=torch.float64,
                    description="nn.GRU(3, 4, num_layers=2).double(), time-first input (T=5, B=2)"))
    add(module_case("rnn-relu-legacy.pt", 4, lambda: nn.RNN(3, 4, nonlinearity="relu", batch_first=True),
                    lambda: torch.randn(2, 5, 3, generator=g(104)), legacy=True,
                    description="nn.RNN(3, 4, nonlinearity='relu', batch_first=True) in the old (non-zip) format"))
    add(module_case("lstm-bi-nobias-legacy.pt", 5, lambda: nn.LSTM(3, 4, bidirectional=True, bias=False),
                    lambda: torch.randn(3, 2, 3, generator=g(105)), legacy=True,
                    description="nn.LSTM(3, 4, bidirectional=True, bias=False) in the old (non-zip) format"))
    add(module_case("linear.pt", 6, lambda: nn.Linear(4, 3), lambda: torch.randn(2, 4, generator=g(106)),
                    description="nn.Linear(4, 3)"))
    add(module_case("embedding.pt", 7, lambda: nn.Embedding(10, 4), lambda: torch.tensor([[0, 3, 9], [3, 3, 1]]),
                    description="nn.Embedding(10, 4) on ids (2, 3) with a repeat"))
    add(module_case("net.pt", 8,
                    lambda: Net(nn.Embedding(10, 3), nn.LSTM(3, 4, batch_first=True), nn.Linear(4, 10)),
                    lambda: torch.tensor([[1, 5, 2, 9, 0, 5], [7, 7, 3, 1, 4, 8]]),
                    description="Net(embed=Embedding(10, 3), rnn=LSTM(3, 4, batch_first=True), head=Linear(4, 10)).state_dict()"))
    add(module_case("lstm-float16.pt", 9, lambda: nn.LSTM(2, 3, batch_first=True), lambda: torch.randn(1, 4, 2, generator=g(109)),
                    file_dtype=torch.float16, description="{k: v.half()} of nn.LSTM(2, 3, batch_first=True)"))
    add(module_case("gru-bfloat16.pt", 10, lambda: nn.GRU(2, 3), lambda: torch.randn(4, 1, 2, generator=g(110)),
                    file_dtype=torch.bfloat16, description="{k: v.bfloat16()} of nn.GRU(2, 3)"))

    # Parameters rather than plain tensors (dict(named_parameters())): pickled through
    # torch._utils._rebuild_parameter, as people save them by hand.
    torch.manual_seed(11)
    lin = nn.Linear(3, 2)
    params = dict(lin.named_parameters())
    save(params, "parameters.pt")
    cases["parameters.pt"] = {"format": "zip", "description": "dict(nn.Linear(3, 2).named_parameters()): nn.Parameter objects",
                              "tensors": {k: tensor_entry(v) for k, v in params.items()}}

    # int64: a BatchNorm-style 0-d counter and ids beyond int32, within float64's exact integers.
    ints = {"num_batches_tracked": torch.tensor(12345, dtype=torch.int64),
            "ids": torch.tensor([[0, -1, 2**31, -(2**31) - 1], [2**40 + 1, 7, -(2**53) + 1, 2**53 - 1]], dtype=torch.int64)}
    save(ints, "int64.pt")
    cases["int64.pt"] = {"format": "zip", "description": "int64 tensors: a 0-d counter and ids beyond int32 (|v| < 2**53)",
                         "tensors": {k: tensor_entry(v) for k, v in ints.items()}}

    # Views. torch.save writes a view's whole storage plus its offset and strides, so a loader
    # must index the storage rather than read the first numel values.
    torch.manual_seed(12)
    w = torch.randn(3, 5)
    big = torch.randn(10, 6)
    strided = {"w_t": w.t(), "every_other_column": big[:, ::2]}
    for t in strided.values():
        assert not t.is_contiguous()
    add_views("views-strided.pt", strided, cases, "w.t() of a 3x5 and big[:, ::2] of a 10x6: non-contiguous views")
    offset = {"rows_3_to_7": big[3:7]}
    assert offset["rows_3_to_7"].storage_offset() == 18 and offset["rows_3_to_7"].is_contiguous()
    add_views("views-offset.pt", offset, cases, "big[3:7] of a 10x6: contiguous, storage offset 18")
    base = torch.arange(24, dtype=torch.float32).mul(0.25).sub(2.0).view(4, 6)
    shared = {"base": base, "row_2": base[2], "column_1": base[:, 1], "block": base[1:3, 2:5], "flat_tail": base.view(-1)[20:],
              "transposed": base.t()}
    assert len({t.storage().data_ptr() for t in shared.values()}) == 1
    add_views("views-shared.pt", shared, cases, "six views of one 4x6 base (one storage in the file)")
    add_views("views-shared-legacy.pt", shared, cases, "the same six views of one base, old (non-zip) format", legacy=True)

    # Hostile files. Each unpickles into a call of os.system / eval; written, never loaded.
    cmd = f"touch {PWNED}"
    hostile = [
        ("hostile-os-system.pt", {"weight": torch.zeros(2), "payload": Payload(os.system, cmd)}, False, {},
         "zip format; a state dict whose 'payload' entry unpickles as os.system('touch /tmp/seqlab-pwned')"),
        ("hostile-os-system-legacy.pt", {"weight": torch.zeros(2), "payload": Payload(os.system, cmd)}, True, {},
         "the same in the old (non-zip) format"),
        ("hostile-eval.pt", Payload(eval, f"__import__('os').system('{cmd}')"), False, {},
         "zip format; the whole object is eval(\"__import__('os').system(...)\")"),
        ("hostile-protocol4.pt", {"weight": torch.zeros(2), "payload": Payload(os.system, cmd)}, False, {"pickle_protocol": 4},
         "zip format, pickle protocol 4: the global comes by STACK_GLOBAL from two strings, not by GLOBAL"),
    ]
    for name, obj, legacy, kw, description in hostile:
        path = save(obj, name, legacy, **kw)
        named = [gl for pkl in pickle_bytes(path) for gl in globals_named(pkl)]
        bad = [gl for gl in named if not gl.startswith(("torch.", "collections.OrderedDict"))]
        assert len(bad) == 1, (name, named)
        # Python 3 unpickles protocol-2 '__builtin__' as 'builtins' (pickle's fix_imports).
        canonical = bad[0].replace("__builtin__.", "builtins.")
        cases[name] = {"format": "legacy" if legacy else "zip", "hostile": True, "description": description,
                       "global": canonical, "global_in_pickle": bad[0], "all_globals": named, "would_run": cmd}
    assert cases["hostile-os-system.pt"]["global"] == "posix.system"  # os.system pickles as posix.system on Linux
    assert cases["hostile-eval.pt"]["global_in_pickle"] == "__builtin__.eval"

    # Broken files.
    for good, name in (("lstm-course.pt", "truncated.pt"), ("rnn-relu-legacy.pt", "truncated-legacy.pt")):
        raw = (OUT / good).read_bytes()
        (OUT / name).write_bytes(raw[: len(raw) // 2])
        cases[name] = {"format": cases[good]["format"], "broken": "truncated",
                       "description": f"the first {len(raw) // 2} of {len(raw)} bytes of {good}"}
    (OUT / "not-a-checkpoint.pt").write_text("These are notes about a model, not a model.\nweights: see the other file\n")
    cases["not-a-checkpoint.pt"] = {"format": None, "broken": "not a checkpoint", "description": "two lines of text"}
    (OUT / "empty.pt").write_bytes(b"")
    cases["empty.pt"] = {"format": None, "broken": "empty", "description": "0 bytes"}
    return cases


def add_views(name, tensors, cases, description, legacy=False):
    path = save(tensors, name, legacy)
    if not legacy:
        # The file really holds whole storages: fewer records than tensors, each the base's size.
        with zipfile.ZipFile(path) as z:
            records = {n: z.getinfo(n).file_size for n in z.namelist() if "/data/" in n}
        numels = {t.storage().size() * t.element_size() for t in tensors.values()}
        assert set(records.values()) <= numels, (records, numels)
        assert len(records) <= len({t.storage().data_ptr() for t in tensors.values()})
    cases[name] = {"format": "legacy" if legacy else "zip", "description": description,
                   "tensors": {k: tensor_entry(v) for k, v in tensors.items()}}


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = make_cases()
    for name, entry in cases.items():
        path = OUT / name
        entry["bytes"] = path.stat().st_size
        if entry["format"] == "zip" and "broken" not in entry:
            with zipfile.ZipFile(path) as z:
                entry["records"] = z.namelist()
    expected = {
        "description": "What every file in test/io/fixtures holds, written by torch.save (see make-torch-files.py). "
                       "Tensor values are row-major float64 numbers (exact for every dtype here); outputs are what "
                       "PyTorch computed in the module's dtype, from a zero initial state.",
        "generator": {"script": "test/io/make-torch-files.py", "command": "/usr/bin/python3 test/io/make-torch-files.py",
                      "torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
        "pwned_path": PWNED,
        "files": cases,
    }
    (OUT / "expected.json").write_text(compact_json(expected), encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(cases)} files and expected.json to {OUT} ({total} bytes in all)")
    assert not os.path.exists(PWNED), f"{PWNED} exists: something ran a payload"


# ---------------------------------------------------------------------------------------------
# --check-safetensors

ST_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
             "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path: Path):
    """(tensors, metadata) of a safetensors file, checked against the format's rules as we go."""
    raw = path.read_bytes()
    assert len(raw) >= 8, "shorter than the 8-byte header length"
    (n,) = struct.unpack("<Q", raw[:8])
    assert 8 + n <= len(raw), f"header length {n} runs past the end of the file ({len(raw)} bytes)"
    header_bytes = raw[8 : 8 + n]
    header = json.loads(header_bytes.decode("utf-8"))
    assert header_bytes[:1] == b"{", "the header must start with '{'"
    meta = header.pop("__metadata__", None)
    if meta is not None:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()), "__metadata__ must map strings to strings"
    data = raw[8 + n :]
    tensors, spans = {}, []
    for name, info in header.items():
        assert set(info) == {"dtype", "shape", "data_offsets"}, f"{name}: fields {sorted(info)}"
        start, end = info["data_offsets"]
        shape = info["shape"]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(data[start:end], dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            dt = np.dtype(ST_DTYPES[info["dtype"]]).newbyteorder("<")
            arr = np.frombuffer(data[start:end], dtype=dt)
        assert arr.size == int(np.prod(shape, dtype=np.int64)), f"{name}: {end - start} bytes for shape {shape}"
        tensors[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True).reshape(shape))
        spans.append((start, end))
    # The format asks for the buffers to tile the data section, without holes or overlaps.
    spans.sort()
    pos = 0
    for start, end in spans:
        assert start == pos, f"data_offsets leave a hole or overlap at byte {pos}"
        pos = end
    assert pos == len(data), f"{len(data) - pos} bytes after the last tensor"
    return tensors, meta


SAFE_GLOBALS = {"torch._utils._rebuild_tensor_v2", "collections.OrderedDict"}


def load_seqlab_pt(path: Path) -> dict:
    """torch.load of a .pt that seqlab's save(..., {format: "pt"}) wrote, after checking (without
    unpickling) that its pickle names nothing but tensors, storages and OrderedDict: a folder
    given on the command line is not trusted enough to hand straight to torch.load."""
    named = [g for pkl in pickle_bytes(path) for g in globals_named(pkl)]
    other = [g for g in named if g not in SAFE_GLOBALS and not re.fullmatch(r"torch\.\w+Storage", g)]
    assert not other, f"refusing to torch.load a file whose pickle names {other}"
    assert zipfile.is_zipfile(path), "not PyTorch's zip format"
    return torch.load(path)


def normalised_error(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.to(torch.float64), b.to(torch.float64)
    ref = b.abs().max().item() if b.numel() else 0.0
    diff = (a - b).abs().max().item() if b.numel() else 0.0
    return diff / ref if ref > 0 else diff


def check_safetensors(folder: Path) -> int:
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        print(f"no .safetensors files in {folder}")
        return 1
    failures = 0
    for path in files:
        side = path.with_suffix(".json")
        try:
            tensors, meta = read_safetensors(path)
            print(f"{path.name}: {len(tensors)} tensors, dtypes {sorted({DTYPE_NAMES[t.dtype] for t in tensors.values()})}, metadata {meta}")
            if not side.exists():
                print("  (no .json beside it: format checked only)")
                continue
            rec = json.loads(side.read_text(encoding="utf-8"))
            desc = rec["module"]
            dtype = torch.float64 if desc.get("dtype") == "float64" else torch.float32
            m = build(desc).to(dtype)
            m.load_state_dict({k: v.to(dtype) for k, v in tensors.items()}, strict=True)
            pt = path.with_suffix(".pt")
            if pt.exists():
                # The same state dict saved by seqlab in PyTorch's format: torch.load must give the
                # same keys and bit-identical tensors.
                state = load_seqlab_pt(pt)
                assert sorted(state) == sorted(tensors), f"{pt.name}: keys {sorted(state)} vs {sorted(tensors)}"
                for k, v in state.items():
                    assert v.dtype == tensors[k].dtype and torch.equal(v, tensors[k]), f"{pt.name}: {k} differs from the safetensors file"
                print(f"  {pt.name}: torch.load gives the same {len(state)} tensors")
            # Ids for models that start with an embedding, else values in the model's dtype. (JSON
            # does not say which: 1.0 is written 1, and torch.tensor would round floats to float32.)
            ids = desc["kind"] in ("Embedding", "Net")
            x = torch.tensor(desc["input"]["data"], dtype=torch.int64 if ids else dtype).reshape(desc["input"]["shape"])
            ours = run(m, x)
            tol = 1e-12 if dtype == torch.float64 else 1e-6
            for key, want in desc["outputs"].items():
                got = ours[key]
                theirs = torch.tensor(want["data"], dtype=torch.float64).reshape(want["shape"])
                assert list(got.shape) == want["shape"], f"{key}: torch {list(got.shape)}, seqlab {want['shape']}"
                err = normalised_error(theirs, got)
                status = "ok" if err <= tol else "DIFFERS"
                failures += err > tol
                print(f"  {key} {list(got.shape)}: max|seqlab - torch| / max|torch| = {err:.2e} ({status}, tolerance {tol:g})")
        except Exception as e:  # report every file, then fail
            failures += 1
            print(f"  FAILED: {type(e).__name__}: {e}")
    print("all agree" if not failures else f"{failures} problem(s)")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check-safetensors", metavar="DIR", type=Path,
                    help="check seqlab-written DIR/*.safetensors (+ .json) in PyTorch instead of writing fixtures")
    args = ap.parse_args()
    if args.check_safetensors:
        sys.exit(check_safetensors(args.check_safetensors))
    write_fixtures()


if __name__ == "__main__":
    main()
