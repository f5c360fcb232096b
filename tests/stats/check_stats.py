#!/usr/bin/env python3
"""Compares the mailx statistics of one capture with the fields of the same
capture (and, for SMTP in clear, with the independent pcap oracle).

Usage: check_stats.py DIR PCAP
DIR holds what tests/stats/run.sh wrote with tshark:
  replies.csv   -z mailx,replies,csv        auth.csv   -z mailx,auth,csv
  sessions.csv  -z mailx,sessions,csv       sessions.json  -z mailx,sessions,json
  fields.tsv    frame.number, mailx.session, _ws.expert.message (| joined),
                mailx.smtp.data.size, mailx.smtp.command, mailx.smtp.class,
                mailx.smtp.code, mailx.session.proto, mailx.pop.indicator,
                mailx.pop.code, mailx.imap.status, mailx.imap.code,
                mailx.auth.result, mailx.auth.mechanism, mailx.msg.size,
                mailx.session.user, mailx.session.auth, mailx.tls,
                mailx.tls.decrypted (, joined), one row per mailx frame
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


def tree_rows(path):
    """stats_tree CSV -> [(level, parent path, name, count)]: node names may
    hold '/' (USER/PASS, SYS/TEMP), so depth comes from the level column."""
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    return [(int(r[0]), r[1], r[2], int(r[3])) for r in rows[1:] if len(r) >= 4 and r[0].isdigit()]


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
            c += [''] * (19 - len(c))
            frames.append(c)
    experts = [m for fr in frames for m in fr[2].split('|') if m]
    transient = sum(m.startswith('Transient failure ') for m in experts)
    permanent = sum(m.startswith('Permanent failure ') for m in experts)

    def vals(fr, i):
        return [x for x in fr[i].split(',') if x]

    rep = tree(os.path.join(d, 'replies.csv'))
    total = rep.get('/Replies by protocol', 0)
    smtp_total = rep.get('/Replies by protocol/SMTP', 0)
    by_class = {k.rsplit('/', 1)[1]: v for k, v in rep.items() if k.count('/') == 3 and
                k.startswith('/Replies by protocol/SMTP/')}
    check(by_class.get('4xx Transient failure', 0) == transient,
          f"mailx,replies 4xx count {by_class.get('4xx Transient failure', 0)} == mailx.smtp.transient items {transient}")
    check(by_class.get('5xx Permanent failure', 0) == permanent,
          f"mailx,replies 5xx count {by_class.get('5xx Permanent failure', 0)} == mailx.smtp.permanent items {permanent}")
    check(sum(by_class.values()) == smtp_total, f"mailx,replies SMTP classes add up to the SMTP total {smtp_total}")
    code_lines = sum(len(vals(fr, 6)) for fr in frames)
    check(smtp_total <= code_lines,
          f"mailx,replies counts SMTP replies ({smtp_total}), at most the mailx.smtp.code lines ({code_lines})")
    o = oracle_final_replies(pcap)
    if o is not None:
        check(smtp_total == o, f"mailx,replies SMTP total {smtp_total} == final reply lines read by the pcap oracle {o}")
    # POP3: one reply per mailx.pop.indicator, by indicator; codes as mailx.pop.code
    # IMAP: one reply per mailx.imap.status, by status; codes as mailx.imap.code
    for proto, ind_i, code_i, labels in (
            ('POP', 8, 9, {'+OK': '+OK', '-ERR': '-ERR', '+': '+ (SASL challenge)'}),
            ('IMAP', 10, 11, {k: k for k in ('OK', 'NO', 'BAD', 'BYE', 'PREAUTH')})):
        want = Counter(v for fr in frames for v in vals(fr, ind_i))
        got_total = rep.get(f'/Replies by protocol/{proto}', 0)
        check(got_total == sum(want.values()),
              f"mailx,replies {proto} total {got_total} == mailx.{proto.lower()}."
              f"{'indicator' if proto == 'POP' else 'status'} occurrences {sum(want.values())}")
        got = {v: rep.get(f'/Replies by protocol/{proto}/{labels.get(v, v)}', 0) for v in want}
        check(got == dict(want), f"mailx,replies {proto} by indicator/status {got} == the field values {dict(want)}")
        codes = sum(len(vals(fr, code_i)) for fr in frames)
        got_codes = sum(c for lv, par, nm, c in tree_rows(os.path.join(d, 'replies.csv'))
                        if lv == 3 and par.startswith(f'/Replies by protocol/{proto}/') and nm != 'no response code')
        check(got_codes == codes, f"mailx,replies {proto} response codes {got_codes} == mailx.{proto.lower()}.code "
              f"occurrences {codes}")
    by_proto = sum(rep.get(f'/Replies by protocol/{p}', 0) for p in ('SMTP', 'POP', 'IMAP'))
    check(by_proto == total == rep.get('/Replies by server', 0),
          f"mailx,replies SMTP+POP+IMAP add up to the total {total}, by protocol and by server")

    # logins: one per mailx.auth.result, all protocols; leaves are
    # /Logins by server/SERVER/PROTO/MECH/USER/RESULT
    auth = tree(os.path.join(d, 'auth.csv'))
    want = Counter(v for fr in frames for v in vals(fr, 12))
    arows = tree_rows(os.path.join(d, 'auth.csv'))
    got = Counter()
    for lv, par, nm, c in arows:
        if lv == 5 and par.startswith('/Logins by server/'):
            got[nm] += c
    check(got == want, f"mailx,auth results {dict(got)} == mailx.auth.result values {dict(want)}")
    check(auth.get('/Logins by server', 0) == sum(want.values()),
          f"mailx,auth total {auth.get('/Logins by server', 0)} == mailx.auth.result occurrences {sum(want.values())}")
    mechs = Counter()
    for fr in frames:
        res, mech = vals(fr, 12), vals(fr, 13)
        if res and len(res) == len(mech):
            for m in mech:
                mechs[m] += 1
    got_m = Counter()
    for lv, par, nm, c in arows:
        if lv == 3 and par.startswith('/Logins by server/'):
            got_m[nm] += c
    if all(len(vals(fr, 12)) in (0, len(vals(fr, 13))) for fr in frames):
        check(got_m == mechs, f"mailx,auth mechanisms {dict(got_m)} == mailx.auth.mechanism of the deciding frames {dict(mechs)}")
    fail_n = want.get('failure', 0)
    check(auth.get('/Failed logins by client', 0) == fail_n,
          f"failed logins by client add up to the mailx.auth.result == \"failure\" count {fail_n}")

    # sessions: one row per mailx.session, each row's counts from its frames
    want = defaultdict(lambda: Counter())
    for fr in frames:
        if not fr[1]:
            continue
        s = want[int(fr[1])]
        s['frames'] += 1
        ms = [m for m in fr[2].split('|') if m]
        s['failures'] += sum(m.startswith(('Transient failure ', 'Permanent failure ', 'POP3 -ERR',
                                           'IMAP NO', 'IMAP BAD')) for m in ms)
        # SMTP: messages sent (mailx.smtp.data.size); POP3/IMAP: retrieved (mailx.msg.size)
        s['messages'] += len(vals(fr, 3)) if fr[7] == 'smtp' else len(vals(fr, 14))
        # the summary is the same on every frame of the session (-2); mailx.tls.decrypted
        # is only added when true
        s['summary'] = (fr[15], fr[16] or 'none', fr[17], {'1': 'yes', 'True': 'yes'}.get(fr[18], 'no'))
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
        u, a_, t, dec = w.get('summary', ('', 'none', '', ''))
        if (r['user'], r['auth'], r['tls'], r['decrypted'] if t != 'none' else '') != (u, a_, t, dec if t != 'none' else ''):
            bad.append(f"session {r['session']} user/auth/tls/decrypted {r['user']}/{r['auth']}/{r['tls']}/"
                       f"{r['decrypted']} != mailx.session.user/auth, mailx.tls/decrypted {u}/{a_}/{t}/{dec}")
    check(not bad, "mailx,sessions frames, failures, messages, user, auth and TLS agree with mailx.session, "
          "the failure expert items, mailx.smtp.data.size/mailx.msg.size and the session summary"
          + (": " + "; ".join(bad[:5]) if bad else ""))
    srep = sum(int(r['replies']) for r in rows)
    check(srep == total, f"mailx,sessions replies add up to the mailx,replies total ({srep} == {total})")
    with open(os.path.join(d, 'sessions.json')) as f:
        js = json.load(f)
    same = [{k: str(v) if v is not None else '' for k, v in o.items()} for o in js]
    norm = [{k: (f"{float(v):.6f}" if k == 'duration' else v) for k, v in r.items()} for r in rows]
    same = [{k: (f"{float(v):.6f}" if k == 'duration' else v) for k, v in o.items()} for o in same]
    check(same == norm, f"mailx,sessions,json holds the same rows as the CSV ({len(js)})")
    print('\n'.join(res))


if __name__ == '__main__':
    main()
