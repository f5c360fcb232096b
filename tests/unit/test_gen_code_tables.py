#!/usr/bin/env python3
"""gen_code_tables.py must refuse malformed tables loudly (exit 1, a message
naming file and line) and must turn any title into a C literal that compiles
back to the same bytes. Run by meson; $MAILX_GEN is the generator,
$MAILX_TABLES the directory of the real TSVs, $CC the C compiler (optional)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.environ.get("MAILX_GEN",
                     os.path.join(HERE, "..", "..", "epan-ext", "tables", "gen_code_tables.py"))
TABLES = os.environ.get("MAILX_TABLES", os.path.join(HERE, "..", "..", "epan-ext", "tables"))
HEADER_DIR = os.path.join(HERE, "..", "..", "epan-ext")    # code_tables.h
FILES = ["rfc3463-enhanced.tsv", "rfc5321-reply.tsv",
         "imap-response-codes.tsv", "pop3-response-codes.tsv"]


def read(name):
    with open(os.path.join(TABLES, name), encoding="utf-8") as f:
        return f.read()


class Generator(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.tables = {name: read(name) for name in FILES}

    def run_gen(self, **replace):
        """Runs the generator on the real tables with some files replaced."""
        paths = []
        for name in FILES:
            p = os.path.join(self.tmp.name, name)
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(replace.get(name.split("-")[0].split(".")[0], self.tables[name]))
            paths.append(p)
        out = os.path.join(self.tmp.name, "code_tables.c")
        r = subprocess.run([sys.executable, GEN, out] + paths,
                           capture_output=True, text=True)
        return r, out

    def assert_refused(self, what, **replace):
        r, out = self.run_gen(**replace)
        self.assertEqual(r.returncode, 1, f"{what}: generator accepted it:\n{r.stderr}")
        self.assertIn("error", r.stderr, what)
        self.assertFalse(os.path.exists(out), f"{what}: left a half-written output")
        return r.stderr

    def test_real_tables_generate(self):
        r, out = self.run_gen()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.getsize(out) > 0)

    def test_wrong_column_count(self):
        err = self.assert_refused("short row", rfc3463=self.tables["rfc3463-enhanced.tsv"] + "detail\tx\n")
        self.assertIn("rfc3463-enhanced.tsv:", err)
        self.assertIn("columns", err)
        t = self.tables["rfc5321-reply.tsv"].rstrip("\n") + "\textra\n"
        self.assert_refused("long row", rfc5321=t)
        t = self.tables["imap-response-codes.tsv"].replace("\n", "\n\n", 1)
        self.assert_refused("blank line inside", imap=t)

    def test_duplicate_keys(self):
        lines = self.tables["rfc3463-enhanced.tsv"].splitlines(keepends=True)
        dup = next(l for l in lines if l.startswith("detail\tX.1.1\t"))
        err = self.assert_refused("duplicate detail", rfc3463="".join(lines) + dup)
        self.assertIn("duplicate", err)
        self.assertIn("X.1.1", err)
        lines = self.tables["rfc5321-reply.tsv"].splitlines(keepends=True)
        self.assert_refused("duplicate basic code", rfc5321="".join(lines) + lines[1])
        # codes are matched case-insensitively, so READ-ONLY and read-only collide
        t = self.tables["imap-response-codes.tsv"]
        row = next(l for l in t.splitlines() if l.startswith("code\tALERT\t"))
        self.assert_refused("duplicate IMAP code in another case",
                            imap=t + row.replace("ALERT", "alert") + "\n")

    def test_bad_numbers(self):
        t = self.tables["rfc3463-enhanced.tsv"]
        self.assert_refused("letter subject", rfc3463=t.replace(
            "detail\tX.1.1\t\t1\t1\t", "detail\tX.1.1\t\tone\t1\t"))
        self.assert_refused("detail over 999", rfc3463=t.replace(
            "detail\tX.1.1\t\t1\t1\t", "detail\tX.1.1000\t\t1\t1000\t"))
        self.assert_refused("signed detail", rfc3463=t.replace(
            "detail\tX.1.1\t\t1\t1\t", "detail\tX.1.+1\t\t1\t+1\t"))
        self.assert_refused("code column disagrees", rfc3463=t.replace(
            "detail\tX.1.1\t\t1\t1\t", "detail\tX.1.2\t\t1\t1\t"))
        self.assert_refused("class 3", rfc3463=t.replace(
            "class\t2.X.X\t2\t", "class\t3.X.X\t3\t"))
        b = self.tables["rfc5321-reply.tsv"]
        self.assert_refused("basic code with a letter", rfc5321=b.replace("\n250\t2\t", "\n25O\t2\t"))
        self.assert_refused("basic code 600", rfc5321=b.replace("\n250\t2\t", "\n650\t6\t"))
        self.assert_refused("class digit disagrees", rfc5321=b.replace("\n250\t2\t", "\n250\t4\t"))

    def test_other_malformed(self):
        t = self.tables["rfc3463-enhanced.tsv"]
        self.assert_refused("unknown kind", rfc3463=t.replace("\ndetail\tX.1.1\t", "\ndetial\tX.1.1\t"))
        self.assert_refused("empty title", rfc3463=t.replace(
            "\tBad destination mailbox address\t", "\t\t"))
        self.assert_refused("missing column", rfc3463=t.replace("\ttitle\t", "\tname\t", 1))
        self.assert_refused("empty file", pop3="")
        i = self.tables["imap-response-codes.tsv"]
        self.assert_refused("code with a space", imap=i.replace("code\tALERT\t", "code\tAL ERT\t"))
        self.assert_refused("empty hint", imap=i.replace("\talert\n", "\t\n"))

    def test_usage(self):
        r = subprocess.run([sys.executable, GEN, "out.c"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("usage", r.stderr)
        r = subprocess.run([sys.executable, GEN, os.path.join(self.tmp.name, "o.c"),
                            "/nonexistent/a.tsv", "b", "c", "d"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/a.tsv", r.stderr)

    def test_escaping_compiles_back(self):
        """Titles with quotes, backslashes, trigraph look-alikes, octal-looking
        digits after non-ASCII and UTF-8 survive the trip through C."""
        cc = os.environ.get("CC") or shutil.which("cc")
        pkg = shutil.which("pkg-config")
        if not cc or not pkg:
            self.skipTest("no C compiler or pkg-config")
        nasty = 'a "q" \\ b ??/ c ??= é7 \u00e912 %s %d'
        t = self.tables["rfc3463-enhanced.tsv"].replace(
            "\tBad destination mailbox address\t", "\t" + nasty + "\t")
        r, out = self.run_gen(rfc3463=t)
        self.assertEqual(r.returncode, 0, r.stderr)
        main_c = os.path.join(self.tmp.name, "main.c")
        with open(main_c, "w") as f:
            f.write('#include <stdio.h>\n#include "code_tables.h"\n'
                    'int main(void) { fputs(mailx_enhanced_detail_title(1, 1), stdout); return 0; }\n')
        flags = subprocess.run([pkg, "--cflags", "--libs", "glib-2.0"], capture_output=True,
                               text=True, check=True).stdout.split()
        exe = os.path.join(self.tmp.name, "main")
        c = subprocess.run([cc, "-std=c11", "-Wall", "-Werror",
                            "-I", HEADER_DIR, out, main_c, "-o", exe] + flags,
                           capture_output=True, text=True)
        self.assertEqual(c.returncode, 0, c.stderr)
        got = subprocess.run([exe], capture_output=True, check=True).stdout
        self.assertEqual(got, nasty.encode("utf-8"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
