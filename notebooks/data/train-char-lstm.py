#!/usr/bin/python3
"""Trains a character-level LSTM on notebooks/data/pride-and-prejudice.txt in real PyTorch and
writes the checkpoint (char-lstm.pt) and what a test or a notebook needs to use it (char-lstm.json).

The model is the one Karpathy, Johnson & Fei-Fei (2015, "Visualizing and Understanding Recurrent
Networks") studied, at a size that trains on a laptop CPU in minutes:
    Embedding(V, E) -> LSTM(E, H, batch_first=True) -> Linear(H, V)
as an nn.Module whose children are called embed, rnn and head, so its state-dict keys
(embed.weight, rnn.weight_ih_l0, ..., head.bias) are what a seqlab module with children of the
same names expects from loadStateDict.

Training is truncated backpropagation through time: the text is cut into BATCH parallel streams
and each step reads the next SEQ_LEN characters of every stream, starting from the (detached)
state the previous step ended in. So the state carries context across chunks while gradients
stop at the chunk boundary. The last ~10% of the text (cut at a paragraph) is held out to
measure validation loss, which is how we know the model learnt the language and not the text.

The number of epochs is fixed (not "train for 10 minutes") so a re-run reproduces the same
weights; it was chosen by measuring an epoch on this 2-core machine (3.5-7 s on one thread,
depending on what else runs) and from where validation loss stops improving (see EPOCHS).
Same seed and same thread count give the same numbers on the same machine; other CPUs or BLAS
builds may differ in the last bits, which changes nothing below but the exact digits.

Run with Debian's interpreter, which has torch (the `python3` on PATH may not):
    /usr/bin/python3 notebooks/data/train-char-lstm.py [--epochs N]
"""
import argparse
import json
import math
import os
import time
from pathlib import Path

# One thread everywhere, set before torch loads its BLAS: torch.set_num_threads alone left the
# BLAS's own threads running (131% CPU), and two threads contend on this machine (measured: one
# thread is 2-5x faster per step than two).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = Path(__file__).resolve().parent
TEXT = HERE / "pride-and-prejudice.txt"
CHECKPOINT = HERE / "char-lstm.pt"
SUMMARY = HERE / "char-lstm.json"

SEED = 1342  # Project Gutenberg's number for Pride and Prejudice; any fixed value would do.
THREADS = 1
EMBED = 32
HIDDEN = 128
BATCH = 32
SEQ_LEN = 100
LR = 2e-3
LR_MIN = 1e-4
CLIP = 5.0
# A first run of 150 epochs (cosine over 150) had validation loss flat at 1.359 from epoch ~70 while
# training loss kept falling: more epochs only overfit this 270 KB text. 80 epochs with the
# schedule over 80 fit in about 6-10 minutes here.
EPOCHS = 80
VAL_FRACTION = 0.1
VAL_STREAMS = 8

# A held-out passage (from the validation part, so the model never trained on it), ending in a
# line break so the probe also shows what the model expects after a line ends.
PROBE = "No scheme could have been more agreeable to Elizabeth, and her\n"
SAMPLE_PRIMES = ["Elizabeth ", "\"My dear", "Mr. Darcy "]
SAMPLE_LENGTH = 300
SAMPLE_SEED = 7


class CharLSTM(nn.Module):
    def __init__(self, vocab_size: int, embed: int, hidden: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.rnn = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, ids, state=None):
        out, state = self.rnn(self.embed(ids), state)
        return self.head(out), state


def streams(ids: torch.Tensor, n: int):
    """Inputs and next-character targets cut into n contiguous streams of equal length."""
    length = (len(ids) - 1) // n
    x = ids[: n * length].view(n, length)
    y = ids[1 : n * length + 1].view(n, length)
    return x, y


def chunks(x, y):
    for s in range(0, x.shape[1], SEQ_LEN):
        yield x[:, s : s + SEQ_LEN], y[:, s : s + SEQ_LEN]


def detach(state):
    return tuple(t.detach() for t in state)


@torch.no_grad()
def evaluate(model, x, y) -> float:
    """Mean cross-entropy per character (nats), with the state carried through each stream."""
    model.eval()
    state, total, count = None, 0.0, 0
    for cx, cy in chunks(x, y):
        logits, state = model(cx, state)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), cy.reshape(-1), reduction="sum").item()
        count += cy.numel()
    model.train()
    return total / count


@torch.no_grad()
def sample(model, stoi, itos, prime: str, temperature: float, gen: torch.Generator) -> str:
    model.eval()
    ids = torch.tensor([[stoi[c] for c in prime]])
    logits, state = model(ids)
    out = []
    for _ in range(SAMPLE_LENGTH):
        p = F.softmax(logits[0, -1].double() / temperature, dim=-1)
        nxt = torch.multinomial(p, 1, generator=gen).item()
        out.append(itos[nxt])
        logits, state = model(torch.tensor([[nxt]]), state)
    model.train()
    return prime + "".join(out)


def f32(values) -> list:
    """float32 values as the shortest decimals that give them back (Math.fround(JSON.parse(s)))."""
    return [float(repr(np.float32(v))) for v in np.asarray(values, dtype=np.float32).ravel()]


def tensor_json(t: torch.Tensor) -> dict:
    return {"shape": list(t.shape), "data": f32(t.detach().numpy())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="for a quick trial; the committed files use the default")
    args = ap.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)

    text = TEXT.read_text(encoding="utf-8")
    vocab = sorted(set(text))
    stoi = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)

    # Hold out the end of the text, starting at a paragraph so no sentence is split between sets.
    split = text.index("\n\n", int(len(text) * (1 - VAL_FRACTION))) + 2
    assert PROBE in text[split:], "the probe must come from the held-out part"
    x_train, y_train = streams(ids[:split], BATCH)
    x_val, y_val = streams(ids[split:], VAL_STREAMS)

    model = CharLSTM(len(vocab), EMBED, HIDDEN)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs, eta_min=LR_MIN)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"vocabulary {len(vocab)}, train {split} chars, validation {len(text) - split} chars, {n_params} parameters")

    history = []
    val0 = evaluate(model, x_val, y_val)
    print(f"before training: validation {val0:.4f} (ln V = {math.log(len(vocab)):.4f})")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        state, total, count = None, 0.0, 0
        for cx, cy in chunks(x_train, y_train):
            logits, state = model(cx, state)
            state = detach(state)
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), cy.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            opt.step()
            total += loss.item() * cy.numel()
            count += cy.numel()
        lr = opt.param_groups[0]["lr"]
        sched.step()
        val = evaluate(model, x_val, y_val)
        history.append({"epoch": epoch, "train_loss": round(total / count, 5), "val_loss": round(val, 5),
                        "lr": lr, "seconds": round(time.perf_counter() - t0, 2)})
        print(f"epoch {epoch:3d}  train {total / count:.4f}  validation {val:.4f}  lr {lr:.2e}  {time.perf_counter() - t0:.1f} s", flush=True)
    seconds = time.perf_counter() - start
    print(f"trained in {seconds:.0f} s")

    model.eval()
    torch.save(model.state_dict(), CHECKPOINT)

    # PyTorch's reference on the probe, from a zero state, in float32 as the model was trained.
    with torch.no_grad():
        probe_ids = torch.tensor([[stoi[c] for c in PROBE]])
        logits, (h_n, c_n) = model(probe_ids)
        top = logits[0].argmax(-1).tolist()

    gen = torch.Generator().manual_seed(SAMPLE_SEED)
    samples = [{"temperature": temp, "prime": prime, "text": sample(model, stoi, vocab, prime, temp, gen)}
               for temp in (0.5, 1.0) for prime in SAMPLE_PRIMES]
    for s in samples:
        print(f"--- temperature {s['temperature']}\n{s['text']}\n")

    summary = {
        "description": "A character-level LSTM trained in PyTorch on chapters 1-30 of Pride and Prejudice "
                       "(pride-and-prejudice.txt); char-lstm.pt is its state dict (torch.save, zip format).",
        "recorded_with": {"script": "notebooks/data/train-char-lstm.py",
                          "command": "/usr/bin/python3 notebooks/data/train-char-lstm.py",
                          "torch": torch.__version__, "numpy": np.__version__, "threads": THREADS},
        "model": {
            "children": {
                "embed": {"kind": "Embedding", "numEmbeddings": len(vocab), "embeddingDim": EMBED},
                "rnn": {"kind": "LSTM", "inputSize": EMBED, "hiddenSize": HIDDEN, "numLayers": 1, "batchFirst": True},
                "head": {"kind": "Linear", "inFeatures": HIDDEN, "outFeatures": len(vocab)},
            },
            "state_dict_keys": list(model.state_dict().keys()),
            "parameters": n_params,
            "dtype": "float32",
        },
        "vocab": vocab,
        "vocab_note": "vocab[i] is the character with index i (the sorted distinct characters of the text)",
        "hyperparameters": {"seed": SEED, "embed": EMBED, "hidden": HIDDEN, "batch": BATCH, "seq_len": SEQ_LEN,
                            "optimizer": "Adam", "lr": LR, "lr_schedule": f"cosine to {LR_MIN} over the epochs",
                            "clip_grad_norm": CLIP, "epochs": args.epochs,
                            "training": "truncated BPTT: BATCH contiguous streams, state carried (detached) between chunks, reset each epoch",
                            "validation": f"the text from character {split} on (the last ~{VAL_FRACTION:.0%}, from a paragraph), {VAL_STREAMS} streams, state carried"},
        "split": {"train_chars": split, "val_chars": len(text) - split},
        "loss_unit": "mean cross-entropy per character, nats",
        "val_loss_before_training": round(val0, 5),
        "history": history,
        "final": {"train_loss": history[-1]["train_loss"], "val_loss": history[-1]["val_loss"],
                  "val_bits_per_char": round(history[-1]["val_loss"] / math.log(2), 4)},
        "training_seconds": round(seconds, 1),
        "machine": f"{torch.get_num_threads()} threads, CPU",
        "probe": {
            "note": "model(ids) from a zero state in eval mode, float32. logits[0, t] scores the character after "
                    "text[t]. Numbers are the shortest decimals whose Math.fround is PyTorch's float32 value.",
            "text": PROBE,
            "ids": probe_ids[0].tolist(),
            "logits": tensor_json(logits),
            "h_n": tensor_json(h_n),
            "c_n": tensor_json(c_n),
            "argmax_next": "".join(vocab[i] for i in top),
        },
        "samples_note": f"{SAMPLE_LENGTH} characters after each prime, drawn with torch.multinomial from "
                        f"softmax(logits / temperature), torch.Generator seeded {SAMPLE_SEED}",
        "samples": samples,
    }
    SUMMARY.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {CHECKPOINT} ({CHECKPOINT.stat().st_size} bytes) and {SUMMARY} ({SUMMARY.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
