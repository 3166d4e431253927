"""ckanext-govcatalog: a government information resource catalog (政务信息资源目录) on CKAN 2.12."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-govcatalog",
    version="0.1.0",
    description="Government information resource catalog and metadata registry for CKAN 2.12",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11",
    package_dir={"": "ckanext-govcatalog"},
    packages=find_namespace_packages(where="ckanext-govcatalog", include=["ckanext.govcatalog*"]),
    include_package_data=True,
    package_data={
        "ckanext.govcatalog": [
            "templates/**/*",
            "public/**/*",
            "i18n/**/*",
            "migration/**/*",
            "config_declaration.yaml",
        ],
    },
    install_requires=[],  # pinned in requirements.txt, installed by scripts/install.sh
    entry_points={
        "ckan.plugins": [
            "govcatalog = ckanext.govcatalog.plugin:GovCatalogPlugin",
        ],
        "ckan.rdf.profiles": [
            "govcatalog_dcat = ckanext.govcatalog.dcat.profile:GovCatalogDCATProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext-govcatalog/ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
