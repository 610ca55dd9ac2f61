"""Security primitives: password hashing and tokens."""
