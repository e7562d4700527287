"""common/lru.py: the bounded map of the caches of repeated questions (both environments)."""

from __future__ import annotations

import pytest

from common.lru import LruCache

pytestmark = pytest.mark.rasa_env


def test_it_keeps_the_keys_used_last() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("xin chào", 1)
    cache.put("lệ phí?", 2)
    assert cache.get("xin chào") == 1  # now used last: "lệ phí?" is the oldest
    cache.put("mất bao lâu?", 3)
    assert cache.get("lệ phí?") is None
    assert (cache.get("xin chào"), cache.get("mất bao lâu?")) == (1, 3)
    cache.clear()
    assert cache.get("xin chào") is None


def test_its_size_is_at_least_one() -> None:
    with pytest.raises(ValueError):
        LruCache(0)
