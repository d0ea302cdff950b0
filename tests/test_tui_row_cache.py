"""How the explorer plans its repository calls: keyset next to a fetched block, ``from_end``
for the last block, ``offset`` only for a jump into the unknown."""

from __future__ import annotations

from pithtui.models import CitingPaper, Cursor, Page, Paper
from pithtui.tui.widgets.row_cache import BLOCK, KEEP_BLOCKS, Edges, RowCache, fetch_order, fetch_plan, joined

TOTAL = 10 * BLOCK + 37


def edge(n: int) -> Edges:
    return Edges(Cursor(f"first-{n}", n), Cursor(f"last-{n}", n))


def page(block: int, total: int = TOTAL) -> Page:
    rows = tuple(CitingPaper(Paper(title=f"row {block * BLOCK + i}", id=block * BLOCK + i)) for i in range(BLOCK))
    return Page(rows, total, Cursor("a", block), Cursor("z", block))


def test_first_fetch_counts_by_offset():
    assert fetch_plan(0, None, {}).kwargs == {"limit": BLOCK, "after": None, "before": None, "from_end": False, "offset": 0}


def test_block_after_a_fetched_one_pages_by_keyset():
    plan = fetch_plan(3, TOTAL, {2: edge(2)})
    assert plan.after == Cursor("last-2", 2) and plan.offset == 0 and plan.limit == BLOCK


def test_block_before_a_fetched_one_pages_backwards_by_keyset():
    plan = fetch_plan(3, TOTAL, {4: edge(4)})
    assert plan.before == Cursor("first-4", 4) and plan.offset == 0


def test_last_block_comes_from_the_end_with_just_its_rows():
    plan = fetch_plan(10, TOTAL, {})
    assert plan.from_end and plan.limit == 37 and plan.offset == 0


def test_a_jump_into_the_unknown_uses_an_offset():
    plan = fetch_plan(4, TOTAL, {0: edge(0)})
    assert plan.offset == 4 * BLOCK and plan.after is None and plan.before is None and not plan.from_end


def test_a_jump_past_the_middle_counts_its_offset_from_the_end():
    plan = fetch_plan(7, TOTAL, {0: edge(0)})
    assert plan.from_end and plan.offset == TOTAL - 8 * BLOCK and plan.limit == BLOCK


def test_fetch_order_walks_out_from_known_blocks():
    assert fetch_order([5, 6, 7], TOTAL, {8: edge(8)}) == [7, 6, 5]
    assert fetch_order([8, 9, 10], TOTAL, {}) == [10, 9, 8]
    assert fetch_order([4, 5], TOTAL, {}) == [4, 5]


def test_cache_serves_rows_and_keeps_the_blocks_near_the_viewport_and_both_ends():
    scrolled = KEEP_BLOCKS + 8  # blocks fetched scrolling down from the top, more than are kept
    last = scrolled + 10
    total = (last + 1) * BLOCK
    cache = RowCache()
    for block in range(scrolled):
        cache.store(block, page(block, total), near=block * BLOCK)
    cache.store(last, page(last, total), near=(scrolled - 1) * BLOCK)  # the last block, fetched ahead
    assert cache.total == total
    assert cache.row((scrolled - 1) * BLOCK + 5).paper.title == f"row {(scrolled - 1) * BLOCK + 5}"
    assert len(cache.edges) == KEEP_BLOCKS
    assert 0 in cache and last in cache, "where Home and End go stays at hand"
    assert 1 not in cache and scrolled - 1 in cache
    assert cache.missing(0, 2 * BLOCK) == [1, 2]


def test_a_page_fetched_without_a_count_keeps_the_total():
    cache = RowCache()
    cache.store(0, page(0), near=0)
    cache.store(1, Page(page(1).rows, -1, None, None), near=0)
    assert cache.total == TOTAL


def test_a_first_blocks_head_is_drawn_but_not_paged_from_until_its_rest_joins_it():
    whole = page(0)
    head = Page(whole.rows[:30], -1, whole.first, Cursor("m", 29), has_after=True)
    rest = Page(whole.rows[30:], -1, Cursor("n", 30), whole.last, has_after=True)
    cache = RowCache()
    cache.store(0, head, near=0, partial=True)
    assert cache.row(29).paper.title == "row 29" and cache.row(30) is None
    assert cache.first_rows() == 30
    assert fetch_plan(1, TOTAL, cache.edges).offset == BLOCK, "the head's last row is not the block's"
    cache.store(0, joined(head, rest), near=0)
    assert [cache.row(i).paper.title for i in range(BLOCK)] == [f"row {i}" for i in range(BLOCK)]
    assert fetch_plan(1, TOTAL, cache.edges).after == whole.last
