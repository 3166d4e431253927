"""Template helpers of 一数一源: an entry's standing towards the sources of its elements."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.elements import provenance


def govcatalog_provenance_label(verdict: str) -> str:
    return provenance.verdict_label(verdict)


def govcatalog_entry_provenance(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The elements an entry holds whose 数源部门 is another department, for its page: each with
    the verdict (``cites`` / ``repeated``) and the source's entry to obtain it from, if the
    reader may see one."""
    user = tk.current_user if tk.current_user.is_authenticated else None
    viewer = policy.viewer_for(user)
    out = []
    for finding in provenance.entry_findings(pkg):
        visible = [h for h in finding.source_entries if policy.can_see_entry(viewer, h.entry)]
        source = provenance.best_source_entry(visible)
        out.append(
            {
                "element_id": finding.element_id,
                "element_name": finding.element_name,
                "items": list(finding.items),
                "source_org_name": finding.source_org_name,
                "source_org_title": finding.source_org_title,
                "verdict": finding.verdict,
                "source_entry": source.as_package() if source else None,
            }
        )
    return out


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_provenance_label": govcatalog_provenance_label,
        "govcatalog_entry_provenance": govcatalog_entry_provenance,
    }
