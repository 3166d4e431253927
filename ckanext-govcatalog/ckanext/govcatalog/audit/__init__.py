"""The audit chain (目录链, catalog-spec §6).

log.py appends, verifies and reads the hash-chained records; records.py says what a record holds;
subscriptions.py decides which actions are recorded (the ``action_succeeded`` receiver), helped
by the chained actions of actions.py; cli.py is ``ckan govcatalog audit``.
"""
