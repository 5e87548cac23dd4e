"""Exports of the whole site to other systems' formats (``broadsheet export ...``)."""
