"""The SMTP test server's TLS guard: a self-signed certificate is trusted only through an explicit CA file."""

from __future__ import annotations

import ssl
from pathlib import Path

from deliver_support import self_signed_certificate, server_tls_context, smtp_server


def test_self_signed_certificate_is_rejected_without_explicit_trust(tmp_path: Path) -> None:
    # Guards the STARTTLS tests: trust must come from the CA file, not from a lax default.
    cert, key = self_signed_certificate(tmp_path)
    with smtp_server(tls=server_tls_context(cert, key), implicit_tls=True) as server:
        import smtplib

        try:
            smtplib.SMTP_SSL(server.host, server.port, timeout=10, context=ssl.create_default_context()).quit()
        except ssl.SSLCertVerificationError:
            pass
        else:
            raise AssertionError("a self-signed certificate was accepted by the default trust store")
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=10,
                                  context=ssl.create_default_context(cafile=str(cert)))
        assert client.noop()[0] == 250
        client.quit()
