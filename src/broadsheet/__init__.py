"""Broadsheet: a self-hosted blog publishing engine."""

__version__ = "0.1.0"
