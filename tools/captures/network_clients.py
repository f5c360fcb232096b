#!/usr/bin/env python3
"""Clients for tools/captures/network.sh (run inside the client namespace).

  network_clients.py burst HOST N           N parallel SMTP sessions whose RCPT gets 4xx
  network_clients.py storm HOST NPOP NIMAP  NPOP POP3 + NIMAP IMAP logins held open together
  network_clients.py connect HOST PORT SECS one TCP connect with a timeout (refused / no answer)
"""
import imaplib
import poplib
import smtplib
import socket
import sys
import threading
import time


def burst(host, n):
    # Two senders the server's access map answers with 450 and 421 (see network.sh).
    results = []

    def one(i):
        sender = 'busy@client.test' if i % 2 else 'shutdown@client.test'
        try:
            s = smtplib.SMTP(host, 25, local_hostname='client.mailx.test', timeout=20)
            s.ehlo('client.mailx.test')
            s.mail(sender)
            code, _ = s.rcpt('bob@mailx.test')
            results.append(code)
            try:
                s.quit()
            except (smtplib.SMTPServerDisconnected, OSError):
                pass
        except smtplib.SMTPServerDisconnected:
            results.append(421)
        time.sleep(0)

    threads = []
    for i in range(n):
        t = threading.Thread(target=one, args=(i,))
        t.start()
        threads.append(t)
        time.sleep(0.05)        # ~20 sessions per second
    for t in threads:
        t.join()
    bad = [c for c in results if c not in (421, 450)]
    if len(results) != n or bad:
        sys.exit('burst: expected %d 4xx replies, got %r' % (n, results))
    print('burst: %d sessions, replies %s' % (n, sorted(set(results))))


def storm(host, npop, nimap):
    barrier = threading.Barrier(npop + nimap)
    errors = []

    def pop(i):
        try:
            p = poplib.POP3(host, 110, timeout=30)
            barrier.wait(timeout=30)
            p.user('storm%d' % (i % 10))
            p.pass_('stormpw')
            p.stat()
            time.sleep(1.0)     # held open: all logins overlap
            p.quit()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append('pop %d: %r' % (i, e))

    def imap(i):
        try:
            m = imaplib.IMAP4(host, 143, timeout=30)
            barrier.wait(timeout=30)
            m.login('storm%d' % (i % 10), 'stormpw')
            m.select('INBOX')
            time.sleep(1.0)
            m.logout()
        except Exception as e:  # noqa: BLE001
            errors.append('imap %d: %r' % (i, e))

    threads = [threading.Thread(target=pop, args=(i,)) for i in range(npop)]
    threads += [threading.Thread(target=imap, args=(i,)) for i in range(nimap)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit('storm: %d failures, first: %s' % (len(errors), errors[0]))
    print('storm: %d POP3 + %d IMAP logins' % (npop, nimap))


def connect(host, port, secs):
    s = socket.socket()
    s.settimeout(float(secs))
    try:
        s.connect((host, int(port)))
        print('connect %s:%s: established' % (host, port))
    except ConnectionRefusedError:
        print('connect %s:%s: refused' % (host, port))
    except (socket.timeout, TimeoutError):
        print('connect %s:%s: no answer' % (host, port))
    finally:
        s.close()


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'burst':
        burst(sys.argv[2], int(sys.argv[3]))
    elif cmd == 'storm':
        storm(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == 'connect':
        connect(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
