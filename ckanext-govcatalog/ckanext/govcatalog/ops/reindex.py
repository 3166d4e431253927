"""Rebuilding the search index from PostgreSQL, fast: what `ckan search-index rebuild` does.

CKAN's rebuild (ckan.lib.search.rebuild) takes one package at a time: package_show from the
database (seven queries), the default and the dataset type's show schemas, the indexer, and one
Solr request per package, so that tens of thousands of entries take hours (CKAN issue #3482).
Here the same steps run on chunks of packages:

- :func:`dictize_many` is CKAN's model_dictize.package_dictize for a chunk, reading the
  resources, tags and owner organizations of all its packages in one query each (packages in a
  group or a relationship, which catalog entries are not, go through package_dictize itself);
- the package_show dicts are then built as package_show builds them (bulk/fastpath/show.py:
  the plugins' read and resource hooks, both show schemas, after_dataset_show), the documents
  by CKAN's own indexer (bulk/fastpath/index.py: every plugin's before_dataset_index, the
  permission labels), and sent to Solr in one request per chunk;
- chunks go to forked worker processes (bulk/fastpath/workers.py), one per core by default,
  and their documents come back to this process, whose sending thread (bulk/fastpath/index.py's
  Index) hands them to Solr while the workers build the next chunks: Solr takes ~2 s to index a
  chunk, a quarter of a worker's time when the workers sent them themselves.

As `ckan search-index rebuild` does, the index is not emptied first (searching keeps working
while it runs), documents of packages no longer in the database are removed at the end, and
one Solr commit ends the run. tests/ops/test_reindex.py compares the documents with those of
CKAN's rebuild, field by field.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import dictization
from ckan.lib.dictization import model_dictize

from ckanext.govcatalog.bulk.fastpath import show, workers
from ckanext.govcatalog.bulk.fastpath.index import Index, solr_docs
from ckanext.govcatalog.catalog import orgs

CHUNK = 250  # packages per chunk: per database read of each table and per Solr request

# (done, total): how a run reports where it is
Progress = Callable[[int, int], None]


class ReindexError(Exception):
    """A rebuild that could not finish; the message names what failed and what to do."""


@dataclasses.dataclass
class Result:
    indexed: int  # packages whose documents were sent (deleted ones are removed instead)
    removed: int  # documents of packages no longer in the database
    seconds: float
    processes: int


def package_ids() -> list[str]:
    """The packages a rebuild indexes: ckan.lib.search.rebuild's choice."""
    query = model.Session.query(model.Package.id)
    if tk.config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    return [row[0] for row in query.all()]


def _context() -> dict[str, Any]:
    # what package_show's dictizing sees when ckan.lib.search.rebuild calls it
    return {
        "model": model,
        "session": model.Session,
        "user": "",
        "ignore_auth": True,
        "use_cache": False,
        "validate": False,
    }


def _by_package(rows: Iterable[Any], column: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = collections.defaultdict(list)
    for row in rows:
        out[row._mapping[column]].append(row)
    return out


def _with_groups_or_relationships(ids: list[str]) -> set[str]:
    member, group = model.member_table, model.group_table
    in_groups = sa.select(member.c["table_id"]).join(group, group.c["id"] == member.c["group_id"])
    in_groups = in_groups.where(
        member.c["table_id"].in_(ids),
        member.c["state"] == "active",
        group.c["is_organization"] == sa.false(),
    )
    rel = model.package_relationship_table
    related = sa.select(rel.c["subject_package_id"], rel.c["object_package_id"]).where(
        sa.or_(rel.c["subject_package_id"].in_(ids), rel.c["object_package_id"].in_(ids))
    )
    found = {row[0] for row in model.Session.execute(in_groups)}
    for subject, obj in model.Session.execute(related):
        found.update((subject, obj))
    return found & set(ids)


def dictize_many(pkgs: list[model.Package]) -> list[dict[str, Any]]:
    """model_dictize.package_dictize of each package, the tables read once per chunk."""
    context = _context()
    ids = [pkg.id for pkg in pkgs]
    res = model.resource_table
    resources = _by_package(
        model.Session.execute(sa.select(res).where(res.c["package_id"].in_(ids))), "package_id"
    )
    tag, pkg_tag = model.tag_table, model.package_tag_table
    tag_rows = _by_package(
        model.Session.execute(
            sa.select(tag, pkg_tag.c["state"], pkg_tag.c["package_id"].label("_package_id"))
            .join(pkg_tag, tag.c["id"] == pkg_tag.c["tag_id"])
            .where(pkg_tag.c["package_id"].in_(ids))
        ),
        "_package_id",
    )
    org_dicts = show.org_dicts({pkg.owner_org for pkg in pkgs if pkg.owner_org})
    complex_ids = _with_groups_or_relationships(ids)

    out = []
    for pkg in pkgs:
        if pkg.id in complex_ids:
            out.append(model_dictize.package_dictize(pkg, dict(context)))
            continue
        result = dictization.table_dictize(pkg, context)
        if result.get("title"):
            result["title"] = result["title"].strip()
        result.pop("plugin_data", None)
        result["resources"] = model_dictize.resource_list_dictize(
            resources.get(pkg.id, []), dict(context)
        )
        result["num_resources"] = len(result["resources"])
        tags = dictization.obj_list_dictize(tag_rows.get(pkg.id, []), context, lambda x: x["name"])
        for tag_dict in tags:
            del tag_dict["_package_id"]
            tag_dict["display_name"] = tag_dict["name"]
        result["tags"] = tags
        result["num_tags"] = len(tags)
        org = org_dicts.get(pkg.owner_org) if pkg.owner_org else None
        show.fill_package_dict(result, pkg, org, result["extras"])
        out.append(result)
    return out


def documents(ids: list[str]) -> list[dict[str, Any]]:
    """The Solr documents CKAN's rebuild makes for these packages (deleted ones, when
    ckan.search.remove_deleted_packages is on, are removed from the index by the indexer, as in
    a rebuild, and make none)."""
    with orgs.read_once():
        pkgs = model.Session.query(model.Package).filter(model.Package.id.in_(ids)).all()
        pairs = [
            show.shown(pkg, dictized)
            for pkg, dictized in zip(pkgs, dictize_many(pkgs), strict=True)
        ]
        return solr_docs(pairs)


def _chunk_documents(ids: list[str]) -> list[dict[str, Any]]:
    """Documents of one chunk (in a worker process, or in this one)."""
    try:
        return documents(ids)
    finally:
        # the chunk's objects are not needed again; the next chunk starts a new session
        model.Session.remove()


def _solr_error(error: Exception) -> ReindexError:
    return ReindexError(
        tk._(
            "The search index (Solr) did not take the documents: {error}. Check that Solr is "
            "running and that solr_url names the catalog's core, then run the reindex again; "
            "the catalog's database was not changed."
        ).format(error=str(error)[:500])
    )


def remove_orphans(ids: set[str]) -> int:
    """Removes the documents of this site whose package is not in ``ids`` (what `ckan
    search-index rebuild` does after indexing, unless told to keep them)."""
    from ckan.lib.search.common import make_connection

    conn = make_connection()
    site = tk.config.get("ckan.site_id")
    found = conn.search(
        "*:*",
        fq=[f'+site_id:"{site}"', "+entity_type:package"],
        fl="id",
        rows=len(ids) + 100000,
    )
    orphans = [doc["id"] for doc in found if doc["id"] not in ids]
    for i in range(0, len(orphans), 500):
        part = " OR ".join(f'"{x}"' for x in orphans[i : i + 500])
        conn.delete(q=f'+site_id:"{site}" +id:({part})', commit=False)
    return len(orphans)


def _no_progress(_done: int, _total: int) -> None:
    pass


def reindex(processes: int | None = None, progress: Progress = _no_progress) -> Result:
    """Index every package of the database again and remove documents of packages it no longer
    holds; one Solr commit at the end. ``processes``: worker processes (None: one per core,
    as govcatalog.bulk.processes says). Only a caller that runs no other threads may ask for
    more than one (the command line)."""
    import pysolr

    started = time.perf_counter()
    ids = package_ids()
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    count = min(workers.processes_for(processes, len(ids)), max(1, len(chunks)))
    model.Session.remove()  # the workers open their own connections
    forked = count > 1 and workers.can_fork()
    indexed = done = 0
    progress(0, len(ids))
    try:
        with workers.collector_spared(), _built(chunks, count if forked else 1) as built:
            # one request per chunk, without a commit, from a thread of this process started
            # after the workers were forked
            sender = Index()
            try:
                for chunk, docs in zip(chunks, built, strict=True):
                    sender.raise_if_failed()  # Solr refused a chunk: stop building in vain
                    sender.send(docs)
                    indexed += len(docs)
                    done += len(chunk)
                    progress(done, len(ids))
            finally:
                sender.flush()  # waits for the chunks still queued, raises what sending raised
        removed = remove_orphans(set(ids))
        from ckan.lib.search.common import make_connection

        make_connection().commit(waitSearcher=True)
    except (pysolr.SolrError, OSError) as error:
        raise _solr_error(error) from error
    return Result(indexed, removed, time.perf_counter() - started, count if forked else 1)


@contextlib.contextmanager
def _built(chunks: list[list[str]], processes: int) -> Iterator[Iterable[list[dict[str, Any]]]]:
    """The documents of each chunk, in order: built by forked workers (more than one process)
    while the caller sends the previous ones, or here, one chunk at a time."""
    if processes == 1:
        yield (_chunk_documents(chunk) for chunk in chunks)
        return
    pool = workers.pool(processes)
    try:
        yield pool.imap(_chunk_documents, chunks)
    finally:
        pool.terminate()
