"""Wires ckanext-govcatalog into CKAN. Holds no rules: each hook calls the module that owns it."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.govcatalog import cli, helpers, views
from ckanext.govcatalog import model as _model  # noqa: F401  (maps our tables on load)
from ckanext.govcatalog.access import hooks as access_hooks
from ckanext.govcatalog.access.labels import PermissionLabels
from ckanext.govcatalog.logic import action, auth, validators
from ckanext.govcatalog.search import facets as search_facets
from ckanext.govcatalog.search import index as search_index
from ckanext.govcatalog.search import query as search_query
from ckanext.govcatalog.search import text as search_text


class GovCatalogPlugin(p.SingletonPlugin, DefaultTranslation, PermissionLabels):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IBlueprint)
    p.implements(p.IClick)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.IPermissionLabels)  # from PermissionLabels (access/labels.py)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "govcatalog")

    # IConfigDeclaration
    def declare_config_options(self, declaration: Any, key: Any) -> None:
        declaration.load_dict(_config_declaration())

    # IActions / IAuthFunctions / IValidators / ITemplateHelpers
    def get_actions(self) -> dict[str, Any]:
        return action.get_actions()

    def get_auth_functions(self) -> dict[str, Any]:
        return auth.get_auth_functions()

    def get_validators(self) -> dict[str, Any]:
        return validators.get_validators()

    def get_helpers(self) -> dict[str, Any]:
        return helpers.get_helpers()

    # IBlueprint / IClick
    def get_blueprint(self) -> list[Any]:
        return views.get_blueprints()

    def get_commands(self) -> list[Any]:
        return cli.get_commands()

    # ISignal: the audit chain records catalog changes from action_succeeded
    def get_signal_subscriptions(self) -> Any:
        from ckanext.govcatalog.audit import hooks as audit_hooks

        return audit_hooks.get_signal_subscriptions()

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        pkg_dict = search_text.add_search_text(search_index.before_dataset_index(pkg_dict))
        return access_hooks.before_dataset_index(pkg_dict)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        access_hooks.after_dataset_show(context, pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search_query.before_dataset_search(search_params)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        return search_facets.label_facets(search_results, search_params)

    # IFacets
    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return search_facets.dataset_facets(facets_dict, package_type)

    def organization_facets(
        self, facets_dict: Any, organization_type: str, package_type: Any
    ) -> Any:
        return search_facets.organization_facets(facets_dict, organization_type, package_type)

    def group_facets(self, facets_dict: Any, group_type: str, package_type: Any) -> Any:
        return search_facets.group_facets(facets_dict, group_type, package_type)


def _config_declaration() -> dict[str, Any]:
    import os

    import yaml

    path = os.path.join(os.path.dirname(__file__), "config_declaration.yaml")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)
