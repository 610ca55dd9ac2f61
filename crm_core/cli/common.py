"""Shared helpers for CLI subcommands: settings, database, container."""

from __future__ import annotations

from crm_core.composition import Container, get_container


def container() -> Container:
    """The process container (settings are read here, so a bad one is reported as one line)."""
    c = get_container()
    _ = c.settings
    return c
