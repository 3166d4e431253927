"""The validators of the catalog schemas, as scheming finds them (``get_validators``).

Field rules (one value each) are in field_rules.py, the rules that tie the fields of an entry
together and hand out its resource code in entry_rules.py, and the URL-name check in
package_names.py.
"""

from __future__ import annotations

from typing import Any

from ckanext.govcatalog.catalog import entry_rules, field_rules, package_names


def get_validators() -> dict[str, Any]:
    return {
        # replaces CKAN's own, which it calls whenever it has to ask the database
        "package_name_validator": package_names.package_name_validator,
        "govcatalog_choice": field_rules.govcatalog_choice,
        "govcatalog_multiple_choice": field_rules.govcatalog_multiple_choice,
        "govcatalog_positive_int": field_rules.govcatalog_positive_int,
        "govcatalog_secret": field_rules.govcatalog_secret,
        "govcatalog_org_code": field_rules.govcatalog_org_code,
        "govcatalog_division_code": field_rules.govcatalog_division_code,
        "govcatalog_digits": field_rules.govcatalog_digits,
        "govcatalog_org_name": field_rules.govcatalog_org_name,
        "govcatalog_org_names": field_rules.govcatalog_org_names,
        "govcatalog_list_output": field_rules.govcatalog_list_output,
        "govcatalog_info_system": field_rules.govcatalog_info_system,
        "govcatalog_parent_org": field_rules.govcatalog_parent_org,
        "govcatalog_resource_code": field_rules.govcatalog_resource_code,
        "govcatalog_entry_rules": entry_rules.govcatalog_entry_rules,
    }
