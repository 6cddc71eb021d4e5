"""The data format between the grader and the sandboxed worker.

Only plain data crosses: None, bool, int, float, complex, str, bytes, NumPy numeric and
bool arrays and scalars, and lists, tuples and str-keyed dicts of those. Anything else the
worker keeps and sends as a `Handle`. A payload is a JSON tree (tagged objects for what JSON
lacks) followed by the raw bytes of the arrays, so reading one never imports, looks up or
calls anything named by the data, unlike pickle. A frame is the payload behind a magic and a
length, so a reader knows how much to read and can refuse a frame over `MAX_FRAME` first.

Tags (a JSON object with exactly one key): {"L": [...]} list, {"T": [...]} tuple,
{"D": [[key, value], ...]} dict, {"A": [dtype, shape, offset]} ndarray,
{"S": [dtype, offset]} NumPy scalar, {"C": [re, im]} complex, {"B": [offset, size]} bytes,
{"H": [id, type name]} handle, {"R": index} the caller's own argument (see `decode`).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MAGIC = b"C2NW"
HEADER = struct.Struct(">4sQ")  # magic, payload size
MAX_FRAME = 256 << 20  # bytes; larger frames are refused before they are read
MAX_TREE = 32 << 20  # bytes of JSON: structure and scalars (arrays travel as raw bytes)
MAX_DEPTH = 100  # nesting of containers, to keep decoding iterative-enough and bounded

# The only dtypes that cross, by their little-endian name: numeric and bool, nothing that
# holds Python objects, pointers or structure.
_DTYPES = {
    np.dtype(t).newbyteorder("<").str: np.dtype(t).newbyteorder("<")
    for t in (
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
        np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128,
    )
}
_SCALARS = frozenset(dtype.type for dtype in _DTYPES.values())
_LENGTH = struct.Struct(">I")  # size of the JSON part inside a payload


class WireError(ValueError):
    """A value cannot be encoded, or bytes are not a valid payload or frame."""


class StaleHandle(WireError):
    """A Handle from a worker that has since been replaced was passed back."""


@dataclass(frozen=True)
class Handle:
    """A reference to an object that stays in the worker (it is not plain data).

    Passing a Handle back as an argument hands the worker its own object again, so
    `out, cache = f_forward(x)` then `f_backward(dout, cache)` works whatever `cache` holds.
    `session` tells the worker process it belongs to (a restarted worker has new objects).
    """

    id: int
    type_name: str = "object"
    session: int = 0

    def __repr__(self) -> str:
        return f"<Handle #{self.id}: a {self.type_name!s} kept in the sandbox>"


_KNOWN: dict[np.dtype, np.dtype] = {}  # dtype -> its wire dtype, for the plain dtypes seen (a few dozen)


def _wire_dtype(dtype: np.dtype) -> np.dtype | None:
    """The little-endian wire dtype for `dtype`, or None when it may not cross."""
    known = _KNOWN.get(dtype)
    if known is not None:
        return known
    if dtype.fields is not None or dtype.subdtype is not None:
        return None
    wire_dtype = _DTYPES.get(dtype.newbyteorder("<").str)
    if wire_dtype is not None:
        _KNOWN[dtype] = wire_dtype
    return wire_dtype


_AS_IS = frozenset({type(None), bool, str, float})
_BIG_INT = 1 << 4000  # larger ints stay in the worker: their text would be slow to parse
_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)  # the tree is built fresh, acyclic


def encode(
    obj: object,
    *,
    opaque: Callable[[object], Handle] | None = None,
    refs: dict[int, int] | None = None,
    session: int | None = None,
) -> bytes:
    """Encode `obj` as a payload (bytes, without the frame header).

    opaque: called with each leaf that is not plain data and returns the Handle to send in
        its place (the worker keeps such objects); without it such a leaf is a WireError.
    refs: id(object) -> index; these objects are sent as {"R": index} (the worker refers to
        the caller's own arguments this way, so in-place updates keep their identity).
    session: when given, a Handle of another session is a StaleHandle error.
    Exact types only: a subclass of a container is read through its base class, a subclass
    of a scalar or of ndarray is opaque, except NumPy's own `np.matrix`, sent as its plain array.
    """
    buffers: list[memoryview] = []
    offset = 0
    active: set[int] = set()

    def too_large(size: int) -> str:
        return f"the data is too large to send ({size / 2**20:.0f} MiB, more than {MAX_FRAME >> 20} MiB)"

    def add_buffer(data: memoryview) -> int:
        nonlocal offset
        start = offset
        buffers.append(data)
        offset += data.nbytes
        return start

    def opaque_leaf(value: object) -> object:
        if opaque is None:
            raise WireError(
                f"a value of type {type(value).__name__} is not plain data and cannot be sent to the "
                "worker; pass arrays, numbers, strings, lists, tuples or str-keyed dicts"
            )
        handle = opaque(value)
        return {"H": [handle.id, handle.type_name]}

    def array(value: np.ndarray) -> object:
        nonlocal offset
        dtype = _wire_dtype(value.dtype)
        if dtype is None:
            return opaque_leaf(value)
        start, nbytes = offset, value.size * dtype.itemsize
        offset += nbytes
        if offset > MAX_FRAME:  # refuse before copying it
            raise WireError(too_large(offset))
        if nbytes:
            buffers.append(memoryview(np.ascontiguousarray(value, dtype=dtype)).cast("B"))
        return {"A": [dtype.str, list(value.shape), start]}

    def container(value: list | tuple | dict, kind: type, depth: int) -> object:
        if depth >= MAX_DEPTH or id(value) in active:
            return opaque_leaf(value)  # too deep or a cycle: keep it in the worker
        depth += 1
        if issubclass(kind, dict):
            for key in dict.keys(value):
                if type(key) is not str:
                    return opaque_leaf(value)
            active.add(id(value))
            node = {"D": [[k, v if type(v) in _AS_IS else enc(v, depth)] for k, v in dict.items(value)]}
        else:
            tag, base = ("L", list) if issubclass(kind, list) else ("T", tuple)
            active.add(id(value))
            node = {tag: [v if type(v) in _AS_IS else enc(v, depth) for v in base.__iter__(value)]}
        active.discard(id(value))  # (an error ends the whole encoding: no need to discard then)
        return node

    def enc(value: object, depth: int) -> object:
        if refs is not None and id(value) in refs:
            return {"R": refs[id(value)]}
        kind = type(value)
        if kind in _AS_IS:
            return value
        if kind is int:
            return value if -_BIG_INT <= value <= _BIG_INT else opaque_leaf(value)
        if kind is np.ndarray:
            return array(value)
        if kind is dict or kind is list or kind is tuple:
            return container(value, kind, depth)
        if kind in _SCALARS:
            dtype = _wire_dtype(value.dtype)
            data = np.asarray(value, dtype=dtype).reshape(1)
            return {"S": [dtype.str, add_buffer(memoryview(data).cast("B"))]}
        if kind is complex:
            return {"C": [value.real, value.imag]}
        if kind is bytes:
            return {"B": [add_buffer(memoryview(value).cast("B")), len(value)]}
        if kind is Handle:
            if session is not None and value.session != session:
                raise StaleHandle(
                    f"{value!r} belonged to a worker that was restarted since; "
                    "call the function that made it again"
                )
            return {"H": [value.id, value.type_name]}
        if kind is np.matrix:  # NumPy's own subclass (np.asmatrix, np.dot of matrices): its plain array
            return array(np.asarray(value))
        if issubclass(kind, (list, tuple, dict)):
            return container(value, kind, depth)
        return opaque_leaf(value)

    try:
        tree = _JSON.encode(enc(obj, 0)).encode("utf-8")
    except (RecursionError, ValueError, TypeError) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"the value cannot be encoded: {type(exc).__name__}: {exc}") from None
    if len(tree) > MAX_TREE:
        raise WireError(
            f"the data holds too many Python numbers or strings ({len(tree) >> 20} MiB as text); "
            "return NumPy arrays instead of long lists"
        )
    size = _LENGTH.size + len(tree) + offset
    if size > MAX_FRAME:
        raise WireError(too_large(size))
    return b"".join([_LENGTH.pack(len(tree)), tree, *buffers])


_NATIVE = {name: dtype.newbyteorder("=") for name, dtype in _DTYPES.items()}  # what decoded arrays hold
_JSON_SCALARS = frozenset({type(None), bool, int, float, str})  # what JSON gives besides lists and objects
_JSON_TREE = json.JSONDecoder()


def decode(
    payload: bytes,
    *,
    handle: Callable[[int, str], object] | None = None,
    refs: Sequence[object] | None = None,
) -> object:
    """Decode a payload made by `encode`, trusting nothing in it.

    handle: turns {"H": [id, type name]} into an object (a Handle in the grader, the kept
        object in the worker); without it handles are refused.
    refs: the objects that {"R": index} stands for; without it references are refused.
    Returns plain data only; every array is a fresh, writable, C-contiguous copy. Raises
    WireError on anything malformed: unknown tags, disallowed dtypes, sizes that do not
    match shapes, offsets outside the payload, arrays that share bytes (which would let a
    small payload decode into huge copies), nesting deeper than MAX_DEPTH.
    """
    view = memoryview(payload)
    if len(view) < _LENGTH.size:
        raise WireError("truncated payload: no header")
    (tree_size,) = _LENGTH.unpack(view[: _LENGTH.size])
    tree_end = _LENGTH.size + tree_size
    if tree_size > MAX_TREE:
        raise WireError(f"refused a JSON part of {tree_size} bytes (the cap is {MAX_TREE})")
    if tree_end > len(view):
        raise WireError("truncated payload: the JSON part runs past the end")
    blob = view[tree_end:]
    try:
        tree = _JSON_TREE.decode(bytes(view[_LENGTH.size:tree_end]).decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"malformed payload: {type(exc).__name__}: {exc}") from None

    def dtype_of(name: object) -> str:
        if type(name) is not str or name not in _DTYPES:
            raise WireError(f"refused dtype {name!r}: only numeric and bool arrays may cross")
        return name

    def index(value: object, what: str) -> int:
        if type(value) is not int or value < 0:
            raise WireError(f"bad {what}: {value!r}")
        return value

    claimed = 0  # bytes handed out so far: at most the blob, as each byte is used once

    def span(start: object, nbytes: int) -> memoryview:
        nonlocal claimed
        start = index(start, "offset")
        if start + nbytes > len(blob):
            raise WireError("truncated payload: array data runs past the end")
        claimed += nbytes
        if claimed > len(blob):
            raise WireError("malformed payload: arrays share bytes")
        return blob[start:start + nbytes]

    def fresh(data: memoryview, name: str, shape: tuple[int, ...]) -> np.ndarray:
        # A native-order copy that owns its data; bools are rebuilt from their bytes so each
        # is exactly 0 or 1.
        if name == "|b1":
            return np.frombuffer(data, dtype=np.uint8).reshape(shape).astype(np.bool_)
        return np.frombuffer(data, dtype=_DTYPES[name]).reshape(shape).astype(_NATIVE[name])

    def number(value: object) -> float:
        if type(value) not in (int, float):
            raise WireError(f"bad number: {value!r}")
        return float(value)

    def dec(node: object, depth: int) -> object:
        kind = type(node)
        if kind in _JSON_SCALARS:
            return node
        if depth > MAX_DEPTH:
            raise WireError(f"nesting deeper than {MAX_DEPTH}")
        if kind is not dict or len(node) != 1:
            raise WireError("malformed payload: expected a tagged object")
        ((tag, body),) = node.items()
        kind = type(body)
        depth += 1
        if tag == "L" or tag == "T":
            if kind is not list:
                raise WireError(f"malformed {tag} node")
            items = [v if type(v) in _JSON_SCALARS else dec(v, depth) for v in body]
            return items if tag == "L" else tuple(items)
        if tag == "D":
            if kind is not list:
                raise WireError("malformed dict node")
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("malformed dict entry: keys must be strings")
                value = pair[1]
                out[pair[0]] = value if type(value) in _JSON_SCALARS else dec(value, depth)
            return out
        if tag == "A":
            if kind is not list or len(body) != 3 or type(body[1]) is not list:
                raise WireError("malformed array node")
            name, shape = dtype_of(body[0]), body[1]
            for n in shape:
                if type(n) is not int or n < 0:
                    raise WireError(f"bad array dimension: {n!r}")
            if len(shape) > 32:
                raise WireError(f"refused array with {len(shape)} dimensions (at most 32)")
            return fresh(span(body[2], math.prod(shape) * _DTYPES[name].itemsize), name, tuple(shape))
        if tag == "S":
            if kind is not list or len(body) != 2:
                raise WireError("malformed scalar node")
            name = dtype_of(body[0])
            return fresh(span(body[1], _DTYPES[name].itemsize), name, (1,))[0]
        if tag == "C":
            if kind is not list or len(body) != 2:
                raise WireError("malformed complex node")
            return complex(number(body[0]), number(body[1]))
        if tag == "B":
            if kind is not list or len(body) != 2:
                raise WireError("malformed bytes node")
            return bytes(span(body[0], index(body[1], "size")))
        if tag == "H":
            if handle is None:
                raise WireError("unexpected handle")
            if kind is not list or len(body) != 2 or type(body[1]) is not str:
                raise WireError("malformed handle node")
            return handle(index(body[0], "handle id"), body[1][:100])
        if tag == "R":
            if refs is None or kind is not int or not 0 <= body < len(refs):
                raise WireError(f"bad reference {body!r}")
            return refs[body]
        raise WireError(f"unknown tag {str(tag)[:20]!r}")

    return dec(tree, 0)


def frame(payload: bytes) -> bytes:
    """The frame for a payload: magic, big-endian size, payload."""
    if len(payload) > MAX_FRAME:
        raise WireError(f"frame of {len(payload)} bytes is over the {MAX_FRAME}-byte cap")
    return HEADER.pack(MAGIC, len(payload)) + payload


def frame_size(header: bytes, max_size: int = MAX_FRAME) -> int:
    """The payload size announced by a frame header, checked against `max_size`."""
    if len(header) != HEADER.size:
        raise WireError("truncated frame header")
    magic, size = HEADER.unpack(header)
    if magic != MAGIC:
        raise WireError("not a frame: bad magic")
    if size > max_size:
        raise WireError(f"refused a frame of {size} bytes (the cap is {max_size})")
    return size


def read_frame(read: Callable[[int], bytes], max_size: int = MAX_FRAME) -> bytes:
    """Read one frame with `read(n)` (which returns exactly n bytes or raises) -> payload."""
    return read(frame_size(read(HEADER.size), max_size))
