"""Property-based API tests from the OpenAPI schema, with a signed-in client for each role.

Checks: no 5xx, status codes and content types the schema documents, bodies matching the
schema. Bounded (a few examples per operation) so it fits CI; runs on SQLite.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared_models.enums import Role
from sync_server.app import create_app
from sync_server.db import make_engine
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.conftest import SECRET
from tests.server.helpers import ZH, login, make_user

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
#: Logging out would spend the role's token for the rest of the run; tested elsewhere.
EXCLUDED = {("POST", "/api/v1/auth/logout")}


@dataclass
class Api:
    app: Any
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def api(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path = tmp_path_factory.mktemp("schemathesis") / "poruch.db"
    shutil.copy(sqlite_template, path)
    s = Settings(database_url=f"sqlite:///{path}", secret_key=SECRET, instance_id="st",
                 login_max_failures_per_address=10_000, login_max_failures_per_account=10_000)
    engine = make_engine(s.database_url)
    app = create_app(s, engine=engine)
    headers = {}
    with AppClient(app) as client:
        for role in Role:
            make_user(engine, s, role.value, role, [ZH])
            headers[role.value] = login(client, role.value)
    yield Api(app, headers)
    engine.dispose()


#: Loaded from an app on a throwaway database: the schema does not depend on the data.
SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(database_url="sqlite:///:memory:")))
OPERATIONS = [r.ok() for r in SCHEMA.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_api_conforms(operation: Any, api: Api) -> None:
    if (operation.method.upper(), operation.path) in EXCLUDED:
        return

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        # Each generated request goes to the app with users and data, once per role, then
        # once without a token.
        for role in Role:
            case.call_and_validate(headers=api.headers[role.value], checks=CHECKS, app=api.app)
        anonymous = {k: v for k, v in api.headers["admin"].items() if k != "Authorization"}
        case.call_and_validate(headers=anonymous, checks=CHECKS, app=api.app)

    run()
