"""The endpoint form's checks and payloads without Textual: texts in, field errors and EndpointSpec/Update out."""

from __future__ import annotations

from hftui.client.endpoints import EndpointSpec, EndpointUpdate
from hftui.client.models import Compute, Endpoint
from hftui.controllers.endpoint_draft import check, field_problem, parse_pairs, replica_range

T4 = Compute(id="aws-us-east-1-t4", vendor="aws", region="us-east-1", accelerator="gpu",
             instance_type="nvidia-t4", instance_size="x1", price_per_hour=0.5)
A10G = Compute(id="aws-us-east-1-a10g", vendor="aws", region="us-east-1", accelerator="gpu",
               instance_type="nvidia-a10g", instance_size="x1", price_per_hour=1.0)


def texts(**over: str) -> dict[str, str]:
    base = {"name": "my-ep", "repository": "org/model", "revision": "", "task": "text-generation",
            "framework": "pytorch", "type": "authenticated", "min_replica": "0", "max_replica": "1",
            "scale_to_zero_timeout": "15", "image_kind": "huggingface", "image_url": "", "image_port": "",
            "health_route": "", "image_env": "", "registry_user": "", "registry_password": "",
            "env": "", "secrets": ""}
    return base | over


def endpoint(**model) -> Endpoint:
    return Endpoint.from_json({
        "name": "my-ep", "status": {"state": "running"},
        "model": {"repository": "org/model", "framework": "pytorch", "task": "text-generation",
                  "image": model.pop("image", {"huggingface": {}}), **model},
        "compute": {"accelerator": "gpu", "instanceType": "nvidia-t4", "instanceSize": "x1",
                    "scaling": {"minReplica": 1, "maxReplica": 2}},
        "provider": {"vendor": "aws", "region": "us-east-1"}}, "ns")


def test_pairs_and_live_field_checks():
    assert parse_pairs("A=1, B = two\nC=") == ({"A": "1", "B": "two", "C": ""}, None)
    assert "is not KEY=VALUE" in parse_pairs("A")[1]
    assert "letters, digits" in parse_pairs("A B=1")[1]
    assert field_problem("image_port", "70000") == "port: between 1 and 65535"
    assert field_problem("image_port", "") is None
    assert field_problem("name", "") is None  # not while still empty; on submit it is required
    assert field_problem("name", "Bad_Name")
    assert replica_range("", "") == (0, 1) and replica_range("3", "2") == (3, 3) and replica_range("x", "4") == (0, 4)


def test_a_valid_create_builds_the_spec():
    draft = check(texts(env="A=1", secrets="S=x"), T4)
    assert draft.problems == [] and not any(draft.errors.values())
    spec = draft.payload()
    assert isinstance(spec, EndpointSpec)
    assert (spec.name, spec.instance_type, spec.min_replica, spec.max_replica, spec.env, spec.secrets) == \
        ("my-ep", "nvidia-t4", 0, 1, {"A": "1"}, {"S": "x"})
    assert spec.custom_image is None
    assert draft.cost_confirmation(None) == ("nvidia-t4 x1 costs $0.50 per replica-hour: $0.50/h with 1 replica."
                                             " Scaled to zero it costs nothing.")


def test_every_problem_is_at_its_field_and_replicas_count_once():
    draft = check(texts(name="", repository="", min_replica="5", max_replica="2", scale_to_zero_timeout="0"), None)
    assert draft.errors["name"] == "the name is required"
    assert "repository is required" in draft.errors["repository"]
    assert draft.errors["instance"] == "choose an instance from the catalog"
    assert draft.errors["max_replica"] == "max replicas: at least the min" and draft.errors["min_replica"] is None
    assert draft.errors["scale_to_zero_timeout"] == "timeout: between 1 and 100000"
    assert len(draft.problems) == 5 and "replicas" in draft.problems


def test_custom_image_needs_a_url_and_a_user_for_a_password():
    draft = check(texts(image_kind="custom", image_port="8080", health_route="health", registry_password="pw"), T4)
    assert draft.errors["image_url"] and draft.errors["health_route"] == "starts with /"
    assert draft.errors["registry_password"] == "a password needs the registry user"
    draft = check(texts(image_kind="custom", image_url="ghcr.io/o/i:1", image_env="MAX_BATCH=8"), T4)
    assert not draft.problems
    image = draft.values["image"]
    assert (image.url, image.port, image.health_route, image.env) == ("ghcr.io/o/i:1", None, "/health", {"MAX_BATCH": "8"})


def test_an_update_sends_only_what_changed():
    ep = endpoint()
    opened = texts(min_replica="1", max_replica="2", scale_to_zero_timeout="")
    draft = check(opened, T4, endpoint=ep, initial=opened)
    assert draft.payload().empty
    now = opened | {"max_replica": "4", "task": "summarization"}
    draft = check(now, A10G, endpoint=ep, initial=opened)
    update = draft.payload()
    assert isinstance(update, EndpointUpdate)
    assert (update.instance_type, update.max_replica, update.task, update.min_replica) == \
        ("nvidia-a10g", 4, "summarization", None)
    assert draft.cost_confirmation(0.5) == (
        "Now: $0.50 per replica-hour, 1–2 replicas. After: nvidia-a10g x1 costs $1.00 per replica-hour:"
        " $1.00/h with 1 replica, up to $4.00/h at 4 replicas.")
    cheaper = check(opened | {"max_replica": "1"}, T4, endpoint=ep, initial=opened)
    assert cheaper.payload().max_replica == 1 and cheaper.cost_confirmation(0.5) is None


def test_an_update_back_to_the_default_image_and_the_password_it_needs_again():
    ep = endpoint(image={"custom": {"url": "ghcr.io/o/i:1", "credentials": {"username": "me"}}})
    opened = texts(image_kind="custom", image_url="ghcr.io/o/i:1", registry_user="me",
                   min_replica="1", max_replica="2")
    draft = check(opened | {"image_kind": "huggingface"}, T4, endpoint=ep, initial=opened)
    assert draft.payload().default_image is True
    draft = check(opened | {"image_url": "ghcr.io/o/i:2"}, T4, endpoint=ep, initial=opened)
    assert draft.errors["registry_password"] == "type the registry password again: the API does not send it back"
    draft = check(opened | {"image_url": "ghcr.io/o/i:2", "registry_password": "pw"}, T4, endpoint=ep,
                  initial=opened)
    assert not draft.problems and draft.payload().custom_image.password == "pw"
