#!/usr/bin/env python3
"""Compare what `tshark --export-objects mailx-attachments,DIR` wrote with the
mailx.attach.* fields of the same run.

    check_export.py FIELDS.tsv DIR ROOT [--cap N]

FIELDS.tsv: tshark -T fields -E occurrence=a -E aggregator=| -e frame.number
-e mailx.attach.export_name -e mailx.attach.size -e mailx.attach.sha256
-e _ws.expert.message. ROOT is a directory that holds DIR: nothing may appear in
ROOT except DIR, and DIR holds only regular files directly (no sub-directory,
no link). Prints TAP-style "ok - ..." / "not ok - ..." lines.

Without --cap every attachment must be exported, byte for byte (size and
SHA-256 equal the fields). With --cap N: the exported files are a subset, each
still equal to its fields, their total at most N, and every attachment not
exported carries the mailx.attach.export.dropped expert text.
"""
import hashlib
import os
import sys
import unicodedata

results = []


def check(name, cond, detail=""):
    results.append(cond)
    print(("ok - " if cond else "not ok - ") + name + ("" if cond or not detail else ": " + detail))


def safe_name(n):
    if not n or len(n.encode()) > 255 or n in (".", ".."):
        return False
    if "/" in n or "\\" in n or ".." in n or n[0] in ".- " or n[-1] in ". ":
        return False
    for ch in n:
        cat = unicodedata.category(ch)
        if ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f or cat in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return False
    return True


def main():
    fields, out, root = sys.argv[1], sys.argv[2], sys.argv[3]
    cap = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--cap" else None
    label = os.path.basename(out)
    want = {}          # export name -> (size, sha256)
    dropped_texts = 0
    with open(fields, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            cols += [""] * (5 - len(cols))
            frame, names, sizes, shas, experts = cols[:5]
            if not names:
                continue
            names, sizes, shas = names.split("|"), sizes.split("|"), shas.split("|")
            if not (len(names) == len(sizes) == len(shas)):
                check(f"{label}: frame {frame} has one size and hash per attachment", False,
                      f"{len(names)} names, {len(sizes)} sizes, {len(shas)} hashes")
                continue
            for n, s, h in zip(names, sizes, shas):
                check(f"{label}: export name {n!r} (frame {frame}) is unique", n not in want)
                want[n] = (int(s), h)
            dropped_texts += experts.count("not kept for export")

    entries = sorted(os.listdir(root))
    check(f"{label}: nothing written beside the export directory", entries == [os.path.basename(out)],
          repr(entries))
    got = {}
    if os.path.isdir(out):
        for n in os.listdir(out):
            p = os.path.join(out, n)
            if os.path.islink(p) or not os.path.isfile(p):
                check(f"{label}: {n!r} is a regular file", False)
                continue
            data = open(p, "rb").read()
            got[n] = (len(data), hashlib.sha256(data).hexdigest())
    for n in sorted(got):
        check(f"{label}: file name {n!r} is safe", safe_name(n))

    if cap is None:
        check(f"{label}: the exported files are exactly the attachments ({len(want)})",
              set(got) == set(want),
              f"missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}")
        check(f"{label}: no attachment was dropped from export", dropped_texts == 0)
    else:
        check(f"{label}: exported files are attachments", set(got) <= set(want),
              f"extra {sorted(set(got) - set(want))}")
        total = sum(s for s, _ in got.values())
        check(f"{label}: {total} bytes exported, within the cap of {cap}", total <= cap)
        missing = len(set(want) - set(got))
        check(f"{label}: each of the {missing} attachments left out has an expert item",
              missing == dropped_texts, f"{dropped_texts} expert items")
    for n in sorted(set(got) & set(want)):
        check(f"{label}: {n!r} size {got[n][0]} and SHA-256 equal mailx.attach.size/sha256",
              got[n] == want[n], f"file {got[n]}, fields {want[n]}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
