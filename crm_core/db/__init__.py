"""Persistence: models, engine per dialect, sessions and migrations."""
