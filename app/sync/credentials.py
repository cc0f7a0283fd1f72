"""Partner credentials and TLS contexts, with errors that say exactly what is wrong."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

from app.errors import ConfigError
from app.settings import PartnerSettings, SyncSettings


def resolve_credential(partner: PartnerSettings) -> str:
    ref = partner.credential_ref
    where = f"partner {partner.id}: credential_ref {ref!r}"
    if not ref:
        raise ConfigError(f"partner {partner.id}: no credential_ref configured")
    scheme, _, value = ref.partition(":")
    if scheme == "env":
        secret = os.environ.get(value, "")
        if not secret:
            raise ConfigError(f"{where}: environment variable {value} is not set")
        return secret
    if scheme == "file":
        try:
            secret = Path(value).expanduser().read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"{where}: cannot read {value} ({error.strerror})") from None
        if not secret:
            raise ConfigError(f"{where}: {value} is empty")
        return secret
    if scheme == "plain" and value:
        return value
    raise ConfigError(f"{where}: use env:NAME, file:PATH or plain:SECRET")


def server_context(sync: SyncSettings) -> ssl.SSLContext | None:
    """TLS for the listening side; None means plain ws (only when allow_plain)."""
    if not sync.certificate:
        if not sync.allow_plain:
            raise ConfigError(
                "sync.listen needs sync.certificate and sync.key for wss://, "
                "or sync.allow_plain = true for plain ws://"
            )
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    _load_chain(context, sync)
    if sync.trust:
        _load_trust(context, sync.trust)
        context.verify_mode = ssl.CERT_REQUIRED  # partners prove who they are too
    return context


def client_context(sync: SyncSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if sync.trust:
        _load_trust(context, sync.trust)
    if sync.certificate:
        _load_chain(context, sync)
    return context


def _load_chain(context: ssl.SSLContext, sync: SyncSettings) -> None:
    try:
        context.load_cert_chain(sync.certificate, sync.key)
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(
            f"sync.certificate {sync.certificate} / sync.key {sync.key}: cannot be loaded ({error})"
        ) from None


def _load_trust(context: ssl.SSLContext, trust: str) -> None:
    try:
        context.load_verify_locations(trust)
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(f"sync.trust {trust}: cannot be loaded ({error})") from None


def describe_tls_error(error: BaseException) -> str:
    """What a person needs to know about a failed TLS handshake."""
    if isinstance(error, ssl.SSLCertVerificationError):
        message = error.verify_message or str(error)
        if "expired" in message:
            return f"certificate expired ({message})"
        if "Hostname mismatch" in message or "IP address mismatch" in message:
            return f"certificate does not match the address ({message})"
        return f"certificate untrusted ({message})"
    return f"TLS failed ({error})"
