"""The served OpenAPI document is valid OpenAPI 3.0.3 and lists every route with its error
responses; the commands that set up a database do what the README says."""
import json

from openapi_spec_validator import OpenAPIV30SpecValidator

from server.apidoc import oas30
from tests.test_migrations import run_command


async def test_the_served_document_is_valid_openapi_3_0(backend):
    from tests.asgi import client

    async with client(backend.app) as c:
        document = (await c.get("/docs/openapi.json")).json()
    assert document["openapi"] == "3.0.3"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in OpenAPIV30SpecValidator(document).iter_errors()]
    assert errors == []
    text = json.dumps(document)
    # 3.1 dialect that 3.0 tools read wrongly or refuse
    assert '"type": "null"' not in text and '"const"' not in text and '"$defs"' not in text


def test_pydantic_3_1_dialect_is_rewritten_for_3_0():
    assert oas30({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}], "default": None}) == {
        "type": "integer", "minimum": 1, "default": None, "nullable": True}
    assert oas30({"anyOf": [{"$ref": "#/components/schemas/Geofence"}, {"type": "null"}]}) == {
        "allOf": [{"$ref": "#/components/schemas/Geofence"}], "nullable": True}
    assert oas30({"type": "string", "default": None}) == {"type": "string"}
    assert oas30({"const": "a"}) == {"enum": ["a"]}
    assert oas30({"type": "number", "exclusiveMinimum": 0}) == {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    assert oas30({"properties": {"default": {"type": "string"}}}) == {"properties": {"default": {"type": "string"}}}


async def test_every_api_route_is_documented_with_its_errors(backend):
    from tests.asgi import client

    async with client(backend.app) as c:
        document = (await c.get("/docs/openapi.json")).json()
    api_routes = [r for r in backend.app.router.routes if r.path.startswith("api/v1/")]
    assert len(api_routes) >= 15
    for route in api_routes:
        path = "/" + "/".join(
            "{" + part[1:-1].split(":")[0] + "}" if part.startswith("<") else part for part in route.path.split("/"))
        for method in route.methods - {"OPTIONS", "HEAD"}:  # added by sanic-ext for every route
            operation = document["paths"][path][method.lower()]
            statuses = set(operation["responses"])
            assert any(s.startswith("2") for s in statuses), path
            errors = {s for s in statuses if s.startswith("4")}
            assert {"400"} <= errors, (method, path)
            for status in errors:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert "ErrorBody" in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_create_root_on_an_empty_database_then_refuses(tmp_path):
    url = f"sqlite://{tmp_path / 'root.sqlite3'}"
    assert run_command("migrate", database_url=url).returncode == 0
    args = ("create-root", "--name", "杭州市个私协会", "--district", "杭州市", "--admin-openid", "dev-boss")
    first = run_command(*args, database_url=url)
    assert first.returncode == 0, first.stderr
    assert "dev-boss" in first.stdout
    second = run_command(*args, database_url=url)
    assert second.returncode == 1 and "tree_not_empty" in second.stderr


def test_demo_data_loads_once_with_every_category(tmp_path):
    url = f"sqlite://{tmp_path / 'demo.sqlite3'}"
    assert run_command("migrate", database_url=url).returncode == 0
    assert "demo data loaded" in run_command("seed-demo", database_url=url).stdout
    assert "not loaded" in run_command("seed-demo", database_url=url).stdout
    import sqlite3

    db = sqlite3.connect(tmp_path / "demo.sqlite3")
    categories = {row[0] for row in db.execute("SELECT DISTINCT category FROM members")}
    secretaries = {row[0] for row in db.execute(
        "SELECT u.openid FROM roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'secretary'")}
    assert categories == {"affiliated", "local", "floating"}
    assert secretaries == {"dev-secretary1", "dev-secretary2"}
    assert db.execute("SELECT count(*) FROM registrations WHERE status='pending'").fetchone()[0] == 1


def test_demo_crowd_adds_members_who_can_log_in(tmp_path):
    url = f"sqlite://{tmp_path / 'crowd.sqlite3'}"
    assert run_command("migrate", database_url=url).returncode == 0
    assert run_command("seed-demo", database_url=url).returncode == 0
    first = run_command("demo-crowd", "--org-id", "6", "--count", "25", database_url=url)
    again = run_command("demo-crowd", "--org-id", "6", "--count", "25", database_url=url)
    assert first.returncode == 0 and "dev:crowd1 … dev:crowd25" in first.stdout, first.stderr
    assert again.returncode == 0  # running it twice adds nobody twice
    import sqlite3

    db = sqlite3.connect(tmp_path / "crowd.sqlite3")
    rows = db.execute("SELECT count(*) FROM members m JOIN users u ON u.id = m.user_id "
                      "WHERE u.openid LIKE 'dev-crowd%' AND m.life_org_id = 6").fetchone()[0]
    assert rows == 25


def test_every_shape_has_a_name_of_its_own():
    """The document names each shape by its class: two classes of one name would share one
    schema, and one route's answer would be checked against the other's (it happened)."""
    from pydantic import BaseModel

    from server.app import create_app  # noqa: F401  (imports every route module and its shapes)

    seen: dict[str, str] = {}
    duplicates = []
    todo = list(BaseModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if not cls.__module__.startswith("server."):
            continue
        other = seen.setdefault(cls.__name__, cls.__module__)
        if other != cls.__module__:
            duplicates.append((cls.__name__, other, cls.__module__))
    assert not duplicates, duplicates

