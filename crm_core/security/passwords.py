"""Password hashing with Argon2id (memory-hard), via argon2-cffi.

These functions are CPU- and memory-heavy on purpose: call them outside any database transaction, inside a slot
of the hash gate (crm_core.security.limits) when a request pays for them.
"""

from __future__ import annotations

import functools
import secrets
import threading
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_dummies: dict[int, str] = {}
_dummies_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether password matches the stored hash; a missing hash never matches, after the same work as a real check."""
    hasher = _hasher()
    if not stored_hash:
        _check(hasher, _dummy_hash(hasher), password)  # spend the same time, so unknown and wrong look alike
        return False
    return _check(hasher, stored_hash, password)


def _check(hasher: Any, stored_hash: str, password: str) -> bool:
    try:
        return bool(hasher.verify(stored_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_hash(hasher: Any) -> str:
    """A hash of a random password with the hasher's own parameters (made once per hasher)."""
    with _dummies_lock:
        found = _dummies.get(id(hasher))
    if found is None:
        found = hasher.hash(secrets.token_urlsafe(16))
        with _dummies_lock:
            _dummies[id(hasher)] = found
    return found
