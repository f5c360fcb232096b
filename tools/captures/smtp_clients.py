#!/usr/bin/python3
"""SMTP clients and fixed test messages for tools/captures/smtp.sh.

Two kinds of sub-commands:

  message NAME            print one of the fixed RFC 5322 messages (CRLF line
                          ends) on stdout, for swaks/curl to send;
  <scenario> [options]    talk to the real Postfix in the capture namespace,
                          either through smtplib or through a raw socket when
                          smtplib cannot do it (PIPELINING batches in one
                          send(), BDAT, broken commands).

Every scenario checks the reply codes Postfix really sent and exits non-zero
when they differ from what the scenario is about, so smtp.sh never keeps a
capture that does not show what its name says.  Nothing here fakes a server
reply: the client only writes commands and reads what Postfix answers.

Messages are deterministic (fixed Date, Message-ID, MIME boundaries and
attachment bytes) so that re-running the script gives the same SMTP payloads;
only Postfix's queue IDs, TCP ports/sequence numbers and times change.

Uses only the Python standard library (Debian's /usr/bin/python3).
"""

import argparse
import base64
import random
import smtplib
import socket
import ssl
import sys
import time

SERVER = "10.77.0.10"
PORT = 25
EHLO_NAME = "client.mailx.test"
TIMEOUT = 20.0
DATE = "Mon, 01 Jan 2024 10:00:00 +0000"


def fail(msg):
    print(f"smtp_clients: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def crlf(text):
    """Normalise a Python string with \n line ends to CRLF bytes."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")


def b64_lines(data, width=76):
    enc = base64.b64encode(data).decode("ascii")
    return "\n".join(enc[i:i + width] for i in range(0, len(enc), width))


# --------------------------------------------------------------------------
# Fixed messages
# --------------------------------------------------------------------------

# A few bytes that start like a PE executable ("MZ" DOS header + DOS stub
# text); not runnable, just enough for magic-number checks.
FAKE_EXE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
            b"\xb8\x00\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x00"
            b"This program cannot be run in DOS mode.\r\r\n$\x00\x00\x00")


def pdf_like(size, seed):
    """Deterministic PDF-looking blob: PDF header/trailer around seeded bytes."""
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

    def head(n):
        return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
                b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                b"3 0 obj\n<< /Length " + str(n).encode() +
                b" /Filter /FlateDecode >>\nstream\n")
    n = size - len(head(size)) - len(tail)   # same digit count as the final n
    body = random.Random(seed).randbytes(n)
    return head(n) + body + tail


def msg_clean():
    return crlf(f"""\
Date: {DATE}
From: Alice Example <alice@client.test>
To: Bob <bob@mailx.test>
Subject: Capture lab: clean delivery
Message-ID: <clean.1@client.mailx.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hello Bob,

this message was delivered by swaks to a private Postfix instance
for the mailx sample captures.

.leading dot line (dot-stuffed on the wire by the client)
-- 
Alice
""")


def msg_simple(tag, to="bob@mailx.test", frm="alice@client.test"):
    return crlf(f"""\
Date: {DATE}
From: <{frm}>
To: <{to}>
Subject: Capture lab: {tag}
Message-ID: <{tag}.1@client.mailx.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Test message for the {tag} capture.
""")


def msg_large_attachment():
    pdf = pdf_like(3 * 1024 * 1024, seed=20240101)
    return crlf(f"""\
Date: {DATE}
From: Alice Example <alice@client.test>
To: Bob <bob@mailx.test>
Subject: Capture lab: 3 MiB PDF attachment
Message-ID: <large-attachment.1@client.mailx.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mailx_large_0001"

This is a multi-part message in MIME format.

--=_mailx_large_0001
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Bob, the quarterly report is attached (3 MiB).

--=_mailx_large_0001
Content-Type: application/pdf; name="quarterly-report.pdf"
Content-Disposition: attachment; filename="quarterly-report.pdf"
Content-Transfer-Encoding: base64

{b64_lines(pdf)}
--=_mailx_large_0001--
""")


def msg_too_large():
    # ~8 kB of base64 text: above the scenario's message_size_limit (4096)
    blob = random.Random(552).randbytes(6000)
    return crlf(f"""\
Date: {DATE}
From: <alice@client.test>
To: <bob@mailx.test>
Subject: Capture lab: too large for message_size_limit
Message-ID: <too-large.1@client.mailx.test>
MIME-Version: 1.0
Content-Type: application/octet-stream; name="blob.bin"
Content-Transfer-Encoding: base64

{b64_lines(blob)}
""")


def msg_spam(n):
    # Header From domain deliberately differs from the envelope sender domain
    # (see spam-like scenario); the same executable travels in both messages.
    if n == 1:
        hdr_from = '"PayPal Billing" <billing@paypal-billing.example>'
        to, subj, mid = "bob@mailx.test", "Overdue invoice #4471", "spam.1"
    else:
        hdr_from = '"Accounts Payable" <ap@trusted-supplier.example>'
        to, subj, mid = "carol@mailx.test", "Re: payment reminder", "spam.2"
    return crlf(f"""\
Date: {DATE}
From: {hdr_from}
Reply-To: <collect@payments-desk.example>
To: <{to}>
Subject: {subj}
Message-ID: <{mid}@bulk.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mailx_spam_000{n}"

--=_mailx_spam_000{n}
Content-Type: text/plain; charset=us-ascii

Please find the invoice attached. Open it today to avoid late fees.

--=_mailx_spam_000{n}
Content-Type: application/pdf; name="invoice.pdf.exe"
Content-Disposition: attachment; filename="invoice.pdf.exe"
Content-Transfer-Encoding: base64

{b64_lines(FAKE_EXE)}
--=_mailx_spam_000{n}--
""")


def msg_rfc2231_nested():
    # Hand-written headers on purpose: the exact RFC 2231 / RFC 2047 forms are
    # the point of this capture and the email package would re-fold them.
    pdf = pdf_like(600, seed=2231)
    xlsx = random.Random(2232).randbytes(300)
    txt_koi = "Отчёт за квартал\n".encode("utf-8")
    inner_txt = "naïve café\n".encode("iso-8859-1")
    inner = f"""\
Date: {DATE}
From: =?ISO-8859-1?Q?Fran=E7ois_Dupr=E9?= <francois@client.test>
To: <bob@mailx.test>
Subject: =?ISO-8859-1?B?UulzdW3pIGRlIGxhIHLpdW5pb24=?=
Message-ID: <rfc2231-inner.1@client.mailx.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mailx_inner_0001"

--=_mailx_inner_0001
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Forwarded original with its own attachment.

--=_mailx_inner_0001
Content-Type: text/plain; charset=iso-8859-1
Content-Disposition: attachment; filename*=iso-8859-1''na%EFve%20caf%E9.txt
Content-Transfer-Encoding: base64

{b64_lines(inner_txt)}
--=_mailx_inner_0001--
"""
    return crlf(f"""\
Date: {DATE}
From: =?UTF-8?Q?Ren=C3=A9e_M=C3=BCller?= <renee@client.test>
To: Bob <bob@mailx.test>
Subject: =?UTF-8?Q?Quarterly_r=C3=A9sum=C3=A9_and_=E2=82=AC_report?=
 =?ISO-8859-1?Q?_=28na=EFve_version=29?=
Message-ID: <rfc2231-nested.1@client.mailx.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mailx_outer_0001"

This is a multi-part message in MIME format.

--=_mailx_outer_0001
Content-Type: multipart/alternative; boundary="=_mailx_alt_0001"

--=_mailx_alt_0001
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

R=C3=A9sum=C3=A9 and report attached.

--=_mailx_alt_0001
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>R=C3=A9sum=C3=A9 and report attached.</p>

--=_mailx_alt_0001--

--=_mailx_outer_0001
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*=UTF-8''R%C3%A9sum%C3%A9%20Fran%C3%A7ois.pdf
Content-Transfer-Encoding: base64

{b64_lines(pdf)}
--=_mailx_outer_0001
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
Content-Disposition: attachment;
 filename*0*=UTF-8''Quarterly%20report%20%E2%82%AC%20;
 filename*1*=2024%20%E2%80%93%20;
 filename*2="final version.xlsx"
Content-Transfer-Encoding: base64

{b64_lines(xlsx)}
--=_mailx_outer_0001
Content-Type: text/plain; charset=utf-8;
 name="=?UTF-8?B?0J7RgtGH0ZHRgi50eHQ=?="
Content-Disposition: attachment;
 filename="=?UTF-8?B?0J7RgtGH0ZHRgi50eHQ=?="
Content-Transfer-Encoding: base64

{b64_lines(txt_koi)}
--=_mailx_outer_0001
Content-Type: message/rfc822
Content-Disposition: attachment; filename="forwarded.eml"

{inner}
--=_mailx_outer_0001--
""")


def msg_hostile_names():
    # Attachment names an attacker chooses, to show that what Export Objects
    # writes stays safe: path traversal (Unix and Windows), a 10,000-character
    # name (RFC 2231 continuations, 64 sections of at most 157 characters so
    # every line stays under RFC 5322's 998), control characters, ESC, CR/LF
    # and "/" (RFC 2231 %-escapes), a right-to-left override hiding ".exe",
    # a Windows device name, a name of only dots, no name at all, and three
    # attachments whose names collide (twice exactly, once by case).
    long_name = "A" * 9996 + ".pdf"
    secs = [long_name[i:i + 157] for i in range(0, len(long_name), 157)]
    assert len(secs) <= 64
    long_param = ";\n".join(f' filename*{i}="{s}"' for i, s in enumerate(secs))
    rlo = base64.b64encode("invoice\u202efdp.exe".encode()).decode()
    parts = [
        ('filename="../../etc/passwd"', b"root:x:0:0:not really:/root:/bin/sh\n"),
        (long_param.lstrip(), b"%PDF-1.4 long name\n"),
        ("filename*=UTF-8''ctl%01%07%1B%5B31m%0D%0Aevil%2F..%2Fx.txt", b"control characters\n"),
        (f'filename="=?UTF-8?B?{rlo}?="', b"MZ right-to-left override\n"),
        ('filename="same-name.txt"', b"first same-name.txt\n"),
        ('filename="same-name.txt"', b"second same-name.txt\n"),
        ('filename="SAME-NAME.TXT"', b"third, differs by case\n"),
        ('filename="..\\\\..\\\\Windows\\\\win.ini"', b"[windows path]\n"),
        ('filename="CON.txt"', b"windows device name\n"),
        ('filename=".."', b"only dots\n"),
        (None, b"no name at all\n"),
    ]
    body = []
    for disp, data in parts:
        cd = "Content-Disposition: attachment" + (";\n " + disp if disp else "")
        body.append(f"""--=_mailx_hostile_0001
Content-Type: application/octet-stream
{cd}
Content-Transfer-Encoding: base64

{b64_lines(data)}
""")
    return crlf(f"""\
Date: {DATE}
From: Mallory <mallory@client.test>
To: Bob <bob@mailx.test>
Subject: hostile attachment names
Message-ID: <hostile-names.1@client.mailx.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mailx_hostile_0001"

--=_mailx_hostile_0001
Content-Type: text/plain; charset=us-ascii

Files attached.

""" + "".join(body) + "--=_mailx_hostile_0001--\n")


MESSAGES = {
    "clean": msg_clean,
    "large-attachment": msg_large_attachment,
    "spam-1": lambda: msg_spam(1),
    "spam-2": lambda: msg_spam(2),
    "unknown-user": lambda: msg_simple("unknown-user", to="nosuchuser@mailx.test"),
}


# --------------------------------------------------------------------------
# Raw socket client
# --------------------------------------------------------------------------

class Raw:
    """Minimal SMTP client: writes exactly the bytes given, parses replies."""

    def __init__(self, server, port=PORT):
        self.sock = socket.create_connection((server, port), timeout=TIMEOUT)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("ascii")
        self.sock.sendall(data)   # one call = one TCP segment for small data

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        """Read one (possibly multi-line) reply: returns (code, [lines])."""
        lines = []
        while True:
            line = self._line()
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    def expect(self, code, what=""):
        got, lines = self.reply()
        print(f"  {what:<28} -> {lines[-1]}")
        if got != code:
            fail(f"{what}: expected {code}, got {lines}")
        return lines

    def cmd(self, line, code):
        self.send(line + "\r\n")
        return self.expect(code, line if len(line) < 40 else line[:37] + "...")

    def wait_close(self):
        """Wait until the server closes (it always does after 221/421/521)."""
        self.sock.settimeout(TIMEOUT)
        rest = self.buf
        while True:
            d = self.sock.recv(65536)
            if not d:
                break
            rest += d
        if rest:
            fail(f"unexpected data before close: {rest!r}")
        self.sock.close()

    def quit(self):
        self.cmd("QUIT", 221)
        self.wait_close()


def ehlo(c, want=()):
    lines = c.cmd(f"EHLO {EHLO_NAME}", 250)
    kw = {l[4:].split()[0].upper() for l in lines[1:]}
    for k in want:
        if k not in kw:
            fail(f"EHLO reply lacks {k}: {lines}")
    return lines


def dot_stuff(msg):
    out = [(b"." + l if l.startswith(b".") else l) for l in msg.split(b"\r\n")]
    return b"\r\n".join(out)


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------

def sc_pipelining_mixed(a):
    """RFC 2920: MAIL + 4 RCPT + DATA written with ONE send()."""
    c = Raw(a.server)
    c.expect(220, "greeting")
    ehlo(c, want=("PIPELINING",))
    batch = ("MAIL FROM:<alice@client.test>\r\n"
             "RCPT TO:<bob@mailx.test>\r\n"
             "RCPT TO:<nosuchuser@mailx.test>\r\n"
             "RCPT TO:<full@mailx.test>\r\n"
             "RCPT TO:<carol@mailx.test>\r\n"
             "DATA\r\n")
    print("  [one send()] MAIL, RCPT x4, DATA")
    c.send(batch)
    for code, what in ((250, "MAIL"), (250, "RCPT bob"),
                       (550, "RCPT nosuchuser"), (452, "RCPT full"),
                       (250, "RCPT carol"), (354, "DATA")):
        c.expect(code, what)
    c.send(dot_stuff(msg_simple("pipelining-mixed")) + b"\r\n.\r\n")
    c.expect(250, "end of data")
    c.quit()


def sc_tempfail(a):
    """450/451/452 (access maps), 454 (relay), 452 4.5.3 (recipient limit),
    421 (connection count limit: greeting) and 421 (access map: mid-session)."""
    c = Raw(a.server)
    c.expect(220, "A: greeting")
    ehlo(c)
    c.cmd("MAIL FROM:<alice@client.test>", 250)
    c.cmd("RCPT TO:<later@mailx.test>", 450)
    c.cmd("RCPT TO:<localerr@mailx.test>", 451)
    c.cmd("RCPT TO:<full@mailx.test>", 452)
    c.cmd("RCPT TO:<someone@elsewhere.example>", 454)
    c.cmd("RCPT TO:<bob@mailx.test>", 250)
    c.cmd("RCPT TO:<carol@mailx.test>", 250)
    c.cmd("RCPT TO:<dave@mailx.test>", 452)     # smtpd_recipient_limit = 2
    # While A is open, a 2nd connection exceeds smtpd_client_connection_count_limit=1
    b = Raw(a.server)
    b.expect(421, "B: greeting")
    b.wait_close()
    c.cmd("DATA", 354)
    c.send(dot_stuff(msg_simple("tempfail")) + b"\r\n.\r\n")
    c.expect(250, "A: end of data")
    c.quit()
    # Let smtpd tell anvil that A is gone before C connects (else C gets the
    # "too many connections" 421 too).
    time.sleep(1.5)
    c = Raw(a.server)
    c.expect(220, "C: greeting")
    ehlo(c)
    c.cmd("MAIL FROM:<shutdown@client.test>", 250)
    # smtpd_delay_reject=yes: the sender access 421 fires at RCPT; then Postfix
    # closes the connection without waiting for QUIT.
    c.cmd("RCPT TO:<bob@mailx.test>", 421)
    c.wait_close()


def sc_too_large(a):
    """552 5.3.4 twice: SIZE= too big at MAIL, and DATA too big at end-of-data."""
    s = smtplib.SMTP(a.server, PORT, local_hostname=EHLO_NAME, timeout=TIMEOUT)
    s.ehlo()
    limit = int(s.esmtp_features["size"])
    code, text = s.mail("alice@client.test", [f"SIZE={limit * 250}"])
    print(f"  MAIL SIZE={limit * 250} -> {code} {text.decode()}")
    if code != 552:
        fail(f"MAIL with SIZE: {code} {text}")
    # Postfix 3.7 quirk: the rejected SIZE= value sticks to the session until
    # RSET, so a retry of MAIL without SIZE= is rejected with 552 again.
    code, text = s.mail("alice@client.test")
    print(f"  MAIL (no SIZE) -> {code} {text.decode()}")
    if code != 552:
        fail(f"MAIL retry without SIZE: expected sticky 552, got {code} {text}")
    code, text = s.rset()
    if code != 250:
        fail(f"RSET: {code}")
    # Same message again without SIZE=: Postfix only finds out while reading it.
    msg = msg_too_large()
    code, text = s.mail("alice@client.test")
    print(f"  MAIL (after RSET) -> {code} {text.decode()}")
    if code != 250:
        fail(f"MAIL: {code}")
    code, text = s.rcpt("bob@mailx.test")
    if code != 250:
        fail(f"RCPT: {code}")
    # smtplib raises only if DATA itself is refused; the end-of-data reply
    # comes back as the return value.
    code, text = s.data(msg)
    print(f"  DATA ({len(msg)} bytes) -> {code} {text.decode()}")
    if code != 552:
        fail(f"end of DATA: expected 552, got {code} {text}")
    s.quit()


def sc_bad_commands(a):
    c = Raw(a.server)
    c.expect(220, "1: greeting")
    c.cmd("MAIL FROM:<alice@client.test>", 503)   # smtpd_helo_required = yes
    c.cmd("FOO bar", 500)                          # unknown command
    c.cmd("HELP", 500)                             # Postfix has no HELP at all
    c.cmd("EHLO", 501)
    c.cmd("", 500)                                 # empty command line
    ehlo(c)
    c.cmd("STARTTLS", 502)                         # TLS off in this scenario
    c.cmd("VRFY bob@mailx.test", 502)              # disable_vrfy_command = yes
    c.cmd("AUTH PLAIN", 503)                       # no SASL configured
    c.cmd("RCPT TO:<bob@mailx.test>", 503)
    c.cmd("DATA", 503)
    c.cmd("MAIL TO:<alice@client.test>", 501)
    c.cmd("MAIL FROM:<alice@client.test", 501)
    c.cmd("MAIL FROM:<alice@client.test> BOGUS=1", 555)
    c.cmd("MAIL FROM:<alice@client.test>", 250)
    c.cmd("MAIL FROM:<alice@client.test>", 503)
    c.cmd("RCPT TO:<bob>", 504)                    # reject_non_fqdn_recipient
    c.cmd("RCPT TO:<a b@mailx.test>", 501)
    c.cmd("ETRN mailx.test", 503)
    c.cmd("RSET", 250)
    c.cmd("ETRN", 500)
    c.cmd("NOOP", 250)
    c.quit()
    # BDAT with an unparsable size: Postfix cannot know how many bytes to skip,
    # so it answers 521 and disconnects.
    c = Raw(a.server)
    c.expect(220, "2: greeting")
    ehlo(c, want=("CHUNKING",))
    c.cmd("BDAT x", 521)
    c.wait_close()
    # An HTTP request to port 25: smtpd_forbidden_commands -> 221 and close.
    c = Raw(a.server)
    c.expect(220, "3: greeting")
    c.cmd("GET / HTTP/1.1", 221)
    c.wait_close()


def bdat_body():
    return msg_simple("bdat", to="bob@mailx.test") + (
        b"Line two of the BDAT body.\r\n"
        b".A leading dot: BDAT data is NOT dot-stuffed (RFC 3030).\r\n"
        b"Line four.\r\n")


def sc_bdat(a):
    """RFC 3030 CHUNKING: chunks that end mid-line, BDAT 0 LAST, a pipelined
    MAIL/RCPT/BDAT LAST batch, and BDAT without a transaction."""
    c = Raw(a.server)
    c.expect(220, "greeting")
    ehlo(c, want=("CHUNKING", "PIPELINING"))
    c.cmd("MAIL FROM:<alice@client.test>", 250)
    c.cmd("RCPT TO:<bob@mailx.test>", 250)
    body = bdat_body()
    cuts = [0, 100, 231, len(body)]           # chunk edges fall inside lines
    for lo, hi in zip(cuts, cuts[1:]):
        c.send(b"BDAT %d\r\n" % (hi - lo) + body[lo:hi])
        c.expect(250, f"BDAT {hi - lo}")
    c.send(b"BDAT 0 LAST\r\n")
    c.expect(250, "BDAT 0 LAST")
    body2 = msg_simple("bdat-pipelined", to="carol@mailx.test")
    print("  [one send()] MAIL, RCPT, BDAT n LAST + data")
    c.send(b"MAIL FROM:<alice@client.test>\r\nRCPT TO:<carol@mailx.test>\r\n"
           + b"BDAT %d LAST\r\n" % len(body2) + body2)
    c.expect(250, "MAIL")
    c.expect(250, "RCPT carol")
    c.expect(250, f"BDAT {len(body2)} LAST")
    # No transaction: Postfix still reads (and drops) the 20 octets, then 503.
    c.send(b"BDAT 20 LAST\r\n" + b"0123456789abcdefghij")
    c.expect(503, "BDAT 20 LAST (no MAIL)")
    c.quit()


def sc_starttls(a):
    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.keylog_filename = a.keylog      # NSS key log format, for Wireshark
    s = smtplib.SMTP(a.server, PORT, local_hostname=EHLO_NAME, timeout=TIMEOUT)
    s.ehlo()
    if not s.has_extn("starttls"):
        fail("no STARTTLS in EHLO")
    code, text = s.starttls(context=ctx)
    print(f"  STARTTLS -> {code} {text.decode()} ({s.sock.version()})")
    s.ehlo()
    refused = s.sendmail("alice@client.test", ["bob@mailx.test"],
                         msg_simple("starttls"))
    if refused:
        fail(f"refused: {refused}")
    s.quit()


def sc_rfc2231_nested(a):
    s = smtplib.SMTP(a.server, PORT, local_hostname=EHLO_NAME, timeout=TIMEOUT)
    refused = s.sendmail("renee@client.test", ["bob@mailx.test"],
                         msg_rfc2231_nested())
    if refused:
        fail(f"refused: {refused}")
    s.quit()


def sc_hostile_names(a):
    s = smtplib.SMTP(a.server, PORT, local_hostname=EHLO_NAME, timeout=TIMEOUT)
    refused = s.sendmail("mallory@client.test", ["bob@mailx.test"], msg_hostile_names())
    if refused:
        fail(f"refused: {refused}")
    s.quit()


SCENARIOS = {
    "hostile-names": sc_hostile_names,
    "pipelining-mixed": sc_pipelining_mixed,
    "tempfail": sc_tempfail,
    "too-large": sc_too_large,
    "bad-commands": sc_bad_commands,
    "bdat": sc_bdat,
    "starttls": sc_starttls,
    "rfc2231-nested": sc_rfc2231_nested,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("message")
    m.add_argument("name", choices=sorted(MESSAGES))
    for name in SCENARIOS:
        p = sub.add_parser(name)
        p.add_argument("--server", default=SERVER)
        if name == "starttls":
            p.add_argument("--cafile", required=True)
            p.add_argument("--keylog", required=True)
    a = ap.parse_args()
    if a.cmd == "message":
        sys.stdout.buffer.write(MESSAGES[a.name]())
        return
    print(f"scenario {a.cmd}:")
    try:
        SCENARIOS[a.cmd](a)
    except (OSError, EOFError, smtplib.SMTPException) as e:
        fail(f"{a.cmd}: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
