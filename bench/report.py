#!/usr/bin/env python3
"""Summarise a bench/run.sh result directory as Markdown tables: medians of
wall time, CPU (user+sys) and peak RSS per capture and configuration, their
ratios to the matching floor (mailx disabled, same arguments), frames/s, the
1x -> 4x growth, and callgrind instruction counts.

  report.py RESULT_DIR
"""
import collections
import glob
import os
import re
import statistics
import sys

FLOOR_OF = {
    "mailx.plain": "floor.plain", "mailx.filter": "floor.filter", "mailx.fields": "floor.fields",
    "mailx.2pass": "floor.2pass", "mailx.stats": "floor.stats",
    "transum.plain": "floor.plain", "transum.filter": "floor.filter",
    "lua.plain": "floor.plain", "lua.filter": "floor.filter",
}
ORDER = ["floor.plain", "mailx.plain", "transum.plain", "lua.plain",
         "floor.filter", "mailx.filter", "transum.filter", "lua.filter",
         "floor.fields", "mailx.fields", "floor.2pass", "mailx.2pass", "floor.stats", "mailx.stats"]
WHAT = {
    "floor.plain": "tshark -r (summary lines), mailx disabled",
    "mailx.plain": "tshark -r, mailx enabled",
    "transum.plain": "tshark -r, TRANSUM enabled (mailx disabled)",
    "lua.plain": "tshark -r, Lua comparator (mailx disabled)",
    "floor.filter": "-Y FILTER, mailx disabled",
    "mailx.filter": "-Y FILTER, mailx enabled",
    "transum.filter": "-Y FILTER, TRANSUM enabled (mailx disabled)",
    "lua.filter": "-Y 'luasmtp.class == 4', Lua comparator (mailx disabled)",
    "floor.fields": "-T fields -e <every mailx field>, mailx disabled",
    "mailx.fields": "-T fields -e <every mailx field>, mailx enabled",
    "floor.2pass": "-2 -Y FILTER, mailx disabled",
    "mailx.2pass": "-2 -Y FILTER, mailx enabled",
    "floor.stats": "-q -z <every mailx statistic>, mailx disabled",
    "mailx.stats": "-q -z <every mailx statistic>, mailx enabled",
}


def parse_time(path):
    d = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("User time (seconds):"):
                d["user"] = float(line.split(":")[1])
            elif line.startswith("System time (seconds):"):
                d["sys"] = float(line.split(":")[1])
            elif line.startswith("Maximum resident set size"):
                d["rss"] = int(line.split(":")[1]) / 1024.0
            elif line.startswith("Elapsed (wall clock)"):
                v = line.rsplit(" ", 1)[1].split(":")
                d["wall"] = sum(float(x) * 60 ** i for i, x in enumerate(reversed(v)))
            elif line.startswith("Exit status:"):
                d["exit"] = int(line.split(":")[1])
    if os.path.exists(path + ".lines"):
        with open(path + ".lines") as f:
            d["lines"] = int(f.read().split()[-1])
    d["cpu"] = d.get("user", 0) + d.get("sys", 0)
    return d


def read_info(res, cap):
    info = {}
    p = os.path.join(res, cap + ".info")
    if os.path.exists(p):
        with open(p) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                info[k] = v
    return info


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def cap_size(cap):
    m = re.search(r"-(\d+)mb$", cap)
    return int(m.group(1)) if m else 0


def main():
    res = sys.argv[1]
    runs = collections.defaultdict(list)
    for p in glob.glob(os.path.join(res, "time", "*")):
        if p.endswith((".err", ".lines")):
            continue
        # file names are CONFIG.CAPTURE.REP with CONFIG itself holding one dot
        parts = os.path.basename(p).split(".")
        name, cap = ".".join(parts[:2]), ".".join(parts[2:-1])
        d = parse_time(p)
        if "wall" not in d:          # still running, or killed
            continue
        if d.get("exit", 0) != 0:
            d["failed"] = True
        runs[(cap, name)].append(d)

    print("# mailx benchmark results\n")
    env = os.path.join(res, "env.txt")
    if os.path.exists(env):
        print("```")
        print(open(env).read().rstrip())
        print("```\n")

    caps = sorted({c for c, _n in runs}, key=lambda c: (not c.startswith("mail"), cap_size(c)))
    for cap in caps:
        info = read_info(res, cap)
        frames = int(info.get("frames", 0)) or None
        print("## %s: %s MB, %s frames, %s sessions (%s mail)\n" % (
            cap, round(int(info.get("bytes", 0)) / 1048576) if info else "?", info.get("frames", "?"),
            info.get("sessions", "?"), info.get("mail_sessions", "?")))
        print("| run | wall s | CPU s | peak RSS MB | CPU ratio | RSS ratio | wall ratio | "
              "added CPU ns/frame | frames/s | output lines | n |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in ORDER:
            rs = runs.get((cap, name))
            if not rs:
                continue
            fl = runs.get((cap, FLOOR_OF.get(name, name)))
            w, c, r = med(rs, "wall"), med(rs, "cpu"), med(rs, "rss")
            if fl and name in FLOOR_OF:
                fw, fc, fr = med(fl, "wall"), med(fl, "cpu"), med(fl, "rss")
                ratios = "%.3f | %.3f | %.3f" % (c / fc, r / fr, w / fw)
                added = "%.0f" % ((c - fc) / frames * 1e9) if frames else "?"
            else:
                ratios, added = "1 | 1 | 1", "-"
            fps = "%.0f" % (frames / w) if frames else "?"
            lines = rs[0].get("lines", "?")
            bad = " (FAILED)" if any(x.get("failed") for x in rs) else ""
            print("| %s%s | %.2f | %.2f | %.0f | %s | %s | %s | %s | %d |" % (
                name, bad, w, c, r, ratios, added, fps, lines, len(rs)))
        print()

    # growth from 1x to 4x: same configuration on the smallest and largest mail capture
    mails = [c for c in caps if c.startswith("mail-")]
    if len(mails) >= 2:
        small, big = mails[0], mails[-1]
        fs = int(read_info(res, small).get("frames", 0)) or 1
        fb = int(read_info(res, big).get("frames", 0)) or 1
        print("## Growth %s -> %s (frames x%.2f)\n" % (small, big, fb / fs))
        print("| run | CPU s 1x | CPU s 4x | CPU x | CPU us/frame 1x | CPU us/frame 4x | "
              "RSS MB 1x | RSS MB 4x | RSS x |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in ORDER:
            a, b = runs.get((small, name)), runs.get((big, name))
            if not a or not b:
                continue
            ca, cb, ra, rb = med(a, "cpu"), med(b, "cpu"), med(a, "rss"), med(b, "rss")
            print("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.2f |" % (
                name, ca, cb, cb / ca, ca / fs * 1e6, cb / fb * 1e6, ra, rb, rb / ra))
        print()

    # callgrind: instructions (Ir), deterministic; NAME.CAP.startup: a floor
    # on the capture's first frame alone (tshark's start-up and one frame)
    cg = collections.defaultdict(dict)
    startup = collections.defaultdict(dict)
    for p in glob.glob(os.path.join(res, "cg", "*.out")) + glob.glob(os.path.join(res, "cg", "*.startup")):
        base = os.path.basename(p)
        is_startup = base.endswith(".startup")
        parts = base.rsplit(".", 1)[0].split(".")
        name, cap = ".".join(parts[:2]), ".".join(parts[2:])
        ir = None
        with open(p) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    ir = int(line.split()[1])
        if ir:
            (startup if is_startup else cg)[cap][name] = ir
    for cap in sorted(cg):
        info = read_info(res, cap)
        frames = int(info.get("frames", 0)) or None
        print("## callgrind instructions, %s (%s frames)\n" % (cap, info.get("frames", "?")))
        print("Without start-up: each count less its floor's on the first frame alone "
              "(tshark registering every dissector; mailx adds ~0.15 M to it), over the other frames; "
              "this ratio is the one to hold against CPU-time ratios of large captures.\n")
        print("| run | instructions (M) | ratio to floor | added instructions/frame "
              "| floor's start-up (M) | ratio without start-up |")
        print("|---|---:|---:|---:|---:|---:|")
        for name in ORDER:
            if name not in cg[cap]:
                continue
            ir = cg[cap][name]
            floor_name = FLOOR_OF.get(name, name)
            fl = cg[cap].get(floor_name)
            su = startup[cap].get(floor_name)
            su_txt = "%.1f" % (su / 1e6) if su else "-"
            if fl and name in FLOOR_OF:
                no_su = "%.4f" % ((ir - su) / (fl - su)) if su and fl > su else "-"
                print("| %s | %.1f | %.4f | %s | %s | %s |" % (
                    name, ir / 1e6, ir / fl, "%.0f" % ((ir - fl) / frames) if frames else "?", su_txt, no_su))
            else:
                print("| %s | %.1f | 1 | - | %s | 1 |" % (name, ir / 1e6, su_txt))
        print()

    print("Runs: " + "; ".join("%s = %s" % (n, WHAT[n]) for n in ORDER if any(k[1] == n for k in runs)))


if __name__ == "__main__":
    main()
