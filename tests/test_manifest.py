"""The Slack manifest asks for exactly what the code uses: its commands and its scopes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CODE = [p for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py")]

# Web API methods the code may call (slack-sdk method names) and the bot scopes they need.
# https://api.slack.com/methods: views.* and auth.test need none; posting into channels the
# bot was not invited to needs chat:write.public besides chat:write.
SCOPES_BY_METHOD = {
    "chat_postMessage": {"chat:write", "chat:write.public"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "conversations_history": {"channels:history", "groups:history"},
    "files_upload_v2": {"files:write"},
    "users_info": {"users:read"},
    "usergroups_list": {"usergroups:read"},
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
}


def manifest() -> dict:
    return yaml.safe_load((ROOT / "slack-manifest.yml").read_text(encoding="utf-8"))


def source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in CODE)


def test_every_web_api_method_the_code_calls_is_known_here() -> None:
    called = set(re.findall(r"\.((?:chat|conversations|views|files|users|usergroups)_[a-zA-Z0-9_]+)\(",
                            source()))
    assert called, "no Web API calls found: the scan is broken"
    assert called <= set(SCOPES_BY_METHOD), f"add the scopes of {called - set(SCOPES_BY_METHOD)}"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses() -> None:
    called = set(re.findall(r"\.([a-z]+_[a-zA-Z0-9_]+)\(", source())) & set(SCOPES_BY_METHOD)
    needed = {"commands"}.union(*(SCOPES_BY_METHOD[m] for m in called))
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_the_manifest_lists_exactly_the_slash_commands_the_app_listens_to() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "handlers").glob("*.py"))
    listened = set(re.findall(r'@slash\("(/[a-z]+)"\)', text))
    listened |= {f"/{name}" for name in re.findall(r'\bsimple\("([a-z]+)"', text)}
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert listened and declared == listened


def test_every_manifest_url_points_at_the_one_slack_endpoint() -> None:
    m = manifest()
    urls = [c["url"] for c in m["features"]["slash_commands"]]
    urls += [m["settings"]["event_subscriptions"]["request_url"],
             m["settings"]["interactivity"]["request_url"]]
    assert {u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1] for u in urls} == {"slack/events"}


def test_env_example_names_every_variable_of_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Environment"):]
    table = table[:table.index("\n## ", 5)]
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", table))
    example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(),
                             re.MULTILINE))
    assert named and named <= example, f"missing in .env.example: {sorted(named - example)}"
