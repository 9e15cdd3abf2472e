"""Print the app services' environment from docker-compose.yml as shell `export` lines, with
compose's ${VAR}, ${VAR:-default} and ${VAR:?message} resolved from the current environment.

`make production-smoke` evaluates them before it overrides only the host-specific addresses
(database, Redis, directories), so the smoke runs with the production flags of the compose file.
Also used by tests/deploy to run `check --deploy` with exactly those variables."""

import os
import re
import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|:\?|-|\?)(?P<arg>[^}]*))?\}"
)


class MissingVariable(Exception):
    pass


def interpolate(value: str, env: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":  # compose's escaped dollar
            return "$"
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        current = env.get(name)
        if op in (":-", "-"):
            unset = current is None or (op == ":-" and current == "")
            return arg if unset else current
        if op in (":?", "?"):
            if current is None or (op == ":?" and current == ""):
                raise MissingVariable(f"{name}: {arg}")
            return current
        return current or ""

    return VARIABLE.sub(replace, value)


def app_environment(env: dict[str, str] | None = None, service: str = "web") -> dict[str, str]:
    env = dict(os.environ if env is None else env)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    raw = compose["services"][service]["environment"]
    return {key: interpolate(str(value), env) for key, value in raw.items()}


def main() -> int:
    service = sys.argv[1] if len(sys.argv) > 1 else "web"
    try:
        values = app_environment(service=service)
    except MissingVariable as exc:
        print(f"compose_env: {exc}", file=sys.stderr)
        return 1
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
