import contextlib
from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.packing import pack, unpack

leaves = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.lists(st.integers(min_value=0, max_value=2**32 - 1)).map(lambda xs: array("I", xs)),
    st.lists(st.floats(allow_nan=False)).map(lambda xs: array("d", xs)),
)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=5), max_leaves=30)


@given(values)
def test_what_is_packed_comes_back_equal(value):
    assert unpack(pack(value)) == value


@given(values, st.data())
def test_damaged_data_is_a_value_error_never_anything_else(value, data):
    packed = bytearray(pack(value))
    cut = data.draw(st.integers(min_value=0, max_value=len(packed) - 1))
    mutated = bytes(packed[:cut])
    with pytest.raises(ValueError, match=r"packed|truncated"):
        unpack(mutated)
    flip = data.draw(st.integers(min_value=0, max_value=len(packed) - 1))
    packed[flip] ^= 0xFF
    with contextlib.suppress(ValueError):  # a flipped byte may still spell a valid value
        unpack(bytes(packed))


def test_only_plain_values_pack():
    with pytest.raises(TypeError):
        pack({"a": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pack(True)
