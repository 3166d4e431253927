"""IPermissionLabels for spec §4 entry visibility (package_search, package_show, org counts,
user_show, activity streams). Only the first IPermissionLabels plugin counts, so govcatalog
must come first in ckan.plugins. The rule itself is access/policy.py.
"""

from __future__ import annotations

from ckan import authz
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
        if user_obj is None or getattr(user_obj, "is_anonymous", False):
            return super().get_user_dataset_labels(user_obj)
        viewer = policy.served_viewer(user_obj.id)
        if viewer is not None and not authz.check_config_permission("allow_dataset_collaborators"):
            # the labels CKAN's default would compute, from the organizations the action being
            # served has just read (policy.read_org_ids: organization_list_for_user's "read")
            members = [f"member-{org_id}" for org_id in sorted(viewer.org_ids)]
            return ["public", f"creator-{user_obj.id}", *members, *policy.viewer_labels(viewer)]
        labels = super().get_user_dataset_labels(user_obj)
        # CKAN's labels already name the user's organizations (member-<org id>)
        orgs = frozenset(label[len("member-") :] for label in labels if label.startswith("member-"))
        return labels + policy.viewer_labels(policy.Viewer(user_id=user_obj.id, org_ids=orgs))
