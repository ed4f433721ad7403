"""Tokens for links without a log-in (survey answering, company self-service): 256 random
bits, stored only as their SHA-256."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
