"""Counts that cost the same at 32 applications and at 20,000: computed once, kept in the shared cache
until the data they count changes. The public portal's pages and the open-data API keep their
results the same way (`kept`), under the same generation.

A staff page counts rows on every request (the start page's queues, a list's number of pages), and a
count scans every row in scope however it is indexed. The data behind those counts changes far less
often than the pages are read, so each count is kept in the cache (`kept`)

- under the query's own SQL and parameters (so each user's scope, each filter and each search has its
  own entry: a grant, a change of role or county changes the SQL and therefore the key),
- with the generation it was computed in, and read only while that generation is current: a number
  that every change of an application, an organisation, a base or the reference
  data (batches, counties, industries) moves on, and of the records the apps above count (`connect`:
  a receiver on their save and delete; queryset updates and bulk writes call `changed()` themselves).

A count read in a transaction that changed the rows is fresh (the generation moves at once), and it
moves again when the transaction commits, so a count another request computed from the data before
the commit is never read afterwards. Entries also expire after `TTL` seconds. When the cache is
unreachable the count is computed as if there were none: a page never fails for the cache's sake.
"""

import contextlib
import hashlib
import logging
import threading
import time

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

GENERATION_KEY = "bases:counts-generation"
TTL = 600
_bulk = threading.local()  # `bulk_changes`: counted changes deferred to its end


def generation() -> int:
    """The current generation (created from the clock when the cache holds none, so that a number
    once used is never handed out again after an eviction)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY)
    return value


def _move_on():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted: start from the clock, above every number handed out so far
        cache.set(GENERATION_KEY, time.time_ns(), None)
    except Exception:  # the cache is down: its entries are unreachable as well
        logger.warning("The counts' generation could not be moved on", exc_info=True)


def changed(**_):
    """The counted data has changed: counts computed before are not read again (now, and once more
    after the surrounding transaction commits). Inside `bulk_changes` the generation moves on once, at
    its end."""
    if getattr(_bulk, "depth", 0):
        return
    _move_on()
    transaction.on_commit(_move_on)


@contextlib.contextmanager
def bulk_changes():
    """Many changes in a row (seed_demo's thousands of saves): the generation moves on once when it
    begins (nothing kept before is read during it), values are computed without the cache while it
    lasts (so none is kept from data it is still changing), and `changed()` once at its end. Without
    it each save costs several cache round trips, twice."""
    _move_on()
    _bulk.depth = getattr(_bulk, "depth", 0) + 1
    try:
        yield
    finally:
        _bulk.depth -= 1
        changed()


def kept(name: str, parts, compute):
    """A value that depends only on `parts` and on the counted data, computed once per generation (the
    public portal's results, the open-data API's pages and downloads: a recognition or a revocation
    saves a Base, which moves the generation on). The value must pickle; never anything that holds a
    user's token or a form's errors. Querysets among `parts` stand for their SQL and parameters, so that
    each user's scope has its own entry (as with `count`): the statistics' figures, for one.

    Stored with the generation it was computed in, under a key without it, so that the generation
    and the value are read in one round trip to the cache (a public page's only one)."""
    if getattr(_bulk, "depth", 0):
        return compute()
    try:
        described = [part.query.sql_with_params() if hasattr(part, "query") else part for part in parts]
        key = f"bases:kept:{name}:{hashlib.sha256(repr(described).encode()).hexdigest()}"
        found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY)
        if current is None:
            current = generation()
        stored = found.get(key)
    except Exception:
        logger.warning("A value is computed without the cache", exc_info=True)
        return compute()
    if stored is not None and stored[0] == current:
        return stored[1]
    value = compute()
    if value is not None:
        try:
            cache.set(key, (current, value), TTL)
        except Exception:
            logger.warning("A value could not be kept in the cache", exc_info=True)
    return value


def count(queryset) -> int:
    """`queryset.count()`, kept until the counted data changes."""
    return kept("count", [queryset], queryset.count)


def aggregate(queryset, **aggregates) -> dict:
    """`queryset.aggregate(**aggregates)`, kept until the counted data changes."""
    return kept("aggregate", [queryset, sorted(aggregates.items())], lambda: queryset.aggregate(**aggregates))


def fragment(name: str, parts, render) -> str:
    """A piece of HTML that depends only on `parts` and on the counted data (e.g. a filter bar whose
    choices are batches and counties, with the values the query string selected): `render()` once
    per generation. Never for anything that holds a user's token or a form's errors."""
    return mark_safe(kept(f"fragment:{name}", parts, lambda: str(render())))


class CountedPaginator(Paginator):
    """Django's paginator with the number of rows from `count` (the page itself is always read)."""

    @cached_property
    def count(self):
        return count(self.object_list)


def connect(*models):
    """Count these models' changes (default: this app's); the apps above name theirs."""
    if not models:
        from .models import Application, Base, Batch, County, Industry, Organisation

        models = (Application, Organisation, Base, Batch, County, Industry)
    for model in models:
        label = model._meta.label
        post_save.connect(changed, sender=model, dispatch_uid=f"counts-{label}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"counts-{label}-delete")
