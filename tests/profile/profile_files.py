#!/usr/bin/env python3
"""Reads the files of a Wireshark configuration profile the way Wireshark 4.0
reads them and checks their format: UAT tables (dfilter_buttons,
dfilter_macros, io_graphs: quoted fields, \\xNN escapes, # comments),
colorfilters (@name@filter@[r,g,b][r,g,b]) and the custom columns of
preferences (gui.column.format, %Cus:field:occurrence:R|U).

Usage: profile_files.py PROFILE_DIR
Prints one line per display filter found: "file<TAB>label<TAB>filter", and
for each custom column "column<TAB>title<TAB>field". Format errors go to stderr
and make the exit status 1.
"""
import re
import sys

# Wireshark 4.0 ui/qt/io_graph_dialog.cpp: the value strings of the I/O graph table
IOG_STYLES = {"Line", "Impulse", "Bar", "Stacked Bar", "Dot", "Square", "Diamond",
              "Cross", "Circle", "Plus"}
IOG_YAXIS = {"Packets", "Bytes", "Bits", "SUM(Y Field)", "COUNT FRAMES(Y Field)",
             "COUNT FIELDS(Y Field)", "MAX(Y Field)", "MIN(Y Field)", "AVG(Y Field)",
             "LOAD(Y Field)"}
IOG_SMA = {"None", "10 interval SMA", "20 interval SMA", "50 interval SMA",
           "100 interval SMA", "200 interval SMA", "500 interval SMA", "1000 interval SMA"}

errors = []


def err(msg):
    errors.append(msg)


def uat_records(path, ncols):
    """Records of a UAT file: lists of unescaped strings."""
    recs = []
    field = re.compile(r'"((?:[^"\\]|\\.)*)"')
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            vals, pos = [], 0
            while True:
                m = field.match(line, pos)
                if not m:
                    err(f"{path}:{n}: expected a quoted field at column {pos + 1}")
                    break
                raw = m.group(1)
                if '\\' in raw.replace('\\x', ''):
                    err(f"{path}:{n}: only \\xNN escapes are read back by Wireshark")
                vals.append(re.sub(r'\\x([0-9a-fA-F]{2})', lambda x: chr(int(x.group(1), 16)), raw))
                pos = m.end()
                rest = line[pos:].lstrip(' \t')
                if not rest:
                    break
                if rest[0] != ',':
                    err(f"{path}:{n}: expected ',' after field {len(vals)}")
                    break
                pos = len(line) - len(rest) + 1
                while pos < len(line) and line[pos] in ' \t':
                    pos += 1
            if len(vals) != ncols:
                err(f"{path}:{n}: {len(vals)} fields, the 4.0 table has {ncols}")
                continue
            recs.append(vals)
    return recs


def main():
    d = sys.argv[1]
    out = []
    macros = {}
    for name, text in uat_records(f"{d}/dfilter_macros", 2):
        if not re.fullmatch(r'[A-Za-z0-9_]+', name):
            err(f"dfilter_macros: bad macro name {name!r}")
        macros[name] = text
        if '$1' not in text:   # parameterised macros are tested through their users
            out.append(("dfilter_macros", name, "${%s}" % name))
    # 4.4+ read "dmacros" instead: the same macros must be there
    dm = {}
    try:
        with open(f"{d}/dmacros", encoding='utf-8') as f:
            for line in f:
                m = re.fullmatch(r'"([^"]+)" (.*)', line.rstrip('\n'))
                if m:
                    dm[m.group(1)] = m.group(2)
    except FileNotFoundError:
        err("dmacros missing (Wireshark 4.4+ read their macros from it)")
    if dm and dm != macros:
        err("dmacros and dfilter_macros hold different macros")
    for en, label, flt, tip in uat_records(f"{d}/dfilter_buttons", 4):
        if en not in ("TRUE", "FALSE"):
            err(f"dfilter_buttons: {label}: enabled must be TRUE or FALSE")
        if not tip.strip():
            err(f"dfilter_buttons: {label}: no tooltip")
        out.append(("dfilter_buttons", label, flt))
    for rec in uat_records(f"{d}/io_graphs", 9):
        en, gname, flt, color, style, yaxis, yfield, sma, factor = rec
        # what the I/O graph dialog writes (it also reads TRUE/FALSE)
        if en not in ("Enabled", "Disabled"):
            err(f"io_graphs: {gname}: first field must be Enabled or Disabled")
        if not re.fullmatch(r'#[0-9a-fA-F]{6}', color):
            err(f"io_graphs: {gname}: colour {color!r} is not #RRGGBB")
        if style not in IOG_STYLES:
            err(f"io_graphs: {gname}: style {style!r}")
        if yaxis not in IOG_YAXIS:
            err(f"io_graphs: {gname}: y axis {yaxis!r}")
        if ("Y Field" in yaxis) != bool(yfield):
            err(f"io_graphs: {gname}: y field {yfield!r} does not fit y axis {yaxis!r}")
        if sma not in IOG_SMA:
            err(f"io_graphs: {gname}: SMA period {sma!r}")
        if not factor.isdigit() or int(factor) < 1:
            err(f"io_graphs: {gname}: y axis factor {factor!r}")
        out.append(("io_graphs", gname, flt))
        if yfield:
            out.append(("column", "io_graphs y field of " + gname, yfield))
    with open(f"{d}/colorfilters", encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            m = re.fullmatch(r'!?@([^@]+)@([^@]+)@\[(\d+),(\d+),(\d+)\]\[(\d+),(\d+),(\d+)\]', line)
            if not m:
                err(f"colorfilters:{n}: not @name@filter@[r,g,b][r,g,b]")
                continue
            if any(int(v) > 65535 for v in m.groups()[2:]):
                err(f"colorfilters:{n}: colour component above 65535")
            out.append(("colorfilters", m.group(1), m.group(2)))
    with open(f"{d}/preferences", encoding='utf-8') as f:
        text = f.read()
    m = re.search(r'^gui\.column\.format:((?:.*\n)(?:[ \t].*\n)*)', text, re.M)
    if m:
        items = re.findall(r'"([^"]*)"', m.group(1))
        if len(items) % 2:
            err("preferences: gui.column.format has an odd number of strings")
        for title, fmt in zip(items[0::2], items[1::2]):
            if fmt.startswith('%Cus:'):
                parts = fmt[5:].split(':')
                if len(parts) != 3 or not parts[1].lstrip('-').isdigit() or parts[2] not in ('R', 'U'):
                    err(f"preferences: column {title}: {fmt!r} is not %Cus:field:occurrence:R|U")
                    continue
                for fld in parts[0].split('||'):
                    out.append(("column", title, fld.strip()))
    for o in out:
        print("\t".join(o))
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
