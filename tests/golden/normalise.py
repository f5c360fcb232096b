#!/usr/bin/env python3
"""Maps the parts of a `tshark -T fields` output that Wireshark itself prints
differently between versions back to how Wireshark 4.0 prints them (the form
of the `expected` files). Only columns whose `-e` field has the named type are
touched; the values stay the same (see tests/golden/run.sh for why).

  FT_BOOLEAN          4.0: 1 / 0          4.4+: True / False
  FT_DOUBLE/FT_FLOAT  4.0, 4.4: %.15g     4.6: shortest round trip (up to 17 digits)

Usage: normalise.py TYPES_FILE ARGS... < output > normalised
TYPES_FILE: "<field>\t<FT_TYPE>" lines (from `tshark -G fields`); ARGS: the
tshark arguments of the case (`-e` fields give the columns, `-E separator=`
and `-E aggregator=` are honoured).
"""
import re
import sys

NUM = re.compile(r'[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?')


def main():
    types = {}
    with open(sys.argv[1], encoding='utf-8') as f:
        for line in f:
            name, _, ft = line.rstrip('\n').partition('\t')
            types[name] = ft
    args = sys.argv[2:]
    fields, sep = [], '\t'
    for prev, a in zip(args, args[1:]):
        if prev == '-e':
            fields.append(a)
        elif prev == '-E' and a.startswith('separator='):
            sep = {'/t': '\t', '/s': ' '}.get(a[10:], a[10:])
    bools = {i for i, f in enumerate(fields) if types.get(f) == 'FT_BOOLEAN'}
    doubles = {i for i, f in enumerate(fields) if types.get(f) in ('FT_DOUBLE', 'FT_FLOAT')}
    for line in sys.stdin:
        line = line.rstrip('\n')
        if bools or doubles:
            cols = line.split(sep)
            for i in range(len(cols)):
                if i in bools:
                    cols[i] = cols[i].replace('True', '1').replace('False', '0')
                elif i in doubles:
                    cols[i] = NUM.sub(lambda m: '%.15g' % float(m.group(0)), cols[i])
            line = sep.join(cols)
        sys.stdout.write(line + '\n')


if __name__ == '__main__':
    main()
