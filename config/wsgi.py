"""CKAN's WSGI application, built from the ini named by CKAN_INI (config/gunicorn.conf.py loads it).

CKAN 2.12 keeps its own ``wsgi.py`` in the source tree but not in the package installed from
PyPI, so the catalog carries this one: the same three steps (read the ini chain, which also sets
up its logging; load the plugins; build the Flask stack).
"""

from __future__ import annotations

import logging
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

ini_path = os.environ.get("CKAN_INI")
if not ini_path:
    raise RuntimeError("CKAN_INI is not set: name the CKAN ini to serve (e.g. .data/ckan.ini)")

# Reading the ini applies its [loggers] with logging.config.fileConfig, which disables every
# logger that exists already: gunicorn's own (its error and access logs) among them.
_enabled = [
    logger
    for logger in logging.root.manager.loggerDict.values()
    if isinstance(logger, logging.Logger) and not logger.disabled
]
_config = load_config(ini_path)
for _logger in _enabled:
    _logger.disabled = False

application = make_app(_config)
