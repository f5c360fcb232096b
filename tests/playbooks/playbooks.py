#!/usr/bin/env python3
"""Runs every command of a Markdown document and compares its output with the
output printed under it, so the document cannot go stale.

A command is a line "$ ..." inside a ```console block; the lines after it, up
to the next "$ " line or the end of the block, are its expected output
(trailing blanks ignored). Commands run with bash from the repository top,
where `tshark` is tests/lib/tshark.sh's mailx_tshark (plugin from the build,
throw-away configuration holding the Mail Troubleshooting profile).

Usage: playbooks.py DOC [--update]   (--update rewrites the outputs in DOC)
Needs MAILX_TEST_HOME (mailx_tshark_setup); MAILX_SAMPLE_PCAPS replaces
"sample-pcaps/" in the commands when set.
"""
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def run(cmd):
    pc = os.environ.get('MAILX_SAMPLE_PCAPS')
    if pc:
        cmd = cmd.replace('sample-pcaps/', pc.rstrip('/') + '/')
    script = ('. tests/lib/tshark.sh; tshark() { mailx_tshark "$@"; }\n'
              'set -o pipefail\n' + cmd + '\n')
    p = subprocess.run(['bash', '-c', script], cwd=TOP, capture_output=True, text=True, timeout=300)
    # Wireshark 4.4+ prints a stats_tree's title with its menu separator shown as
    # " / " ("Mail (mailx) / Replies:"), 4.0 as registered ("Mail (mailx)/Replies:");
    # the docs show 4.0's. Only that title prefix is mapped; the tree is compared as is.
    out = [re.sub(r'^Mail \(mailx\) / ', 'Mail (mailx)/', l.rstrip()) for l in p.stdout.splitlines()]
    while out and not out[-1]:
        out.pop()
    return p.returncode, out, p.stderr


def main():
    doc = sys.argv[1]
    update = '--update' in sys.argv[2:]
    lines = open(doc, encoding='utf-8').read().split('\n')
    new, i, passed, failed = [], 0, 0, 0
    while i < len(lines):
        line = lines[i]
        new.append(line)
        i += 1
        if line.strip() != '```console':
            continue
        while i < len(lines) and lines[i].strip() != '```':
            if not lines[i].startswith('$ '):
                new.append(lines[i])
                i += 1
                continue
            cmd_lines = [lines[i][2:]]
            new.append(lines[i])
            i += 1
            while cmd_lines[-1].endswith('\\') and i < len(lines):
                cmd_lines.append(lines[i])
                new.append(lines[i])
                i += 1
            want = []
            while i < len(lines) and not lines[i].startswith('$ ') and lines[i].strip() != '```':
                want.append(lines[i].rstrip())
                i += 1
            while want and not want[-1]:
                want.pop()
            cmd = '\n'.join(cmd_lines)
            # a capture that is not in sample-pcaps yet: say so, run nothing
            pc = os.environ.get('MAILX_SAMPLE_PCAPS', os.path.join(TOP, 'sample-pcaps'))
            missing = [f for f in re.findall(r'sample-pcaps/([\w.+-]+)', cmd)
                       if not os.path.exists(os.path.join(pc, f))]
            if missing:
                print(f"skip - {cmd_lines[0][:110]} (no {', '.join(missing)} yet)")
                new.extend(want)
                continue
            rc, got, err = run(cmd)
            short = cmd_lines[0][:110]
            if rc == 0 and got == want:
                print(f"ok - {short}")
                passed += 1
            else:
                print(f"not ok - {short} (exit {rc})")
                if err.strip():
                    print('    stderr: ' + err.strip().splitlines()[0])
                for a, b in zip(want + [''] * (len(got) - len(want)), got + [''] * (len(want) - len(got))):
                    if a != b:
                        print(f"    docs: {a!r}\n    now:  {b!r}")
                        break
                failed += 1
            new.extend(got if update else want)
        if i < len(lines):
            new.append(lines[i])
            i += 1
    if update:
        open(doc, 'w', encoding='utf-8').write('\n'.join(new))
    print(f"playbooks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
