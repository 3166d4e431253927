"""Search documents of many entries: built by CKAN's own indexer, sent to Solr in chunks.

CKAN 2.12 builds a package's document (every plugin's before_dataset_index, the permission
labels) and sends it in one function, PackageSearchIndex.index_package, one Solr request per
entry. :func:`solr_docs` runs that function with a connection that only collects the documents,
and :class:`Index` sends them many at a time, without a Solr commit while the database
transaction is open.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import types
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.bulk.fastpath.show import Shown
from ckanext.govcatalog.catalog import orgs


class _Collector:
    """Stands in for the Solr connection while index_package builds a document."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    def add(self, docs: list[dict[str, Any]], commit: bool = False, **_kw: Any) -> None:
        self.docs.extend(docs)


def _index_package_sending_to(connection: Any) -> Callable[..., None]:
    """CKAN's PackageSearchIndex.index_package, sending to ``connection``.

    index_package takes its Solr connection from make_connection(), a global of its module, and
    has no parameter for one. Rather than replace that global for every caller, the same code
    runs here with globals of its own, a copy of its module's in which make_connection() returns
    ``connection``; ckan.lib.search.index is left as it is."""
    from ckan.lib.search import index as search_index

    original = search_index.PackageSearchIndex.index_package
    if "make_connection" not in original.__code__.co_names:
        raise RuntimeError(
            "CKAN's index_package no longer takes its connection from make_connection(); "
            "bulk/fastpath/index.py must follow"
        )
    namespace = dict(original.__globals__, make_connection=lambda *_a, **_kw: connection)
    return types.FunctionType(
        original.__code__,
        namespace,
        original.__name__,
        original.__defaults__,
        original.__closure__,
    )


def solr_docs(pairs: list[Shown]) -> list[dict[str, Any]]:
    """The documents CKAN's indexer makes for (default, custom) package_show dicts."""
    from ckan.lib.search.index import PackageSearchIndex

    collector = _Collector()
    index_package = _index_package_sending_to(collector)
    package_index = PackageSearchIndex()
    # the index hook asks for each entry's chain of organizations
    with orgs.read_once():
        for default, custom in pairs:
            doc = dict(default, with_custom_schema=custom)
            index_package(package_index, doc, defer_commit=True)
    return collector.docs


class Index:
    """Documents sent without a Solr commit while the database transaction is open: withdrawn
    if it rolls back, committed (when ckan.search.solr_commit is on) once it has committed.

    Documents go out from a thread of their own, so Solr indexes one chunk while the next is
    built; :meth:`flush` waits for them (and raises what sending raised), and the caller flushes
    before it commits the database."""

    def __init__(self) -> None:
        from ckan.lib.search.common import make_connection

        self.conn = make_connection()
        self.sent: list[str] = []
        self._queue: queue.Queue[list[dict[str, Any]] | None] = queue.Queue(maxsize=2)
        self._sender: threading.Thread | None = None
        self._error: BaseException | None = None

    def send(self, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        self.sent += [d["index_id"] for d in docs]
        if self._sender is None:
            self._sender = threading.Thread(target=self._post, daemon=True)
            self._sender.start()
        self._queue.put(docs)

    def _post(self) -> None:
        while (docs := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.conn.add(docs=docs, commit=False)
                except BaseException as error:  # handed to the caller by flush()
                    self._error = error

    def raise_if_failed(self) -> None:
        """Raises what sending has raised so far, so that a caller need not build more
        documents in vain."""
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def flush(self) -> None:
        if self._sender is not None:
            self._queue.put(None)
            self._sender.join()
            self._sender = None
        self.raise_if_failed()

    def withdraw(self) -> None:
        with contextlib.suppress(Exception):
            self.flush()
        for i in range(0, len(self.sent), 500):
            ids = " OR ".join(f'"{x}"' for x in self.sent[i : i + 500])
            self.conn.delete(q=f"index_id:({ids})", commit=False)
        self.conn.commit(waitSearcher=False)
        self.sent = []

    def commit(self) -> None:
        self.flush()
        if self.sent and tk.config.get("ckan.search.solr_commit"):
            self.conn.commit(waitSearcher=False)
