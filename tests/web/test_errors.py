"""Which failed service an error names (web/errors.py): the 503 page and the session's release
depend on it. Pure: no app, no database."""

from __future__ import annotations

import sqlalchemy.exc

from ckanext.govcatalog.web.errors import failed_service


def test_a_session_left_with_a_failed_transaction_is_a_database_failure():
    # what the next use of a session raises after its connection died mid-statement
    assert failed_service(sqlalchemy.exc.PendingRollbackError("rollback first")) == "database"


def test_lost_connections_are_database_failures_and_other_errors_name_no_service():
    lost = sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed"))
    assert failed_service(lost) == "database"
    assert failed_service(ValueError("a bug")) is None
    assert failed_service(sqlalchemy.exc.InvalidRequestError("misuse")) is None


def test_an_error_raised_while_handling_a_lost_connection_names_the_database():
    try:
        try:
            raise sqlalchemy.exc.PendingRollbackError("rollback first")
        except sqlalchemy.exc.PendingRollbackError:
            raise RuntimeError("while rendering")  # noqa: B904 (the context is the point)
    except RuntimeError as error:
        assert failed_service(error) == "database"
