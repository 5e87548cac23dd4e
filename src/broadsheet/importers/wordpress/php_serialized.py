"""PHP's ``serialize()`` format, read strictly and written back, for the few values WordPress keeps in it.

Only plain data is read: arrays (as dicts, in their order), strings, integers, floats,
booleans and null. Objects (``O:``, ``C:``), references (``r:``, ``R:``) and anything else
are refused with :class:`PHPValueRefused`, never instantiated; so are values nested deeper
than ``max_depth``, inputs longer than ``max_bytes``, arrays with more than ``max_items``
elements in all, lengths and counts that the input cannot hold, and trailing bytes.

PHP counts a string's length in bytes. An export's XML parser turns every carriage
return + line feed into a line feed, so a string whose text had CRLF line breaks is then
shorter than its declared length: such a string is read as if each line feed were two
bytes, which is what it was (a repair, not a guess: the end must still land on ``";``).
"""

from __future__ import annotations

import re

MAX_BYTES = 256 * 1024
MAX_DEPTH = 8
MAX_ITEMS = 10_000

_INTEGER = re.compile(rb"-?[0-9]{1,19}")
_FLOAT = re.compile(rb"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|-?INF|NAN")
_LENGTH = re.compile(rb"[0-9]{1,9}")


class PHPValueRefused(ValueError):
    """The text is not a plain serialised PHP value this reader accepts; ``str(error)`` says why."""


def read_php_value(text: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, max_items: int = MAX_ITEMS):
    """Return the plain value serialised in ``text``, or raise :class:`PHPValueRefused`."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        raise PHPValueRefused(f"{len(data)} bytes, more than the {max_bytes} accepted")
    reader = _Reader(data, max_depth, max_items)
    value = reader.value(1)
    if data[reader.position :].strip():
        raise PHPValueRefused(f"unexpected bytes after the value at byte {reader.position}")
    return value


def write_php_value(value) -> str:
    """Return ``value`` (dict, list, str, int, float, bool, None) as PHP's ``serialize()`` writes it."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, (list, tuple)):
        value = dict(enumerate(value))
    if isinstance(value, dict):
        parts = [write_php_value(key if isinstance(key, int) else str(key)) + write_php_value(item) for key, item in value.items()]
        return f"a:{len(parts)}:{{" + "".join(parts) + "}"
    raise TypeError(f"cannot serialise {type(value).__name__}")


class _Reader:
    def __init__(self, data: bytes, max_depth: int, max_items: int):
        self.data, self.position = data, 0
        self.max_depth, self.items_left = max_depth, max_items

    def value(self, depth: int):
        data, start = self.data, self.position
        kind = data[start : start + 2]
        if kind == b"N;":
            self.position = start + 2
            return None
        if kind == b"b:":
            flag = data[start + 2 : start + 4]
            if flag not in (b"0;", b"1;"):
                raise self._refuse("a boolean that is neither 0 nor 1")
            self.position = start + 4
            return flag == b"1;"
        if kind == b"i:":
            self.position = start + 2
            return int(self._token(_INTEGER, "an integer"))
        if kind == b"d:":
            self.position = start + 2
            return float(self._token(_FLOAT, "a float"))
        if kind == b"s:":
            return self._string()
        if kind == b"a:":
            if depth > self.max_depth:
                raise self._refuse(f"arrays nested more than {self.max_depth} deep")
            return self._array(depth)
        if kind[:1] in (b"O", b"C", b"o"):
            raise self._refuse("an object (objects are never read)")
        if kind[:1] in (b"r", b"R"):
            raise self._refuse("a reference")
        if not kind:
            raise self._refuse("the value ends early")
        raise self._refuse(f"an unknown type {kind[:1]!r}")

    def _token(self, pattern: re.Pattern, what: str) -> bytes:
        match = pattern.match(self.data, self.position)
        if match is None or self.data[match.end() : match.end() + 1] != b";":
            raise self._refuse(f"not {what}")
        self.position = match.end() + 1
        return match.group()

    def _length(self) -> int:
        match = _LENGTH.match(self.data, self.position)
        if match is None or self.data[match.end() : match.end() + 1] != b":":
            raise self._refuse("a length that is not a number")
        self.position = match.end() + 1
        return int(match.group())

    def _string(self) -> str:
        self.position += 2
        length = self._length()
        data, start = self.data, self.position + 1
        if data[self.position : start] != b'"':
            raise self._refuse("a string without its opening quote")
        if start + length > len(data) and length > 2 * (len(data) - start):
            raise self._refuse(f"a string of {length} bytes in {len(data) - start} that are left")
        end = start + length
        if data[end : end + 2] != b'";':
            end = _end_with_crlf(data, start, length)
            if end is None:
                raise self._refuse(f"a string whose length {length} does not end at its closing quote")
        try:
            text = data[start:end].decode("utf-8")
        except UnicodeDecodeError as error:
            raise self._refuse("a string whose length cuts a character") from error
        self.position = end + 2
        return text

    def _array(self, depth: int) -> dict:
        self.position += 2
        count = self._length()
        if self.data[self.position : self.position + 1] != b"{":
            raise self._refuse("an array without its opening brace")
        self.position += 1
        if count * 6 > len(self.data) - self.position:  # "i:0;N;" is the shortest pair there is
            raise self._refuse(f"an array of {count} elements in {len(self.data) - self.position} bytes")
        self.items_left -= count
        if self.items_left < 0:
            raise self._refuse("more array elements than accepted")
        result = {}
        for _ in range(count):
            key_kind = self.data[self.position : self.position + 2]
            if key_kind not in (b"i:", b"s:"):
                raise self._refuse("an array key that is neither an integer nor a string")
            key = self.value(depth + 1)
            result[key] = self.value(depth + 1)
        if self.data[self.position : self.position + 1] != b"}":
            raise self._refuse("an array with more elements than its count")
        self.position += 1
        return result

    def _refuse(self, what: str) -> PHPValueRefused:
        return PHPValueRefused(f"{what} at byte {self.position}")


def _end_with_crlf(data: bytes, start: int, length: int) -> int | None:
    """Return where a string declared ``length`` bytes ends if each of its line feeds was CRLF, else None."""
    counted, position, limit = 0, start, len(data)
    while counted < length and position < limit:
        counted += 2 if data[position] == 0x0A else 1
        position += 1
    if counted != length or data[start:position].count(b"\n") == 0 or data[position : position + 2] != b'";':
        return None
    return position
