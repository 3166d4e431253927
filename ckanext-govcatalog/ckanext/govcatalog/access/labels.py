"""IPermissionLabels for spec §4 entry visibility (package_search, package_show, org counts,
user_show, activity streams). Only the first IPermissionLabels plugin counts, so govcatalog
must come first in ckan.plugins. The rule itself is access/policy.py.
"""

from __future__ import annotations

from ckan import model as core_model
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.govcatalog.access import policy


class PermissionLabels(DefaultPermissionLabels):
    def get_dataset_labels(self, dataset_obj: core_model.Package) -> list[str]:
        entry = policy.Entry.from_package(dataset_obj)
        if not entry.published:
            # private and unpublished entries: CKAN's owner-org (or creator) labels
            return super().get_dataset_labels(dataset_obj)
        return policy.entry_labels(entry)

    def get_user_dataset_labels(self, user_obj: core_model.User | None) -> list[str]:
        labels = super().get_user_dataset_labels(user_obj)
        if user_obj is None or getattr(user_obj, "is_anonymous", False):
            return labels
        # CKAN's labels already name the user's organizations (member-<org id>)
        orgs = frozenset(label[len("member-") :] for label in labels if label.startswith("member-"))
        return labels + policy.viewer_labels(policy.Viewer(user_id=user_obj.id, org_ids=orgs))
