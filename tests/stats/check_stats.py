#!/usr/bin/env python3
"""Compares the mailx statistics of one capture with the fields of the same
capture (and, for SMTP in clear, with the independent pcap oracle).

Usage: check_stats.py DIR PCAP
DIR holds what tests/stats/run.sh wrote with tshark:
  replies.csv   -z mailx,replies,csv        auth.csv   -z mailx,auth,csv
  sessions.csv  -z mailx,sessions,csv       sessions.json  -z mailx,sessions,json
  fields.tsv    frame.number, mailx.session, _ws.expert.message (| joined),
                mailx.smtp.data.size, mailx.smtp.command, mailx.smtp.class,
                mailx.smtp.code (, joined), one row per mailx frame
Prints "ok - ..." / "not ok - ..." lines.
"""
import csv
import json
import os
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'tools'))
import pcap_oracle  # noqa: E402


def tree(path):
    """stats_tree CSV -> {"/parent/name": count}"""
    out = {}
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    for r in rows[1:]:
        if len(r) < 4 or not r[0].isdigit():
            continue
        out[(r[1] + '/' + r[2]) if r[1] else '/' + r[2]] = int(r[3])
    return out


def oracle_final_replies(pcap):
    """Final lines of SMTP replies in clear (the oracle's reassembly), or None
    when the session went into TLS (the oracle cannot read on)."""
    n = 0
    for key, st in pcap_oracle.server_streams(pcap, pcap_oracle.SMTP_PORTS).items():
        buf, lines = b'', 0
        for num, chunk in st['chunks']:
            if chunk is None:
                buf = b''
                continue
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                line = line.rstrip(b'\r')
                lines += 1
                if line[3:4] != b'-':
                    n += 1
                if lines > 1 and line.startswith(b'220 '):
                    return None
    return n


def main():
    d, pcap = sys.argv[1], sys.argv[2]
    name = os.path.basename(pcap)
    res = []

    def check(cond, msg):
        res.append(("ok - " if cond else "not ok - ") + name + ": " + msg)

    frames = []
    with open(os.path.join(d, 'fields.tsv')) as f:
        for line in f:
            c = line.rstrip('\n').split('\t')
            c += [''] * (7 - len(c))
            frames.append(c)
    experts = [m for fr in frames for m in fr[2].split('|') if m]
    transient = sum(m.startswith('Transient failure ') for m in experts)
    permanent = sum(m.startswith('Permanent failure ') for m in experts)

    rep = tree(os.path.join(d, 'replies.csv'))
    total = rep.get('/Replies by protocol', 0)
    by_class = {k.rsplit('/', 1)[1]: v for k, v in rep.items() if k.count('/') == 3 and
                k.startswith('/Replies by protocol/SMTP/')}
    check(by_class.get('4xx Transient failure', 0) == transient,
          f"mailx,replies 4xx count {by_class.get('4xx Transient failure', 0)} == mailx.smtp.transient items {transient}")
    check(by_class.get('5xx Permanent failure', 0) == permanent,
          f"mailx,replies 5xx count {by_class.get('5xx Permanent failure', 0)} == mailx.smtp.permanent items {permanent}")
    check(sum(by_class.values()) == total == rep.get('/Replies by server', 0),
          f"mailx,replies classes add up to the total {total}, by protocol and by server")
    code_lines = sum(len([x for x in fr[6].split(',') if x]) for fr in frames)
    check(total <= code_lines, f"mailx,replies counts replies ({total}), at most the mailx.smtp.code lines ({code_lines})")
    o = oracle_final_replies(pcap)
    if o is not None:
        check(total == o, f"mailx,replies total {total} == final reply lines read by the pcap oracle {o}")

    # logins: each deciding reply to AUTH is one login (RFC 4954: 235 / 4xx / 5xx)
    auth = tree(os.path.join(d, 'auth.csv'))
    ok_n = fail_n = 0
    fail_clients = 0
    for fr in frames:
        cmds = [x for x in fr[4].split(',') if x]
        classes = [x for x in fr[5].split(',') if x]
        for cmd, cls in zip(cmds, classes):
            if cmd in ('AUTH', 'AUTH response'):
                ok_n += cls == '2'
                fail_n += cls in ('4', '5')
    got_ok = sum(v for k, v in auth.items() if k.endswith('/SMTP/success'))
    got_fail = sum(v for k, v in auth.items() if k.endswith('/SMTP/failure'))
    check(got_ok == ok_n, f"mailx,auth successes {got_ok} == AUTH replies of class 2 {ok_n}")
    check(got_fail == fail_n, f"mailx,auth failures {got_fail} == AUTH replies of class 4/5 {fail_n}")
    check(auth.get('/Failed logins by client', 0) == fail_n,
          f"failed logins by client add up to {fail_n}")

    # sessions: one row per mailx.session, each row's counts from its frames
    want = defaultdict(lambda: Counter())
    for fr in frames:
        if not fr[1]:
            continue
        s = want[int(fr[1])]
        s['frames'] += 1
        ms = [m for m in fr[2].split('|') if m]
        s['failures'] += sum(m.startswith(('Transient failure ', 'Permanent failure ')) for m in ms)
        s['messages'] += len([x for x in fr[3].split(',') if x])
    with open(os.path.join(d, 'sessions.csv'), newline='') as f:
        rows = list(csv.DictReader(f))
    check(sorted(int(r['session']) for r in rows) == sorted(want),
          f"mailx,sessions has one row per mailx.session value ({len(want)})")
    bad = []
    for r in rows:
        w = want.get(int(r['session']), Counter())
        for k in ('frames', 'failures', 'messages'):
            if int(r[k]) != w[k]:
                bad.append(f"session {r['session']} {k} {r[k]} != {w[k]}")
    check(not bad, "mailx,sessions frames, failures and messages agree with mailx.session, "
          "the failure expert items and mailx.smtp.data.size" + (": " + "; ".join(bad[:5]) if bad else ""))
    with open(os.path.join(d, 'sessions.json')) as f:
        js = json.load(f)
    same = [{k: str(v) if v is not None else '' for k, v in o.items()} for o in js]
    norm = [{k: (f"{float(v):.6f}" if k == 'duration' else v) for k, v in r.items()} for r in rows]
    same = [{k: (f"{float(v):.6f}" if k == 'duration' else v) for k, v in o.items()} for o in same]
    check(same == norm, f"mailx,sessions,json holds the same rows as the CSV ({len(js)})")
    print('\n'.join(res))


if __name__ == '__main__':
    main()
