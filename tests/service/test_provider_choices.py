"""The model pickers ask a profile's /models the way a run calls it: with the profile's headers and query parameters
(Azure's classic endpoints refuse a call without `api-version`)."""

from __future__ import annotations

from promptbench.core.client import NO_KEY_PLACEHOLDER
from promptbench.core.experiment import Experiment
from promptbench.profiles import Profile, ProfileSettings
from promptbench.service.provider_choices import list_models
from tests.support.openai_server import OpenAIServer

EXPERIMENT = Experiment(name="pickers", variants=(), cases=())


def _save(profile: Profile) -> None:
    ProfileSettings().save([profile])  # the test's own PROMPTBENCH_HOME


def test_the_model_list_request_carries_the_profiles_api_version():
    with OpenAIServer(api_key=NO_KEY_PLACEHOLDER, models=["gpt-4o", "gpt-4o-mini"]) as server:
        _save(
            Profile(
                name="azure-classic",
                base_url=server.base_url,
                needs_key=False,
                headers={"X-Team": "support"},
                default_query={"api-version": "2024-10-21"},
            )
        )
        models = list_models(EXPERIMENT, "azure-classic", None)
    assert models == ["gpt-4o", "gpt-4o-mini"]
    [request] = server.requests
    assert (request.path, request.query) == ("/v1/models", "api-version=2024-10-21")
    assert request.headers["x-team"] == "support"


def test_a_profile_without_query_parameters_sends_none():
    with OpenAIServer(api_key=NO_KEY_PLACEHOLDER) as server:
        _save(Profile(name="local", base_url=server.base_url, needs_key=False, default_model="gpt-4o"))
        models = list_models(EXPERIMENT, "local", None)
    assert models == sorted(server.models)
    assert [(r.path, r.query) for r in server.requests] == [("/v1/models", "")]


def test_an_unreachable_profile_offers_its_default_model():
    with OpenAIServer() as server:  # a key the placeholder is not: /models answers 401
        _save(Profile(name="local", base_url=server.base_url, needs_key=False, default_model="my-model"))
        assert list_models(EXPERIMENT, "local", None) == ["my-model"]
