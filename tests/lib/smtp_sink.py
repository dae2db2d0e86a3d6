#!/usr/bin/python3
"""A local SMTP sink for the tests, on Debian's python3-aiosmtpd.

    /usr/bin/python3 tests/lib/smtp_sink.py CERT KEY USER PASSWORD [--no-tls]

Listens on a free loopback port and prints JSON lines: {"event": "listening", "port": N}, then
{"event": "message", "from", "to": [...], "data", "tls": bool, "auth": user} per message taken.
STARTTLS is required before MAIL (unless --no-tls, where it is not offered at all), and so is
AUTH with USER and PASSWORD. A recipient whose address starts with "reject" gets 550.
"""
import asyncio
import json
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def say(**kw):
    print(json.dumps(kw), flush=True)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        say(event="message", **{"from": envelope.mail_from}, to=envelope.rcpt_tos,
            data=envelope.content.decode("utf-8", "replace"),
            tls=session.ssl is not None, auth=session.auth_data if session.authenticated else None)
        return "250 Message accepted"


def main():
    cert, key, user, password = sys.argv[1:5]
    tls = "--no-tls" not in sys.argv
    ctx = None
    if tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        return AuthResult(success=ok, auth_data=user if ok else None)

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
                            require_starttls=tls, authenticator=authenticator,
                            auth_required=True, auth_require_tls=tls)
    controller.start()
    say(event="listening", port=port)
    try:
        sys.stdin.read()  # runs until the test closes stdin
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
