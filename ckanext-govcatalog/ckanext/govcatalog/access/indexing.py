"""What of an entry's data the search index may hold (spec §4).

Resource locations are not indexed for entries whose data is not public, so neither a query nor
a facet on ``res_url``/``urls`` can probe them. Links to other entries (policy.LINK_FIELDS) are
not copied into the full text. The package_search read path (read_paths.py)
blanks the same fields in the results it serves to a user without data access.
"""

from __future__ import annotations

from typing import Any

from ckan import model as core_model

from ckanext.govcatalog.access import policy

# Solr fields that hold resource locations; kept out of the index unless the data is public
URL_FIELDS = ("res_url", "download_url")


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The Solr document without resource locations unless anyone may read the entry's data."""
    pkg = core_model.Package.get(pkg_dict.get("id"))
    entry = policy.Entry.from_package(pkg) if pkg else policy.Entry.from_dict(pkg_dict)
    if not policy.data_is_public(entry):
        for key in URL_FIELDS:
            pkg_dict.pop(key, None)
    for key in policy.LINK_FIELDS:
        # the extra's text copy feeds the catch-all text field, where a search for a hidden
        # entry's name would find the entries linking to it; the string field stays for the
        # filters read_paths.package_search guards
        pkg_dict.pop(f"extras_{key}", None)
    return pkg_dict
