"""Compiled templates kept on disk, so that a new process does not compile them again.

Jinja2 compiles each template to Python the first time a process loads it:
about a hundred templates, a third of a second in all, paid by every
``broadsheet build`` (before its workers can start), every ``serve`` worker
and every command that renders a page. Jinja2's own ``FileSystemBytecodeCache``
keeps the compiled code, keyed by the template's name and file and checked
against its source, so an edited template is compiled again.

Its key leaves out how the environment compiles: delimiters, whitespace
options, autoescaping, extensions, the filters and tests (whether each takes
the context is decided when compiling), what constant expressions are folded
with (the ``undefined`` class, the policies, the filters themselves), and the
Jinja2 and Broadsheet releases. Those go into the folder's name here: an
environment set up differently, or a new release, uses a folder of its own.
A folder that cannot be written or a file that cannot be read only means
compiling as before.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import jinja2
from jinja2 import Environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from jinja2.utils import _PassArg

import broadsheet


class TemplateCache(FileSystemBytecodeCache):
    """``FileSystemBytecodeCache`` for which a file it cannot read or write is a miss, not an error."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 (cut short, damaged, unreadable: pickle and marshal raise many kinds)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def compile_fingerprint(environment: Environment) -> str:
    """What the compiled code of a template depends on besides its source, as a short hex digest."""

    def name_of(value) -> str:
        if callable(value):
            return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
        return repr(value)

    def passes(functions: dict) -> list[tuple[str, str]]:
        return sorted((name, str(_PassArg.from_obj(function))) for name, function in functions.items())

    parts = (
        jinja2.__version__, sys.version_info[:2], environment.block_start_string, environment.block_end_string,
        environment.variable_start_string, environment.variable_end_string, environment.comment_start_string,
        environment.comment_end_string, environment.line_statement_prefix, environment.line_comment_prefix,
        environment.trim_blocks, environment.lstrip_blocks, environment.newline_sequence,
        environment.keep_trailing_newline, environment.optimized, environment.is_async,
        name_of(environment.autoescape), name_of(environment.finalize), sorted(environment.extensions),
        passes(environment.filters), passes(environment.tests),
        # Folded into the code while compiling: a literal's missing attribute printed by ``undefined``
        # (Django's DebugUndefined when DEBUG is on), filters that read the policies (truncate, tojson, urlize).
        name_of(environment.undefined), sorted((key, name_of(value)) for key, value in environment.policies.items()),
        name_of(type(environment)), name_of(environment.code_generator_class),
        # Filters applied to constants are folded too: a new release may change what ours return.
        broadsheet.__version__,
    )  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def use_template_cache(environment: Environment, folder: Path) -> None:
    """Keep ``environment``'s compiled templates under ``folder`` (in a sub-folder named by its fingerprint)."""
    directory = Path(folder) / f"templates-{compile_fingerprint(environment)}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # (a read-only home: templates are compiled in each process, as without a cache)
    environment.bytecode_cache = TemplateCache(str(directory))
