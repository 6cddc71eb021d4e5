"""The grader/worker data format: plain data round-trips, everything else is refused."""

import builtins
import json
import math
import os
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.sandbox import wire

WIRE_DTYPES = ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]


def round_trip(value, **kwargs):
    return wire.decode(wire.encode(value), **kwargs)


def crafted(tree, blob=b""):
    """A payload with the JSON tree `tree` (any shape, as an attacker would write it)."""
    text = json.dumps(tree).encode()
    return struct.pack(">I", len(text)) + text + blob


def same(a, b):
    """Deep equality that tells list from tuple, int from float, and compares NaN as equal."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, complex):
        return same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and (a == b or (np.isnan(a) and np.isnan(b)))
    return a == b


# --- plain data round-trips --------------------------------------------------------------

def test_scalars_keep_their_type_and_value():
    """Do None, bools, big ints, special floats, complex, str and bytes come back identical?"""
    values = [None, True, False, 0, -7, 2**200, 0.1, -0.0, float("inf"), float("nan"), 1e-310,
              1 + 2j, "", "ünïcödé \u2603 \ud800", b"", b"\x00\xff" * 10]
    for value in values:
        assert same(round_trip(value), value), value


def test_numpy_scalars_keep_their_dtype():
    """Is np.float32(1.5) still an np.float32 after the trip, and np.bool_ still a bool_?"""
    for value in [np.float32(1.5), np.float64(-2.25), np.int8(-3), np.uint64(2**64 - 1),
                  np.bool_(True), np.complex64(1 - 1j), np.float16(0.5)]:
        back = round_trip(value)
        assert type(back) is type(value) and back == value


def test_containers_keep_list_tuple_and_dict_apart():
    """Are nested lists, tuples and str-keyed dicts (key order too) rebuilt as they were?"""
    value = {"z": [1, (2.0, [None, {"": ()}])], "a": (np.arange(3), {"deep": [np.float32(2)]}),
             "config": {"learning_rate": 1e-3, "m": np.zeros((2, 2)), "t": 0}}
    assert same(round_trip(value), value)


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary() | st.complex_numbers()
nested = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.lists(children, max_size=4).map(tuple)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(nested)
def test_any_nesting_of_plain_data_round_trips(value):
    """Does every combination of plain scalars and containers survive encode then decode?"""
    assert same(round_trip(value), value)


arrays = st.sampled_from(WIRE_DTYPES).flatmap(
    lambda code: hnp.arrays(np.dtype(code), hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)))


@settings(max_examples=150, deadline=None)
@given(arrays, st.booleans(), st.booleans())
def test_arrays_round_trip_as_fresh_native_c_contiguous_copies(array, swap, transpose):
    """Whatever the dtype, byte order or memory layout, is the array rebuilt exactly, fresh and writable?"""
    if swap:
        array = array.astype(array.dtype.newbyteorder("S"))
    if transpose:
        array = array.T
    back = round_trip(array)
    assert back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("=")
    assert np.array_equal(back, array, equal_nan=array.dtype.kind in "fc")
    assert back.flags.c_contiguous and back.flags.writeable and back.flags.owndata


def test_decoded_arrays_do_not_share_memory_with_the_payload_or_each_other():
    """Can writing into one decoded array change another decoded from the same payload?"""
    payload = wire.encode([np.ones(4), np.ones(4)])
    first, second = wire.decode(payload)
    first[:] = 5
    assert np.array_equal(second, np.ones(4))
    assert np.array_equal(wire.decode(payload)[0], np.ones(4))


def test_frames_announce_their_size():
    """Does read_frame get back exactly the payload that frame() wrapped, and nothing more?"""
    payload = wire.encode({"x": np.arange(5.0)})
    stream = memoryview(wire.frame(payload) + wire.frame(b"next"))
    position = 0

    def read(n):
        nonlocal position
        chunk = bytes(stream[position:position + n])
        position += n
        return chunk

    assert wire.read_frame(read) == payload
    assert wire.read_frame(read) == b"next"


# --- handles and references --------------------------------------------------------------

def test_opaque_leaves_become_handles_only_when_the_sender_keeps_them():
    """Is a lambda refused by default, and sent as a Handle when an `opaque` keeper is given?"""
    kept = []

    def keep(obj):
        kept.append(obj)
        return wire.Handle(len(kept), type(obj).__name__)

    func = lambda x: x  # noqa: E731
    with pytest.raises(wire.WireError, match="not plain data"):
        wire.encode({"cache": func})
    payload = wire.encode({"cache": (np.ones(2), func)}, opaque=keep)
    assert kept == [func]
    back = wire.decode(payload, handle=lambda key, name: wire.Handle(key, name, 7))
    assert back["cache"][1] == wire.Handle(1, "function", 7)
    with pytest.raises(wire.WireError, match="handle"):
        wire.decode(payload)


def test_subclasses_are_never_taken_for_plain_data():
    """Do a float subclass, an ndarray subclass and object arrays go through `opaque`, and a
    dict subclass through dict's own storage (not its overridden methods)?"""

    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

    class Sub(np.ndarray):
        pass

    class Lying(dict):
        def __getitem__(self, key):
            return 42

        def items(self):
            return [("a", 42)]

    seen = []

    def keep(obj):
        seen.append(type(obj))
        return wire.Handle(len(seen), type(obj).__name__)

    lying = Lying(a=1.0, b=2.0)
    back = wire.decode(wire.encode([AlwaysEqual(1.0), np.arange(3.0).view(Sub),
                                    np.array([None]), lying], opaque=keep),
                       handle=lambda key, name: wire.Handle(key, name))
    assert seen == [AlwaysEqual, Sub, np.ndarray]
    assert [type(v) for v in back[:3]] == [wire.Handle] * 3
    assert type(back[3]) is dict and back[3] == {"a": 1.0, "b": 2.0}


def test_cycles_and_deep_nesting_are_kept_not_followed():
    """Does a self-containing list, or one nested past MAX_DEPTH, end in a handle, not a crash?"""
    cyclic = [1]
    cyclic.append(cyclic)
    deep = []
    for _ in range(wire.MAX_DEPTH + 10):
        deep = [deep]
    keep = lambda obj: wire.Handle(1, type(obj).__name__)  # noqa: E731
    back = wire.decode(wire.encode(cyclic, opaque=keep), handle=lambda k, n: wire.Handle(k, n))
    assert back[0] == 1 and back[1] == wire.Handle(1, "list")
    with pytest.raises(wire.WireError):
        wire.encode(deep)


def test_references_stand_for_the_callers_own_objects():
    """Is {"R": i} decoded as the very object refs[i], and refused when out of range or unexpected?"""
    config = {"t": 1}
    payload = wire.encode((np.ones(1), config), refs={id(config): 0})
    back = wire.decode(payload, refs=[config])
    assert back[1] is config
    with pytest.raises(wire.WireError, match="reference"):
        wire.decode(payload, refs=[])
    with pytest.raises(wire.WireError, match="reference"):
        wire.decode(payload)


def test_a_handle_from_an_earlier_session_is_stale():
    """Is a Handle of session 1 refused when sending to session 2, with a reason to show?"""
    with pytest.raises(wire.StaleHandle, match="restarted"):
        wire.encode([wire.Handle(3, "tuple", session=1)], session=2)
    assert wire.encode([wire.Handle(3, "tuple", session=2)], session=2)


# --- refusals ------------------------------------------------------------------------------

@pytest.mark.parametrize("array", [
    np.array([object(), 1], dtype=object),
    np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]),
    np.zeros(2, dtype="V8"),
    np.array(["text"]),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
    np.zeros(2, dtype=np.longdouble),
])
def test_arrays_that_are_not_plain_numbers_are_refused(array):
    """Are object, structured, void, string, datetime and long double arrays refused to send?"""
    with pytest.raises(wire.WireError, match="not plain data"):
        wire.encode(array)


@pytest.mark.parametrize("dtype", ["|O", "<O8", "O", "|V8", "object", "os.system", "<M8[D]", "<U4", "<f16",
                                   ">f8", "", None, 8])
def test_a_crafted_payload_with_a_disallowed_dtype_is_refused(dtype):
    """Does decoding refuse any dtype name outside the numeric whitelist (including big-endian)?"""
    with pytest.raises(wire.WireError, match="dtype"):
        wire.decode(crafted({"A": [dtype, [1], 0]}, b"\0" * 16))
    with pytest.raises(wire.WireError, match="dtype"):
        wire.decode(crafted({"S": [dtype, 0]}, b"\0" * 16))


@pytest.mark.parametrize("shape,blob", [
    ([-1], b""), ([2.5], b"\0" * 40), (["3"], b"\0" * 24), ([3], b"\0" * 16),
    ([2**40, 2**40], b"\0" * 64), ([1] * 33, b"\0" * 8), ("3", b"\0" * 24), ([True], b"\0" * 8),
])
def test_a_shape_that_does_not_match_the_data_is_refused(shape, blob):
    """Negative, fractional, textual, oversized or too many dimensions: refused, not guessed."""
    with pytest.raises(wire.WireError):
        wire.decode(crafted({"A": ["<f8", shape, 0]}, blob))


def test_array_data_must_lie_inside_the_payload():
    """Is an offset past the end (or negative) refused instead of reading out of bounds?"""
    for offset in (1, 9, -8, 2**70):
        with pytest.raises(wire.WireError):
            wire.decode(crafted({"A": ["<f8", [1], offset]}, b"\0" * 8))


def test_arrays_may_not_share_bytes():
    """Could 8 bytes referenced a thousand times decode into a thousand arrays? (a memory bomb)"""
    many = {"L": [{"A": ["<f8", [1], 0]} for _ in range(1000)]}
    with pytest.raises(wire.WireError, match="share"):
        wire.decode(crafted(many, b"\0" * 8))
    twice = crafted({"L": [{"A": ["<f8", [1], 0]}, {"B": [0, 8]}]}, b"\0" * 8)
    with pytest.raises(wire.WireError, match="share"):
        wire.decode(twice)


def test_long_python_lists_are_capped(monkeypatch):
    """Is the JSON part (Python scalars) capped, so a list of 10^8 zeros cannot fill the grader?"""
    monkeypatch.setattr(wire, "MAX_TREE", 1000)
    with pytest.raises(wire.WireError, match="NumPy arrays"):
        wire.encode([0] * 1000)
    with pytest.raises(wire.WireError, match="JSON part"):
        wire.decode(crafted_text("[" + "0," * 999 + "0]"))
    assert wire.decode(wire.encode(np.zeros(1000))).shape == (1000,)


def test_crafted_bools_are_exactly_true_or_false():
    """Does a bool array made of the byte 7 decode as a proper True, not an odd bool?"""
    back = wire.decode(crafted({"A": ["|b1", [2], 0]}, b"\x07\x00"))
    assert back.dtype == np.bool_ and back.view(np.uint8).tolist() == [1, 0]


def test_every_truncation_of_a_payload_is_a_wire_error():
    """Cut anywhere, does a payload fail with WireError (never another exception or a wrong value)?"""
    payload = wire.encode({"w": np.arange(6.0).reshape(2, 3), "b": b"abc", "s": np.int16(3), "t": (1, "x")})
    for cut in range(len(payload)):
        with pytest.raises(wire.WireError):
            wire.decode(payload[:cut])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_escape_as_another_exception(data):
    """Is garbage either a WireError or plain data, never a crash of the grader?"""
    try:
        wire.decode(data)
    except wire.WireError:
        pass


@pytest.mark.parametrize("tree", [
    {"G": "os.system"}, {"R": "os.system"}, {"__reduce__": ["os.system", ["echo pwned"]]},
    {"L": [1], "T": [2]}, {"D": [[1, 2]]}, {"D": [["k"]]}, {"H": ["1", "x"]}, {"C": ["1", 2]},
    {"B": [0, -1]}, [1, 2], {"L": "abc"}, {"D": {"a": 1}},
])
def test_unknown_or_malformed_tags_are_refused(tree):
    """A tag that is not in the format, or has the wrong body, is a WireError."""
    with pytest.raises(wire.WireError):
        wire.decode(crafted(tree), handle=lambda key, name: wire.Handle(key, name))


def test_decoding_never_imports_or_calls_anything(monkeypatch):
    """While decoding frames that name os.system, is nothing imported and os.system never called?"""
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    real_import = builtins.__import__

    def no_import(name, *args, **kwargs):
        calls.append(("import", name))
        return real_import(name, *args, **kwargs)

    good = wire.encode({"x": np.arange(3.0), "y": [1, (2j, b"z")], "s": np.float32(1)})
    bad = [crafted({"A": ["os.system", [1], 0]}, b"\0" * 8), crafted({"os.system": ["echo"]}),
           crafted({"D": [["__class__", {"G": "os.system"}]]}), b"cos\nsystem\n(S'echo pwned'\ntR."]
    outcomes = []
    builtins.__import__ = no_import
    try:
        decoded = wire.decode(good)
        for payload in bad:
            try:
                outcomes.append(wire.decode(payload))
            except wire.WireError as exc:
                outcomes.append(type(exc))
    finally:
        builtins.__import__ = real_import
    assert calls == []
    assert same(decoded, {"x": np.arange(3.0), "y": [1, (2j, b"z")], "s": np.float32(1)})
    assert outcomes == [wire.WireError] * len(bad)


def test_deeply_nested_crafted_json_is_refused():
    """Is a payload nested far past MAX_DEPTH refused (not a RecursionError in the grader)?"""
    for depth in (wire.MAX_DEPTH + 5, 100_000):
        with pytest.raises(wire.WireError):
            wire.decode(crafted_text('{"L":[' * depth + "1" + "]}" * depth))


def crafted_text(text):
    data = text.encode()
    return struct.pack(">I", len(data)) + data


def test_huge_integers_are_refused_rather_than_parsed():
    """Is an integer of 10^5 digits refused (parsing it would be slow) instead of decoded?"""
    with pytest.raises(wire.WireError):
        wire.decode(crafted_text("1" * 100_000))
    with pytest.raises(wire.WireError, match="not plain data"):
        wire.encode(10 ** 5000)


def test_oversize_frames_are_refused_before_reading(monkeypatch):
    """Is a header announcing more than the cap refused at once, and an oversize value not sent?"""
    reads = []

    def read(n):
        reads.append(n)
        return wire.HEADER.pack(wire.MAGIC, wire.MAX_FRAME + 1)

    with pytest.raises(wire.WireError, match="refused a frame"):
        wire.read_frame(read)
    assert reads == [wire.HEADER.size]  # the body was never asked for
    with pytest.raises(wire.WireError, match="bad magic"):
        wire.frame_size(b"HTTP/1.1" + b"\0" * 4)
    with pytest.raises(wire.WireError, match="truncated"):
        wire.frame_size(b"C2N")
    monkeypatch.setattr(wire, "MAX_FRAME", 4096)
    with pytest.raises(wire.WireError, match="too large"):
        wire.encode(np.zeros(1024))
    assert len(wire.encode(np.zeros(256))) < 4096


@pytest.mark.filterwarnings("ignore:the matrix subclass is not the recommended way:PendingDeprecationWarning")
def test_a_numpy_matrix_crosses_as_its_plain_array():
    """np.asmatrix is NumPy's own subclass and correct answers use it: it arrives as a plain 2-D array."""
    got = wire.decode(wire.encode(np.asmatrix([[1.0, 2.0]])))
    assert type(got) is np.ndarray and got.shape == (1, 2) and got.tolist() == [[1.0, 2.0]]
