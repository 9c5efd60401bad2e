"""Facebook (Graph API over httpx): comment replies."""

from __future__ import annotations

import httpx

from bot.errors import NetworkError
from bot.models import Mention
from bot.settings import Settings
from bot.sources.base import Posted


def make_http(settings: Settings) -> httpx.Client:
    """An httpx client for the Graph API at `FACEBOOK_GRAPH_URL`."""
    return httpx.Client(
        base_url=settings.facebook_graph_url.rstrip("/") + "/",
        timeout=httpx.Timeout(10.0, connect=5.0),
        headers={"Authorization": f"Bearer {settings.facebook_page_token}"},
    )


def _graph_error(resp: httpx.Response) -> str:
    try:
        err = resp.json().get("error", {})
        return str(err.get("message") or f"HTTP {resp.status_code}")
    except ValueError:
        return f"HTTP {resp.status_code}"


class FacebookSource:
    """The Facebook page: reply to a comment with `POST /{comment-id}/comments`."""

    network = "facebook"

    def __init__(self, http: httpx.Client, page_id: str) -> None:
        self.http = http
        self.page_id = page_id

    def reply_limit(self, text: str) -> tuple[int, int] | None:
        return len(text), 8000

    def _post(self, path: str, **kwargs: object) -> dict[str, object]:
        try:
            resp = self.http.post(path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise NetworkError("Facebook", f"not reachable ({type(exc).__name__})",
                               retryable=True) from exc
        if resp.status_code >= 400:
            raise NetworkError("Facebook", _graph_error(resp), retryable=resp.status_code >= 500)
        return dict(resp.json())

    def reply(self, mention: Mention, text: str) -> Posted:
        data = self._post(f"{mention.id}/comments", data={"message": text})
        return Posted(str(data["id"]))

    def poll(self) -> list[Mention]:
        return []
