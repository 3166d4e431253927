"""Wires ckanext-govcatalog into CKAN. Holds no rules: each hook calls the package that owns it.

Each feature package offers its actions, auth functions, validators, template helpers, blueprints
and CLI commands through ``get_<kind>()`` functions in its own modules; ``PROVIDERS`` lists them
and ``collect`` merges them, refusing to start when two modules register the same name (a plain
dict merge would let one silently replace the other).
"""

from __future__ import annotations

import copy
import functools
import importlib
import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import click
from ckan.lib.plugins import DefaultTranslation

from ckanext.govcatalog import model as _model  # noqa: F401  (maps our tables on load)
from ckanext.govcatalog.access import indexing as access_indexing
from ckanext.govcatalog.access import read_paths
from ckanext.govcatalog.access.labels import PermissionLabels

# Imported now, not in collect(): scheming asks every plugin for validators while its own
# validation module is half-initialised, and ours imports from it.
from ckanext.govcatalog.catalog import validators as _validators  # noqa: F401
from ckanext.govcatalog.elements import provenance as element_provenance
from ckanext.govcatalog.search import facets as search_facets
from ckanext.govcatalog.search import index as search_index
from ckanext.govcatalog.search import query as search_query
from ckanext.govcatalog.search import text as search_text
from ckanext.govcatalog.systems import facets as systems_facets

# kind -> modules (under ckanext.govcatalog) whose get_<kind>() contribute to it
PROVIDERS: dict[str, tuple[str, ...]] = {
    "actions": (
        "catalog.actions",
        "catalog.form",
        "search.actions",
        "access.read_paths",
        "sharing.actions",
        "audit.actions",
        "dcat.publication",
        "elements.actions",
        "tabular.api",
        "tabular.usage_actions",
    ),
    "auth_functions": (
        "catalog.auth",
        "catalog.form",
        "search.actions",
        "access.auth",
        "sharing.auth",
        "elements.auth",
        "tabular.api",
        "tabular.usage_actions",
    ),
    "validators": (
        "catalog.validators",
        "bulk.fastpath.ckan_checks",
        "catalog.form",
        "elements.validators",
        "web.dates",
    ),
    "helpers": (
        "catalog.helpers",
        "catalog.form",
        "home.helpers",
        "sharing.helpers",
        "elements.helpers",
        "elements.report_helpers",
        "search.cards",
        "web.branding",
        "web.navigation",
        "web.dates",
        "web.naming",
        "web.entry_page",
        "sso.helpers",
        "tabular.preview",
        "tabular.usage_views",
    ),
    "blueprints": (
        "web.session",
        "web.compat",
        "web.login_throttle",
        "web.page_cache",
        "sharing.views",
        "search.views",
        "access.accesslog",
        "bulk.views",
        "elements.views",
        "elements.report_views",
        "tabular.usage_views",
        "sso.views",
    ),
    "commands": (
        "demo.cli",
        "bulk.cli",
        "sharing.cli",
        "audit.cli",
        "ops.cli",
        "elements.cli",
        "ops.health",
        "tabular.usage_cli",
    ),
}


class DuplicateRegistration(Exception):
    """Two modules register the same action, auth function, helper, blueprint or command."""


def collect(kind: str, providers: tuple[str, ...] | None = None) -> Any:
    """The merged registrations of ``kind``: a dict (actions, auth, validators, helpers) or a list
    (blueprints, commands). Raises DuplicateRegistration naming both modules on a clash."""
    seen: dict[str, str] = {}
    merged: dict[str, Any] = {}
    items: list[Any] = []
    for module_name in providers if providers is not None else PROVIDERS[kind]:
        module = importlib.import_module(f"ckanext.govcatalog.{module_name}")
        found = getattr(module, f"get_{kind}")()
        pairs = found.items() if isinstance(found, dict) else ((i.name, i) for i in found)
        for name, item in pairs:
            if name in seen:
                raise DuplicateRegistration(
                    f"govcatalog: {kind[:-1]} {name!r} is registered by both "
                    f"{seen[name]} and {module_name}"
                )
            seen[name] = module_name
            merged[name] = item
            items.append(item)
    return items if kind in ("blueprints", "commands") else merged


@click.group(short_help="政务信息资源目录 (govcatalog) commands")
def govcatalog() -> None:
    """Commands of the government information resource catalog."""


def _command_group() -> click.Group:
    for command in collect("commands"):
        # get_commands may be asked for more than once (each app built in a process)
        govcatalog.commands.setdefault(command.name, command)
    return govcatalog


@functools.lru_cache(maxsize=2)
def _declarations(path: str, mtime: float) -> dict[str, Any]:
    """config_declaration.yaml, parsed once per process (again if it changes): every app built
    loads the plugins again, and the test suite builds hundreds (~0.1 s of YAML each)."""
    import yaml

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


class GovCatalogPlugin(p.SingletonPlugin, DefaultTranslation, PermissionLabels):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
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
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "govcatalog")

    # IConfigurable: settings whose lower bound is a rule, checked before anything is served
    def configure(self, config: Any) -> None:
        from ckanext.govcatalog.tabular import usage

        usage.check_settings(config)

    # IConfigDeclaration
    def declare_config_options(self, declaration: Any, key: Any) -> None:
        path = os.path.join(os.path.dirname(__file__), "config_declaration.yaml")
        declaration.load_dict(copy.deepcopy(_declarations(path, os.path.getmtime(path))))

    # IActions / IAuthFunctions / IValidators / ITemplateHelpers / IBlueprint / IClick
    def get_actions(self) -> dict[str, Any]:
        return collect("actions")

    def get_auth_functions(self) -> dict[str, Any]:
        return collect("auth_functions")

    def get_validators(self) -> dict[str, Any]:
        return collect("validators")

    def get_helpers(self) -> dict[str, Any]:
        return collect("helpers")

    def get_blueprint(self) -> list[Any]:
        return collect("blueprints")

    def get_commands(self) -> list[Any]:
        return [_command_group()]

    # IMiddleware: runs after CKAN registered its error handlers, so ours replace its 500 page
    def make_middleware(self, app: Any, config: Any) -> Any:
        from ckanext.govcatalog.web import errors, page_cache

        errors.install(app)
        page_cache.install(app)
        return app

    # ISignal: the audit chain records catalog changes from action_succeeded; tabular loading
    # queues DataStore loads of changed CSV/XLSX files from it
    def get_signal_subscriptions(self) -> Any:
        from ckanext.govcatalog.audit import subscriptions
        from ckanext.govcatalog.tabular import loading

        merged: dict[Any, list[Any]] = {}
        for found in (subscriptions.get_signal_subscriptions(), loading.get_signal_subscriptions()):
            for signal, receivers in found.items():
                merged.setdefault(signal, []).extend(receivers)
        return merged

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from ckanext.govcatalog.web import page_cache

        page_cache.search_index_changing()  # cached search pages must not outlive the update
        pkg_dict = search_index.before_dataset_index(pkg_dict, element_provenance.index_fields)
        pkg_dict = search_text.add_search_text(pkg_dict)
        return access_indexing.before_dataset_index(pkg_dict)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        read_paths.after_dataset_show(context, pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search_query.before_dataset_search(search_params)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        search_results = search_facets.label_facets(search_results, search_params)
        return systems_facets.label_facets(search_results, search_params)

    # IFacets
    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        if package_type == systems_facets.DATASET_TYPE:
            return systems_facets.dataset_facets(facets_dict, package_type)
        return search_facets.dataset_facets(facets_dict, package_type)

    def organization_facets(
        self, facets_dict: Any, organization_type: str, package_type: Any
    ) -> Any:
        return search_facets.organization_facets(facets_dict, organization_type, package_type)

    def group_facets(self, facets_dict: Any, group_type: str, package_type: Any) -> Any:
        return search_facets.group_facets(facets_dict, group_type, package_type)
