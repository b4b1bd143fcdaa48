"""Testing a profile: GET /models then one tiny chat call, against the real local OpenAI server and stand-ins."""

from __future__ import annotations

import pytest

from promptbench.secrets import KeyStore
from promptbench.service.providers import ProfileTestVerdict, ProviderService
from tests.support.openai_server import Fault, OpenAIServer
from tests.support.stand_ins import PLANTED_KEY, closed_port, html_site


@pytest.fixture
def server():
    with OpenAIServer(api_key=PLANTED_KEY) as running:
        yield running


def _add(service: ProviderService, base_url: str, **changes) -> str:
    service.add_profile("openai", name="local", base_url=base_url, **changes)
    return "local"


def test_a_working_profile_reports_its_models_and_latency(service, server):
    name = _add(service, server.base_url, headers={"X-Title": "PromptBench"})
    service.set_key(name, PLANTED_KEY)
    result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.OK, result.message
    assert result.models == tuple(server.models)
    assert result.model == "gpt-4o-mini"
    assert result.latency is not None and result.latency > 0
    assert result.message.startswith("local answered with gpt-4o-mini in ")
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/chat/completions"]
    for request in server.requests:
        assert request.headers["authorization"] == f"Bearer {PLANTED_KEY}"
        assert request.headers["x-title"] == "PromptBench"
    assert server.requests[1].body["max_tokens"] == 16


def test_the_model_to_try_can_be_chosen(service, server):
    name = _add(service, server.base_url)
    service.set_key(name, PLANTED_KEY)
    assert service.test_profile(name, model="gpt-4o").model == "gpt-4o"
    assert server.requests[-1].body["model"] == "gpt-4o"


def test_a_wrong_key_is_named_plainly_and_no_chat_call_follows(service, server):
    name = _add(service, server.base_url)
    service.set_key(name, "sk-wrong-key-000000000000")
    result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.WRONG_KEY
    assert result.message == "The key for local was refused (401)."
    assert server.count("/v1/chat/completions") == 0


def test_a_refused_key_from_the_environment_names_the_variable(server, memory_keyring):
    env = {"OPENAI_API_KEY": "sk-wrong-key-000000000000", "OPENAI_BASE_URL": server.base_url}
    service = ProviderService(key_store=KeyStore(env=env, backend=memory_keyring), env=env)
    result = service.test_profile("openai")
    assert result.message == "The key for OpenAI (from OPENAI_API_KEY) was refused (401)."


def test_no_key_is_said_before_any_call(service, server):
    name = _add(service, server.base_url)
    result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.NO_KEY
    assert result.message == "There is no key for local in the keyring or in OPENAI_API_KEY."
    assert server.requests == []


def test_an_unreachable_server_is_named(service):
    name = _add(service, f"http://127.0.0.1:{closed_port()}/v1")
    service.set_key(name, PLANTED_KEY)
    result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.UNREACHABLE
    assert result.message.startswith("Could not reach http://127.0.0.1:")
    assert "refused" in result.message.lower()


def test_a_server_that_never_answers_is_unreachable_within_the_profile_timeout(service, server):
    name = _add(service, server.base_url, timeout=0.5)
    service.set_key(name, PLANTED_KEY)
    server.add_faults(Fault.hang(30))
    result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.UNREACHABLE
    assert result.message == f"{server.base_url} did not answer within 0.5 seconds."


def test_a_web_page_where_the_api_should_be_is_not_openai_compatible(service):
    with html_site() as site:
        name = _add(service, site.base_url, query={"api-version": "2024-10-21"})
        service.set_key(name, PLANTED_KEY)
        result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.NOT_COMPATIBLE
    assert "not with an OpenAI-style list of models" in result.message
    # the profile's query parameters go with every call (Azure's api-version)
    assert site.targets == ["/v1/models?api-version=2024-10-21"]


def test_an_unknown_model_is_refused_with_its_name(service, server):
    name = _add(service, server.base_url)
    service.set_key(name, PLANTED_KEY)
    result = service.test_profile(name, model="gpt-nonexistent")
    assert result.verdict is ProfileTestVerdict.REFUSED
    assert result.message == "local does not know the model 'gpt-nonexistent' (404)."


def test_a_quota_error_passes_on_the_server_sentence(service, server):
    name = _add(service, server.base_url)
    service.set_key(name, PLANTED_KEY)
    server.add_faults(Fault.quota())
    result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.REFUSED
    assert result.message.startswith("local answered /chat/completions with 429: You exceeded your current quota")


def test_a_server_error_is_a_server_error(service, server):
    name = _add(service, server.base_url)
    service.set_key(name, PLANTED_KEY)
    server.add_faults(Fault.server_error())
    assert service.test_profile(name).verdict is ProfileTestVerdict.SERVER_ERROR


def test_a_gateway_page_instead_of_a_completion_is_not_compatible(service, server):
    name = _add(service, server.base_url)
    service.set_key(name, PLANTED_KEY)
    server.add_faults(Fault.malformed())
    result = service.test_profile(name)
    assert result.verdict is ProfileTestVerdict.NOT_COMPATIBLE
    assert result.message == f"{server.base_url}/chat/completions answered, but not like an OpenAI-compatible API."


def test_the_echo_profile_works_offline(service):
    result = service.test_profile("echo")
    assert result.ok and result.model == "echo"
