#!/usr/bin/env python3
"""Writes notebooks/data/pride-and-prejudice.txt: chapters 1-30 of Jane Austen's *Pride and
Prejudice* (public domain), as Debian's r-cran-janeaustenr package holds it.

Why this source: it is installed from Debian's archive, so the text is reproducible without
downloading anything at run time (janeaustenr's `prideprejudice` is Project Gutenberg's text,
one element per line, with the Gutenberg header and licence already stripped).

Why chapters 1-30 (about 300 KB): small enough to commit and to train on in minutes, large
enough for a character model to learn spelling, punctuation and the names. The cut is at a
chapter heading so the file ends at the end of a chapter. Line breaks are kept as in the
source, so a model can learn where lines end.

Run with any Python 3 and R: `python3 notebooks/data/make-text.py`.
"""
import re
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent / "pride-and-prejudice.txt"
LAST_CHAPTER = 30

# writeLines puts one "\n" after every element, which is how the source is split into lines.
text = subprocess.run(
    ["Rscript", "-e", "library(janeaustenr); writeLines(prideprejudice)"],
    check=True, capture_output=True, encoding="utf-8",
).stdout

cut = re.search(rf"^Chapter {LAST_CHAPTER + 1}$", text, re.M)
assert cut, f"no heading 'Chapter {LAST_CHAPTER + 1}' in the source"
text = text[: cut.start()].rstrip() + "\n"
# The committed file is plain ASCII; a change in the source package should be noticed.
assert text.isascii(), "the source now has non-ASCII characters"
OUT.write_text(text, encoding="utf-8")
print(f"wrote {OUT} ({len(text)} characters, {text.count(chr(10))} lines, {len(set(text))} distinct characters)")
