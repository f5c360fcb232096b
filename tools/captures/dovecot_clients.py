#!/usr/bin/env python3
"""Client side of tools/captures/dovecot.sh.

Subcommands:
  write-users FILE HOMEBASE   the Dovecot passwd-file (single source of the test users)
  seed HOME KIND              stored mail for one user's Maildir (written before capturing)
  <scenario> ...              drive the real Dovecot/Postfix with python's own client
                              libraries (poplib, imaplib, smtplib); a few commands that no
                              library offers (POP3 AUTH, IMAP pipelining) go through the
                              library's raw command path or a plain socket, but every
                              reply on the wire comes from the real server.

Run inside the client network namespace by dovecot.sh; nothing here fabricates traffic.
"""
import argparse
import base64
import email.utils
import imaplib
import os
import poplib
import random
import smtplib
import socket
import ssl
import sys
import time

# Test users. uid/gid 65534 (nobody/nogroup): no host account is created.
# carol has a tiny quota (maildir++ "User quota") for the [OVERQUOTA] capture.
USERS = {
    "alice": {"password": "alice-pw-1", "extra": ""},
    "bob": {"password": "bob-pw-2", "extra": ""},
    "carol": {"password": "carol-pw-3", "extra": "userdb_quota_rule=*:storage=16K"},
    "dave": {"password": "dave-pw-4", "extra": ""},
}
UID = GID = 65534
DOMAIN = "mailx.test"
SERVER_NAME = "mail.mailx.test"

# Fixed UIDVALIDITY so UIDs and Dovecot's default POP3 UIDL (%08Xu%08Xv) repeat
# from run to run.
UIDVALIDITY = 1700000000
# Fixed mtime of the stored messages (Maildir INTERNALDATE).
MTIME = 1704103200  # 2024-01-01 10:00:00 UTC


def log(*a):
    print(*a, flush=True)


# --------------------------------------------------------------------------- users/mail

def write_users(path, homebase):
    lines = []
    for name, u in USERS.items():
        # user:password:uid:gid:gecos:home:shell:extra_fields (passwd-file format)
        lines.append("%s:{PLAIN}%s:%d:%d::%s/%s::%s" % (
            name, u["password"], UID, GID, homebase, name, u["extra"]))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o644)


def small_message(n, to):
    body = ("Hello %s,\r\n\r\nthis is stored message %d of the mailx POP3/IMAP samples.\r\n"
            "It was placed in the Maildir before the capture; the traffic comes from a\r\n"
            "real Dovecot.\r\n\r\n-- \r\nmailx\r\n" % (to, n))
    hdr = [
        "Return-Path: <sender@%s>" % DOMAIN,
        "From: Sender <sender@%s>" % DOMAIN,
        "To: %s <%s@%s>" % (to.capitalize(), to, DOMAIN),
        "Subject: mailx sample message %d" % n,
        "Date: %s" % email.utils.formatdate(MTIME - 3600 * n, usegmt=True),
        "Message-ID: <sample-%d@%s>" % (n, DOMAIN),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
    ]
    return ("\r\n".join(hdr) + "\r\n\r\n" + body).encode()


def attachment_message(to):
    """~1.3 MB message: text part + a PDF-looking base64 attachment from a seeded PRNG."""
    rng = random.Random(20240101)
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                    b"3 0 obj\n<< /Length 983040 /Filter /FlateDecode >>\nstream\n")
    pdf += rng.randbytes(960 * 1024)
    pdf += b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    b64 = base64.encodebytes(bytes(pdf)).replace(b"\n", b"\r\n")
    boundary = "mailx-boundary-0001"
    hdr = [
        "Return-Path: <sender@%s>" % DOMAIN,
        "From: Sender <sender@%s>" % DOMAIN,
        "To: %s <%s@%s>" % (to.capitalize(), to, DOMAIN),
        "Subject: mailx sample with a 1 MB PDF attachment",
        "Date: %s" % email.utils.formatdate(MTIME, usegmt=True),
        "Message-ID: <sample-attachment@%s>" % DOMAIN,
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="%s"' % boundary,
    ]
    parts = ("\r\n".join(hdr) + "\r\n\r\nThis is a multi-part message in MIME format.\r\n"
             "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
             "The report is attached.\r\n\r\n"
             "--%s\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
             "Content-Transfer-Encoding: base64\r\n"
             "Content-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n"
             % (boundary, boundary)).encode()
    return parts + b64 + ("\r\n--%s--\r\n" % boundary).encode()


def seed(home, kind):
    """Write a fresh Maildir with fixed file names, mtimes and UIDVALIDITY."""
    user = os.path.basename(home.rstrip("/"))
    md = os.path.join(home, "Maildir")
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, d), exist_ok=True)
    if kind == "small":
        msgs = [small_message(1, user), small_message(2, user), small_message(3, user)]
    elif kind == "attachment":
        msgs = [attachment_message(user), small_message(1, user)]
    elif kind == "empty":
        msgs = []
    else:
        raise SystemExit("unknown seed kind " + kind)
    uidlist = ["3 V%d N%d" % (UIDVALIDITY, len(msgs) + 1)]
    for i, data in enumerate(msgs, 1):
        # Maildir name: <time>.M<usec>P<pid>.<host>,S=<size>; ":2,S" = seen flag.
        # Stored with LF line ends, as a Maildir on Unix does; Dovecot adds CR on the wire.
        data = data.replace(b"\r\n", b"\n")
        base = "%d.M%dP%d.mailx,S=%d" % (MTIME - 100 + i, i, 1000 + i, len(data))
        path = os.path.join(md, "cur", base + ":2,S")
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (MTIME, MTIME))
        uidlist.append("%d :%s" % (i, base))
    with open(os.path.join(md, "dovecot-uidlist"), "w") as f:
        f.write("\n".join(uidlist) + "\n")
    for root, dirs, files in os.walk(home):
        os.chown(root, UID, GID)
        for fn in files:
            os.chown(os.path.join(root, fn), UID, GID)


# --------------------------------------------------------------------------- helpers

def tls_context(args):
    ctx = ssl.create_default_context(cafile=args.cafile)
    if args.keylog:
        # NSS key log format; Wireshark: -o tls.keylog_file:<file>
        ctx.keylog_filename = args.keylog
    return ctx


def pw(user):
    return USERS[user]["password"]


def try_(what, fn, *a, **kw):
    """Run one client call, print the server's answer (or error) and go on."""
    try:
        r = fn(*a, **kw)
        log("  %-28s -> %r" % (what, r if not isinstance(r, tuple) or len(repr(r)) < 300
                               else repr(r)[:300]))
        return r
    except (poplib.error_proto, imaplib.IMAP4.error, smtplib.SMTPException) as e:
        log("  %-28s -> error %r" % (what, e))
        return None


def b64(s):
    return base64.b64encode(s.encode()).decode()


# --------------------------------------------------------------------------- POP3

def pop3_clean(args):
    p = poplib.POP3(args.host, 110, timeout=30)
    log("greeting", p.getwelcome())
    try_("CAPA", p.capa)
    try_("USER", p.user, "alice")
    try_("PASS", p.pass_, pw("alice"))
    try_("STAT", p.stat)
    try_("LIST", p.list)
    try_("UIDL", p.uidl)
    try_("RETR 1", lambda: p.retr(1)[0])
    try_("DELE 1", p.dele, 1)
    try_("QUIT", p.quit)


def pop3_auth_fail(args):
    # Session 1: USER/PASS with a wrong password, then the right one (same session).
    p = poplib.POP3(args.host, 110, timeout=60)
    try_("USER", p.user, "alice")
    try_("PASS wrong", p.pass_, "not-the-password")
    try_("USER", p.user, "alice")
    try_("PASS", p.pass_, pw("alice"))
    try_("STAT", p.stat)
    try_("QUIT", p.quit)
    # Session 2: AUTH PLAIN with initial response (RFC 5034); poplib has no AUTH,
    # so its raw command path is used.
    p = poplib.POP3(args.host, 110, timeout=60)
    try_("CAPA", p.capa)
    try_("AUTH PLAIN wrong", p._shortcmd, "AUTH PLAIN " + b64("\0alice\0wrong-pw"))
    try_("AUTH PLAIN", p._shortcmd, "AUTH PLAIN " + b64("\0alice\0" + pw("alice")))
    try_("QUIT", p.quit)
    # Session 3: AUTH LOGIN (two "+ " continuations), wrong then right.
    p = poplib.POP3(args.host, 110, timeout=60)
    for label, secret in (("wrong", "still-wrong"), ("right", pw("bob"))):
        try_("AUTH LOGIN (%s)" % label, p._shortcmd, "AUTH LOGIN")
        try_("  username", p._shortcmd, b64("bob"))
        try_("  password", p._shortcmd, b64(secret))
    try_("QUIT", p.quit)


def pop3_in_use(args):
    # pop3_lock_session = yes: a second POP3 session on a locked mailbox is refused.
    a = poplib.POP3(args.host, 110, timeout=60)
    try_("A USER", a.user, "alice")
    try_("A PASS", a.pass_, pw("alice"))
    try_("A STAT", a.stat)
    b = poplib.POP3(args.host, 110, timeout=60)
    try_("B USER", b.user, "alice")
    t = time.time()
    try_("B PASS", b.pass_, pw("alice"))
    log("  (B PASS answered after %.1fs)" % (time.time() - t))
    try:
        b.quit()
    except Exception as e:  # server may already have closed
        log("  B QUIT ->", repr(e))
    try_("A QUIT", a.quit)


def pop3_sys_temp(args):
    # dave's Maildir/cur is unreadable for the mail uid (set up by dovecot.sh).
    # pop3-login answers "+OK Logged in." before the pop3 process opens INBOX; that
    # process then fails, sends an unsolicited "-ERR [SYS/TEMP] ..." and hangs up.
    p = poplib.POP3(args.host, 110, timeout=30)
    try_("USER", p.user, "dave")
    try_("PASS", p.pass_, pw("dave"))
    try_("STAT", p.stat)
    try:
        p.quit()
    except Exception as e:
        log("  QUIT ->", repr(e))


def imap_serverbug(args):
    # The same unreadable Maildir over IMAP: LOGIN succeeds, SELECT gets NO [SERVERBUG].
    m = imaplib.IMAP4(args.host, 143, timeout=30)
    try_("LOGIN", m.login, "dave", pw("dave"))
    try_("SELECT INBOX", m.select, "INBOX")
    try_("LOGOUT", m.logout)


def pop3_stls(args):
    p = poplib.POP3(args.host, 110, timeout=30)
    try_("CAPA", p.capa)
    try_("STLS", p.stls, tls_context(args))
    try_("CAPA (in TLS)", p.capa)
    try_("USER", p.user, "alice")
    try_("PASS", p.pass_, pw("alice"))
    try_("STAT", p.stat)
    try_("LIST", p.list)
    try_("RETR 1", lambda: p.retr(1)[0])
    try_("QUIT", p.quit)


def pop3_retr_attachment(args):
    p = poplib.POP3(args.host, 110, timeout=60)
    try_("USER", p.user, "alice")
    try_("PASS", p.pass_, pw("alice"))
    try_("LIST", p.list)
    r = try_("RETR 1", lambda: p.retr(1)[0])
    try_("QUIT", p.quit)
    if not r or not r.startswith(b"+OK"):
        raise SystemExit("RETR failed")


def pop3s_implicit_python(args):
    p = poplib.POP3_SSL(args.host, 995, context=tls_context(args), timeout=30)
    try_("USER", p.user, "alice")
    try_("PASS", p.pass_, pw("alice"))
    try_("STAT", p.stat)
    try_("UIDL", p.uidl)
    try_("QUIT", p.quit)


# --------------------------------------------------------------------------- IMAP

def imap_clean(args):
    # Session 1: imaplib, one command at a time (imaplib never pipelines).
    m = imaplib.IMAP4(args.host, 143, timeout=30)
    log("greeting", m.welcome)
    try_("CAPABILITY", m.capability)
    try_("LOGIN", m.login, "alice", pw("alice"))
    try_("CAPABILITY", m.capability)
    try_("SELECT INBOX", m.select, "INBOX")
    try_("FETCH 1 BODY[]", m.fetch, "1", "(FLAGS BODY[])")
    try_("LOGOUT", m.logout)
    # Session 2: pipelined commands with distinct tags (RFC 3501 5.5), as clients such
    # as Thunderbird do. imaplib cannot, so a plain socket writes them in one segment;
    # the replies are Dovecot's.
    s = socket.create_connection((args.host, 143), timeout=30)
    f = s.makefile("rb")
    log("raw greeting", f.readline())

    def until(tag):
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("connection closed waiting for %s" % tag)
            log("  <", line[:120])
            m_ = line.rstrip(b"\r\n")
            if m_.endswith(b"}") and b"{" in m_:  # literal follows
                n = int(m_[m_.rindex(b"{") + 1:-1])
                f.read(n)
                log("  < (literal of %d octets)" % n)
                continue
            if line.startswith(tag.encode() + b" "):
                return

    s.sendall(b"p1 LOGIN bob \"%s\"\r\n" % pw("bob").encode())
    until("p1")
    s.sendall(b"p2 SELECT INBOX\r\np3 FETCH 1:3 (UID RFC822.SIZE FLAGS)\r\n"
              b"p4 FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT DATE)])\r\np5 NOOP\r\n")
    until("p5")
    s.sendall(b"p6 LOGOUT\r\n")
    until("p6")
    s.close()


def imap_auth_fail(args):
    # Session 1: LOGIN with quoted strings (imaplib always quotes the password).
    m = imaplib.IMAP4(args.host, 143, timeout=60)
    try_("LOGIN wrong", m.login, "alice", "not-the-password")
    try_("LOGIN", m.login, "alice", pw("alice"))
    try_("SELECT INBOX", m.select, "INBOX")
    # COPY to a mailbox that does not exist: NO [TRYCREATE] (RFC 3501 6.4.7).
    try_("COPY 1 Archive", m.copy, "1", "Archive")
    # An unknown command and a syntax error: BAD (fewer than 3, or Dovecot hangs up).
    try_("XMAILXTEST (unknown)", m.xatom, "XMAILXTEST")
    try_("FETCH 1 (NOSUCHITEM)", m.fetch, "1", "(NOSUCHITEM)")
    try_("LOGOUT", m.logout)
    # Session 2: AUTHENTICATE PLAIN without SASL-IR (imaplib waits for "+ ").
    m = imaplib.IMAP4(args.host, 143, timeout=60)
    try_("AUTHENTICATE PLAIN wrong", m.authenticate, "PLAIN",
         lambda _: b"\0alice\0wrong-pw")
    try_("AUTHENTICATE PLAIN", m.authenticate, "PLAIN",
         lambda _: ("\0alice\0" + pw("alice")).encode())
    try_("LOGOUT", m.logout)
    # Session 3: LOGIN with the password as a synchronizing literal {n}.
    m = imaplib.IMAP4(args.host, 143, timeout=60)
    m.literal = b"wrong"  # {5}
    try_("LOGIN literal {5} wrong", m._simple_command, "LOGIN", "bob")
    m.literal = pw("bob").encode()
    try_("LOGIN literal", m._simple_command, "LOGIN", "bob")
    try_("LOGOUT", m.logout)
    # Session 4: CRAM-MD5 (base64 challenge from the server).
    m = imaplib.IMAP4(args.host, 143, timeout=60)
    try_("CRAM-MD5", m.login_cram_md5, "bob", pw("bob"))
    try_("LOGOUT", m.logout)


def imap_overquota(args):
    m = imaplib.IMAP4(args.host, 143, timeout=30)
    try_("LOGIN", m.login, "carol", pw("carol"))
    try_("GETQUOTAROOT INBOX", m.getquotaroot, "INBOX")
    small = small_message(9, "carol")
    try_("APPEND small", m.append, "INBOX", None, None, small)
    big = small + b"X-Padding: " + b"y" * 40000 + b"\r\n"
    try_("APPEND 40 KB", m.append, "INBOX", None, None, big)
    try_("GETQUOTAROOT INBOX", m.getquotaroot, "INBOX")
    try_("LOGOUT", m.logout)


def imap_starttls(args):
    m = imaplib.IMAP4(args.host, 143, timeout=30)
    try_("STARTTLS", m.starttls, tls_context(args))
    try_("LOGIN", m.login, "alice", pw("alice"))
    try_("SELECT INBOX", m.select, "INBOX")
    try_("FETCH 1 BODY[]", m.fetch, "1", "(BODY[])")
    try_("LOGOUT", m.logout)


def imaps_implicit(args):
    m = imaplib.IMAP4_SSL(args.host, 993, ssl_context=tls_context(args), timeout=30)
    try_("LOGIN", m.login, "alice", pw("alice"))
    try_("LIST", m.list)
    try_("SELECT INBOX", m.select, "INBOX")
    try_("FETCH 1:* ENVELOPE", m.fetch, "1:*", "(UID ENVELOPE)")
    try_("LOGOUT", m.logout)


def imap_fetch_attachment(args):
    m = imaplib.IMAP4(args.host, 143, timeout=60)
    try_("LOGIN", m.login, "alice", pw("alice"))
    try_("SELECT INBOX", m.select, "INBOX")
    try_("FETCH 1 BODYSTRUCTURE", m.fetch, "1", "(BODYSTRUCTURE)")
    r = try_("FETCH 1 BODY[]", m.fetch, "1", "(BODY[])")
    try_("LOGOUT", m.logout)
    if not r or r[0] != "OK":
        raise SystemExit("FETCH failed")


def imap_login_burst(args):
    """A password-guessing burst: separate connections, each LOGIN with a different
    wrong password, started 150 ms apart without waiting for the previous answer (as
    guessing tools run parallel tasks), then the right password once all have failed.

    Dovecot delays every failure by auth_failure_delay (2 s) and, per client IP, adds
    an auth penalty to later attempts (2, 4, 8, up to 15 s; not raised when the same
    wrong password repeats). Started together, the guesses see little or no penalty;
    the final correct LOGIN waits for the accumulated one."""
    import threading
    results = {}

    def guess(i):
        t = time.time()
        try:
            m = imaplib.IMAP4(args.host, 143, timeout=120)
            try:
                m.login("alice", "guess-%02d" % i)
                results[i] = "OK?"
            except imaplib.IMAP4.error as e:
                results[i] = repr(e)
            try:
                m.logout()
            except Exception:
                pass
        except OSError as e:
            results[i] = "socket: %r" % e
        results[i] += " after %.1fs" % (time.time() - t)

    threads = []
    for i in range(1, args.count + 1):
        th = threading.Thread(target=guess, args=(i,))
        th.start()
        threads.append(th)
        time.sleep(0.15)
    for th in threads:
        th.join()
    for i in sorted(results):
        log("  LOGIN wrong #%-2d -> %s" % (i, results[i]))
    m = imaplib.IMAP4(args.host, 143, timeout=60)
    t = time.time()
    try_("LOGIN right", m.login, "alice", pw("alice"))
    log("  (answered after %.1fs)" % (time.time() - t))
    try_("LOGOUT", m.logout)


# --------------------------------------------------------------------------- submission

def submission_starttls(args):
    s = smtplib.SMTP(args.host, 587, local_hostname="client.mailx.test", timeout=30)
    try_("EHLO", s.ehlo)
    try_("STARTTLS", s.starttls, context=tls_context(args))
    try_("EHLO", s.ehlo)
    # smtplib prefers CRAM-MD5, then PLAIN, then LOGIN: pin PLAIN explicitly first,
    # with a wrong password, then log in with smtplib's own choice.
    s.user, s.password = "alice", "wrong-pw"
    try_("AUTH PLAIN wrong", s.auth, "PLAIN", s.auth_plain)
    try_("login (auto mech)", s.login, "alice", pw("alice"))
    msg = small_message(7, "bob")
    try_("sendmail", s.sendmail, "alice@" + DOMAIN, ["bob@" + DOMAIN], msg)
    try_("QUIT", s.quit)


SCENARIOS = {
    "pop3-clean": pop3_clean,
    "pop3-auth-fail": pop3_auth_fail,
    "pop3-in-use": pop3_in_use,
    "pop3-stls": pop3_stls,
    "pop3-sys-temp": pop3_sys_temp,
    "imap-serverbug": imap_serverbug,
    "pop3s-implicit": pop3s_implicit_python,
    "pop3-retr-attachment": pop3_retr_attachment,
    "imap-clean": imap_clean,
    "imap-auth-fail": imap_auth_fail,
    "imap-overquota": imap_overquota,
    "imap-starttls": imap_starttls,
    "imaps-implicit": imaps_implicit,
    "imap-fetch-attachment": imap_fetch_attachment,
    "imap-login-burst": imap_login_burst,
    "submission-starttls": submission_starttls,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=sorted(SCENARIOS) + ["write-users", "seed", "password"])
    ap.add_argument("rest", nargs="*")
    ap.add_argument("--host", default="10.77.1.10")
    ap.add_argument("--cafile")
    ap.add_argument("--keylog")
    ap.add_argument("--count", type=int, default=8)
    args = ap.parse_args()
    if args.cmd == "write-users":
        write_users(*args.rest)
    elif args.cmd == "seed":
        seed(*args.rest)
    elif args.cmd == "password":
        sys.stdout.write(pw(args.rest[0]))
    else:
        # imaplib picks a random tag prefix; a fixed seed per scenario keeps the tags
        # the same from run to run.
        random.seed(args.cmd)
        SCENARIOS[args.cmd](args)


if __name__ == "__main__":
    main()
