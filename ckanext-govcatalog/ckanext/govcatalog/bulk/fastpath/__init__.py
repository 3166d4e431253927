"""Creating many catalog entries at once: what package_create makes, written in bulk.

package_create spends most of its time around the data, not on it: ~45 queries per entry (the
same organizations and users looked up again and again, one committed transaction per resource
code), a package_show for the activity and another for the index, one Solr request per entry.
This package keeps every step that decides *what* is stored, and does the storing in bulk:

- validation.py: :func:`validate` runs each row through the dataset type's own create schema
  exactly once, reading organizations and users once per check and numbering new entries with
  placeholder codes (placeholders.py), in several processes when allowed (workers.py);
  CKAN's own checks of the acting user and the provider are registered under their names
  (ckan_checks.py, through IValidators) and asked once per check.
- writing.py: :func:`write`, inside the caller's transaction, makes the codes real, inserts the
  rows (insert.py), builds each entry's package_show dicts from what it wrote (show.py), appends
  the activities and audit records package_create would (records.py), and sends the search
  documents CKAN's indexer builds, in chunks, without a Solr commit before the database commits
  (index.py: :class:`Index` withdraws them if the transaction does not commit).

Entries with resources, groups or relationships (never in a spreadsheet) are not handled here;
:func:`supported` says which validated dicts are, and the importer gives the others to
package_create. tests/bulk/test_fastpath.py compares the result with package_create's.
"""

from __future__ import annotations

from ckanext.govcatalog.bulk.fastpath.index import Index, solr_docs
from ckanext.govcatalog.bulk.fastpath.validation import supported, validate
from ckanext.govcatalog.bulk.fastpath.writing import write

# what the importer (the package's one caller) uses
__all__ = ["Index", "solr_docs", "supported", "validate", "write"]
