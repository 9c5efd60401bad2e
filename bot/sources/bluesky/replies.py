"""Bluesky: threaded public replies (`app.bsky.feed.post` records) and Chat messages.

A reply record names its thread's root and its parent, each by URI and CID. The mention carries
only URIs, so `reply` reads the post once (`getPosts`): the post is the parent, and its own
`reply.root` (or the post itself, when it starts the thread) is the root. Reading it also
tells whether the thread still takes replies (a threadgate) before anything is posted.

Chat goes to the author's DID through the chat service: `getConvoForMembers` opens (or finds)
the one-to-one conversation, `sendMessage` posts into it. A customer who takes no messages from
us, or an app password without direct-message access, is told to the agent in the catalogue's
words (`source.private_closed`, `source.no_private`).
"""

from __future__ import annotations

from atproto_client import Client, models
from atproto_client.utils import facet_detection

from bot.models import Mention
from bot.sources.base import Posted, SourceError
from bot.sources.bluesky.errors import LABEL, bluesky_error, chat_error
from bot.sources.bluesky.length import GRAPHEME_LIMIT, reply_length
from bot.sources.bluesky.mentions import post_url
from bot.sources.bluesky.session import BlueskySession

POST = "app.bsky.feed.post"
StrongRef = models.ComAtprotoRepoStrongRef.Main


def reply_ref(post: models.AppBskyFeedDefs.PostView) -> models.AppBskyFeedPost.ReplyRef:
    """Root and parent of a reply to `post`: the post is the parent, its root stays the root."""
    parent = StrongRef(uri=post.uri, cid=post.cid)
    record = post.record
    if isinstance(record, models.AppBskyFeedPost.Record) and record.reply is not None:
        root = StrongRef(uri=record.reply.root.uri, cid=record.reply.root.cid)
    else:
        root = parent
    return models.AppBskyFeedPost.ReplyRef(root=root, parent=parent)


class BlueskyReplies:
    """The brand's Bluesky account: reply in the thread, write to the author in Chat."""

    network = "bluesky"

    def __init__(self, session: BlueskySession) -> None:
        self.session = session

    def reply(self, mention: Mention, text: str) -> Posted:
        """Post `text` as a reply to `mention` (`com.atproto.repo.createRecord`)."""
        length = reply_length(text)
        if length > GRAPHEME_LIMIT:
            raise SourceError(LABEL, "source.refused", detail=f"{length}/{GRAPHEME_LIMIT}")
        try:
            created = self.session.call(lambda client: self._post_reply(client, mention, text))
        except Exception as exc:  # the SDK's XRPC errors and httpx's transport errors
            raise bluesky_error(exc) from exc
        return Posted(created.uri, post_url(created.uri, self.session.handle))

    def _post_reply(self, client: Client, mention: Mention, text: str
                    ) -> models.ComAtprotoRepoCreateRecord.Response:
        found = client.app.bsky.feed.get_posts(models.AppBskyFeedGetPosts.Params(uris=[mention.id]))
        post = next((p for p in found.posts if p.uri == mention.id), None)
        if post is None:
            raise SourceError(LABEL, "source.refused", detail="post not found (deleted?)")
        if post.viewer is not None and post.viewer.reply_disabled:
            raise SourceError(LABEL, "source.refused", detail="replies to this thread are limited")
        record = models.AppBskyFeedPost.Record(
            text=text, created_at=client.get_current_time_iso(), reply=reply_ref(post),
            facets=client.detect_facets(text) or None)
        return client.com.atproto.repo.create_record(models.ComAtprotoRepoCreateRecord.Data(
            repo=self.session.did, collection=POST, record=record))

    def private_reply(self, mention: Mention, text: str) -> Posted:
        """A Chat message to the author; `source.private_closed` when they take none from us.

        Links in it are made clickable offline (no handle lookups through the chat proxy).
        """
        try:
            convo = self.session.call(lambda client: client.chat.bsky.convo.get_convo_for_members(
                models.ChatBskyConvoGetConvoForMembers.Params(members=[mention.author.id])),
                chat=True).convo
            sent = self.session.call(lambda client: client.chat.bsky.convo.send_message(
                models.ChatBskyConvoSendMessage.Data(
                    convo_id=convo.id, message=models.ChatBskyConvoDefs.MessageInput(
                        text=text, facets=facet_detection.detect_facets(text) or None))),
                chat=True)
        except Exception as exc:
            raise chat_error(exc) from exc
        return Posted(sent.id, f"https://bsky.app/messages/{convo.id}")
