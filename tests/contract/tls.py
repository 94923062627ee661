"""A private certificate authority for tests of ``CONTRACT_CA_BUNDLE`` (made with openssl)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["make_private_ca"]


def make_private_ca(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate for 127.0.0.1, server key), written into ``folder``."""
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl is needed to make a private CA for this test")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    # The extensions a real CA writes: Python 3.13 verifies strictly (VERIFY_X509_STRICT) and
    # refuses a certificate without an authority key identifier, or a CA without key usage.
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=contract test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text(
        "subjectAltName=IP:127.0.0.1\n"
        "authorityKeyIdentifier=keyid,issuer\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
    )
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "san.ext")  # fmt: skip
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"
