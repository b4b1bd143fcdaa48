"""`promptbench keys ...` and `promptbench providers ...`: API keys in the keyring, and provider profiles.

A key is read from standard input when that is not a terminal, else from a hidden prompt; never from an argument,
where it would land in the shell history and the process list. Exit codes: 0 ok, 1 the keyring or the settings
file could not do it, 2 usage error, 3 a profile test failed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from promptbench.cli.exit_codes import ExitCode
from promptbench.service.providers import (
    NO_KEYRING,
    BadKey,
    KeyringUnavailable,
    KeySource,
    ProfileProblem,
    ProfileTestVerdict,
    ProviderService,
)

ServiceFactory = Callable[[], ProviderService]


def register(subparsers, service: ServiceFactory = ProviderService) -> None:
    """Add the `keys` and `providers` commands; each sets `handler`, a function of the parsed args returning the
    exit code. `service` builds the ProviderService (tests hand in one with their own keyring)."""
    keys = subparsers.add_parser("keys", help="API keys in the OS keyring").add_subparsers(
        dest="keys_command", required=True, metavar="{set,delete,list,hosts}"
    )
    set_key = keys.add_parser("set", help="store a profile's key (from stdin, or a hidden prompt)")
    set_key.add_argument("profile")
    set_key.set_defaults(handler=lambda args: keys_set(args, service()))
    delete = keys.add_parser("delete", help="remove a profile's key from the keyring")
    delete.add_argument("profile")
    delete.set_defaults(handler=lambda args: keys_delete(args, service()))
    keys.add_parser("list", help="where each profile's key comes from").set_defaults(
        handler=lambda args: keys_list(args, service())
    )
    hosts = keys.add_parser("hosts", help="the addresses you approved for a key that a file named")
    hosts.set_defaults(handler=lambda args: keys_hosts_list(args, service()))
    hosts_commands = hosts.add_subparsers(dest="hosts_command", metavar="{list,remove}")
    hosts_commands.add_parser("list", help="list them (the default)").set_defaults(
        handler=lambda args: keys_hosts_list(args, service())
    )
    forget = hosts_commands.add_parser("remove", help="forget every approval of HOST[:PORT]")
    forget.add_argument("host", metavar="HOST[:PORT]")
    forget.set_defaults(handler=lambda args: keys_hosts_remove(args, service()))

    providers = subparsers.add_parser("providers", help="provider profiles").add_subparsers(
        dest="providers_command", required=True, metavar="{list,add,edit,remove,test}"
    )
    providers.add_parser("list", help="profiles and presets").set_defaults(
        handler=lambda args: providers_list(args, service())
    )
    add = providers.add_parser("add", help="save a profile made from a preset")
    add.add_argument("preset")
    add.add_argument("--name", help="the new profile's name (default: the preset's)")
    add.add_argument("--base-url")
    add.add_argument("--model", dest="default_model", help="the profile's default model")
    add.add_argument("--header", action="append", default=[], metavar="NAME=VALUE", help="an extra HTTP header")
    add.add_argument("--query", action="append", default=[], metavar="NAME=VALUE", help="e.g. api-version=2024-10-21")
    add.add_argument("--concurrency", type=int)
    add.add_argument("--timeout", type=float, help="seconds")
    add.set_defaults(handler=lambda args: providers_add(args, service()))
    edit = providers.add_parser("edit", help="change a profile's base URL, default model, concurrency or name")
    edit.add_argument("profile")
    edit.add_argument("--base-url")
    edit.add_argument("--model", dest="default_model", help="the profile's default model")
    edit.add_argument("--concurrency", type=int)
    edit.add_argument("--timeout", type=float, help="seconds")
    edit.add_argument("--name", dest="new_name", help="a new name (its key goes with it)")
    edit.set_defaults(handler=lambda args: providers_edit(args, service()))
    remove = providers.add_parser("remove", help="forget a saved profile and its key")
    remove.add_argument("profile")
    remove.set_defaults(handler=lambda args: providers_remove(args, service()))
    test = providers.add_parser("test", help="list the models and make one tiny call")
    test.add_argument("profile")
    test.add_argument("--model", help="the model for the tiny call (default: the profile's)")
    test.set_defaults(handler=lambda args: providers_test(args, service()))


# ----- keys


def keys_set(args, service: ProviderService) -> int:
    try:
        profile = service.profile(args.profile)
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.USAGE)
    if service.keyring_problem():  # say so before the user pastes a key that has nowhere to go
        return _no_keyring(profile)
    if sys.stdin is None or sys.stdin.isatty():
        try:
            key = getpass.getpass(f"Key for {profile.display_name} (hidden): ")
        except (EOFError, KeyboardInterrupt):
            return _say_error("No key was typed; nothing changed.", ExitCode.USAGE)
    else:
        key = sys.stdin.read()
    try:
        service.set_key(profile.name, key)
    except BadKey as problem:
        return _say_error(f"{problem} Nothing changed.", ExitCode.USAGE)
    except KeyringUnavailable:
        return _no_keyring(profile)
    print(f"Stored the key for {profile.display_name} in the system keyring.")
    return ExitCode.OK


def keys_delete(args, service: ProviderService) -> int:
    try:
        profile = service.profile(args.profile)
        deleted = service.delete_key(profile.name)
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.USAGE)
    except KeyringUnavailable as problem:
        return _say_error(problem, ExitCode.NOT_DONE)
    if deleted:
        print(f"Deleted the key for {profile.display_name} from the system keyring.")
    else:
        print(f"There was no key for {profile.display_name} in the system keyring.")
    found = service.key_store.find(profile)
    if found.source is KeySource.ENVIRONMENT:
        print(f"{found.env_var} is still set in the environment and will be used.")
    return ExitCode.OK


def keys_list(args, service: ProviderService) -> int:
    try:
        statuses = service.statuses()
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.NOT_DONE)
    keyring_problem = service.keyring_problem()
    if keyring_problem:
        print(keyring_problem)
    width = max(len(s.profile.name) for s in statuses)
    for status in statuses:
        print(f"{status.profile.name:<{width}}  {status.key.describe()}")
    return ExitCode.OK


def keys_hosts_list(args, service: ProviderService) -> int:
    try:
        approved = service.key_hosts()
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.NOT_DONE)
    if not approved:
        print("No addresses approved: keys go only to their profiles' own addresses.")
    for entry in approved:
        print(f"{entry.host}  {entry.describe()}")
    return ExitCode.OK


def keys_hosts_remove(args, service: ProviderService) -> int:
    try:
        forgotten = service.forget_key_host(args.host)
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.NOT_DONE)
    if not forgotten:
        return _say_error(f"No key was approved for {args.host}; nothing changed.", ExitCode.USAGE)
    print(f"Forgot {args.host}: a file that sends a key there will be stopped again.")
    return ExitCode.OK


# ----- providers


def providers_list(args, service: ProviderService) -> int:
    try:
        statuses = service.statuses()
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.NOT_DONE)
    width = max(len(s.profile.name) for s in statuses)
    for status in statuses:
        profile = status.profile
        model = f"  model {profile.default_model}" if profile.default_model else ""
        print(f"{profile.name:<{width}}  {profile.base_url}{model}  key: {status.key.describe()}")
    print("Presets for `promptbench providers add`: " + ", ".join(p.name for p in service.preset_list()) + ".")
    return ExitCode.OK


def providers_add(args, service: ProviderService) -> int:
    try:
        headers = _pairs(args.header, "--header")
        query = _pairs(args.query, "--query")
    except ValueError as problem:
        return _say_error(problem, ExitCode.USAGE)
    try:
        profile = service.add_profile(
            args.preset,
            name=args.name,
            base_url=args.base_url,
            default_model=args.default_model,
            headers=headers,
            query=query,
            concurrency=args.concurrency,
            timeout=args.timeout,
        )
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.USAGE)
    print(f"Saved the profile {profile.name} ({profile.base_url}).")
    if profile.needs_key:
        print(f"Give it a key with: promptbench keys set {profile.name}")
    return ExitCode.OK


def providers_edit(args, service: ProviderService) -> int:
    changes = {
        key: getattr(args, key)
        for key in ("base_url", "default_model", "concurrency", "timeout", "new_name")
        if getattr(args, key) is not None
    }
    if not changes:
        return _say_error(
            "Say what to change: --base-url, --model, --concurrency, --timeout or --name.", ExitCode.USAGE
        )
    try:
        profile = service.edit_profile(args.profile, **changes)
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.USAGE)
    except KeyringUnavailable as problem:
        return _say_error(problem, ExitCode.NOT_DONE)
    model = f", model {profile.default_model}" if profile.default_model else ""
    print(f"Saved the profile {profile.name} ({profile.base_url}{model}).")
    return ExitCode.OK


def providers_remove(args, service: ProviderService) -> int:
    try:
        removed = service.remove_profile(args.profile)
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.NOT_DONE)
    if not removed:
        return _say_error(f"There is no saved profile named {args.profile!r}.", ExitCode.USAGE)
    print(f"Removed the profile {args.profile} and its key.")
    return ExitCode.OK


def providers_test(args, service: ProviderService) -> int:
    try:
        result = service.test_profile(args.profile, model=args.model)
    except ProfileProblem as problem:
        return _say_error(problem, ExitCode.USAGE)
    if result.models:
        shown = ", ".join(result.models[:10]) + (" ..." if len(result.models) > 10 else "")
        print(service.redactor()(f"Models ({len(result.models)}): {shown}"))
    if result.ok:
        print(result.message)
        return ExitCode.OK
    hint = ""
    if result.verdict in (ProfileTestVerdict.WRONG_KEY, ProfileTestVerdict.NO_KEY):
        hint = f" Set it with: promptbench keys set {result.profile.name}"
    return _say_error(result.message + hint, ExitCode.CALLS_FAILED)


# ----- helpers


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{option} takes NAME=VALUE (an equals sign was missing).")
        pairs[name.strip()] = text.strip()
    return pairs


def _no_keyring(profile) -> int:
    message = NO_KEYRING
    if profile.api_key_env:
        message += f" For this session only, set {profile.api_key_env} in the environment."
    return _say_error(message, ExitCode.NOT_DONE)


def _say_error(message, code: int) -> int:
    print(f"promptbench: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None, service: ServiceFactory = ProviderService) -> int:
    """Just these commands, without the rest of the CLI (`python -m promptbench.cli.keys keys list`)."""
    parser = argparse.ArgumentParser(prog="promptbench")
    register(parser.add_subparsers(dest="command", required=True), service)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
