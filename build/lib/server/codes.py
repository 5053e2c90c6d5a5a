"""Opaque random codes for anything printed or shown as a QR: never a database id.

The alphabet drops look-alikes (0/o, 1/i/l) so a code read aloud or typed from a photo survives.
"""
import secrets

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def random_code(length: int = 12) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
