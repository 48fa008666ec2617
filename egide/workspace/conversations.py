"""Conversations like every assistant, on top of the one pipeline.

A conversation is a sealed title and its turns. A turn is a request (:mod:`egide.store.requests`)
that keeps its answer, sealed, instead of making a draft: a quick question is an answer, and the
agent keeps one as a draft when they choose to (then it is validated and exported like any
draft). An **exchange** is a question and every answer to it: the first one, then each
regeneration (same texts, same or another model) and each rewriting (shorter, more formal,
simpler, translated); the latest answered one is the exchange's current answer, the one that
later questions carry as context.

Nothing here decides what a model may receive: every new turn is a request whose preview the
agent sees (:meth:`Workspace.preview`) and that :meth:`Workspace.start` sends through the
pipeline. The one shortcut — regenerating without a new preview — is taken only when the texts
are exactly those of an earlier answer of the exchange (same digest, which the pipeline checks
again in any case).
"""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from egide.models.base import Message
from egide.store.conversations import Conversation, ConversationNotFoundError, ConversationStore
from egide.store.drafts import DraftRecord
from egide.store.errors import DraftNotFoundError, NotFoundError, StoreError
from egide.store.requests import RequestStatus, WorkRequest
from egide.store.uploads import UploadRecord
from egide.tasks.rewrite import LANGUAGES, STYLES
from egide.workspace.textsearch import Needle

if TYPE_CHECKING:
    from egide.workspace.service import Workspace

__all__ = [
    "HISTORY_EXCHANGES",
    "MAX_DOCUMENTS",
    "Conversations",
    "Exchange",
    "Found",
    "NothingToRewrite",
    "Version",
    "question_title",
]

# Follow-up questions carry the last exchanges of their conversation (scanned like the rest).
HISTORY_EXCHANGES = 4
MAX_DOCUMENTS = 10
_TITLE_CHARS = 80


def question_title(question: str) -> str:
    words = " ".join(question.split())
    return words if len(words) <= _TITLE_CHARS else words[: _TITLE_CHARS - 1].rstrip() + "…"


class NothingToRewrite(StoreError):
    """The exchange has no answer yet: nothing to keep, edit, reformulate or translate."""


@dataclass(frozen=True)
class Version:
    """One answer (or a request for one) of an exchange."""

    turn: WorkRequest
    answer: str | None  # None until answered

    @property
    def label(self) -> str:
        task, options = self.turn.task, self.turn.options
        if task == "reformulate":
            return STYLES.get(str(options.get("style")), ("Reformulation", ""))[0]
        if task == "translate":
            return f"Traduction en {LANGUAGES.get(str(options.get('langue')), '?')}"
        return "Nouvelle réponse" if self.turn.variant_of else "Réponse"

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def waiting(self) -> bool:
        """Created, not answered: its preview waits for the agent (or it failed, was refused)."""
        return self.turn.status is not RequestStatus.SENT


@dataclass(frozen=True)
class Exchange:
    root: WorkRequest
    versions: tuple[Version, ...]  # the first turn first, then in the order asked

    @property
    def id(self) -> str:
        return self.root.id

    @property
    def current(self) -> Version | None:
        answered = [v for v in self.versions if v.answered]
        return answered[-1] if answered else None

    @property
    def earlier(self) -> tuple[Version, ...]:
        current = self.current
        return tuple(v for v in self.versions if v.answered and v is not current)

    @property
    def waiting(self) -> tuple[Version, ...]:
        return tuple(v for v in self.versions if v.waiting)


@dataclass(frozen=True)
class Found:
    conversation: Conversation
    snippet: str  # empty when the title matched


class Conversations:
    """Every agent's conversations; each method is scoped to one owner."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    @property
    def store(self) -> ConversationStore:
        return ConversationStore(self._workspace.store)

    # -- reading ----------------------------------------------------------------------------

    def get(self, conversation_id: str, *, owner: str) -> Conversation:
        try:
            return self.store.get(conversation_id, owner=owner)
        except ConversationNotFoundError:
            # Turns asked before conversations had their own row (migration 0009) are adopted.
            turns = self._workspace.requests.conversation(conversation_id, owner=owner)
            if not turns:
                raise
            first = turns[0]
            return self.store.create(
                owner, first.title, conversation_id=conversation_id, now=first.created_at
            )

    def list(
        self, owner: str, *, limit: int | None = None, offset: int = 0
    ) -> builtins.list[Conversation]:
        store = self.store
        for orphan in self._workspace.requests.conversations_without_row(owner, store.ids(owner)):
            with contextlib.suppress(NotFoundError):
                self.get(orphan, owner=owner)
        return store.list(owner, limit=limit, offset=offset)

    def exchanges(self, conversation_id: str, *, owner: str) -> builtins.list[Exchange]:
        turns = self._workspace.requests.conversation(conversation_id, owner=owner)
        return self._group(turns)

    def _group(self, turns: Sequence[WorkRequest]) -> builtins.list[Exchange]:
        roots = [t for t in turns if t.variant_of is None]
        ids = {t.id for t in roots}
        versions: dict[str, list[Version]] = {t.id: [] for t in roots}
        for turn in turns:
            key = turn.variant_of if turn.variant_of in ids else turn.id
            if key not in versions:  # its exchange was deleted: it stands alone
                roots.append(turn)
                versions[key] = []
            versions[key].append(Version(turn, self._answer_of(turn)))
        return [Exchange(root, tuple(versions[root.id])) for root in roots]

    def _answer_of(self, turn: WorkRequest) -> str | None:
        if turn.answer is not None:
            return turn.answer
        if turn.status is RequestStatus.SENT and turn.draft_id:
            # Before conversations kept their answers, a turn's answer was its draft.
            try:
                return self._workspace.drafts.get(turn.draft_id, owner=turn.owner).content
            except DraftNotFoundError:
                return ""
        return None

    def exchange(self, conversation_id: str, exchange_id: str, *, owner: str) -> Exchange:
        for exchange in self.exchanges(conversation_id, owner=owner):
            if exchange.id == exchange_id:
                return exchange
        raise ConversationNotFoundError(
            "échange introuvable : il a peut-être été supprimé ou a dépassé la durée de "
            "conservation"
        )

    def documents(self, conversation_id: str, *, owner: str) -> builtins.list[UploadRecord]:
        """The documents of the conversation (those sent with its latest question)."""
        ids = self._document_ids(
            self._workspace.requests.conversation(conversation_id, owner=owner)
        )
        uploads = self._workspace.uploads
        found = []
        for document_id in ids:
            with contextlib.suppress(NotFoundError):
                found.extend(uploads.get_many([document_id], owner=owner))
        return found

    @staticmethod
    def _document_ids(turns: Sequence[WorkRequest]) -> builtins.list[str]:
        ids: builtins.list[str] = []
        for turn in turns:
            if turn.task == "chat":
                ids.extend(i for i in turn.document_ids if i not in ids)
        return ids

    def history(self, request: WorkRequest) -> tuple[Message, ...]:
        """What a question of a conversation carries: the earlier exchanges, each with its
        current answer (the agent's correction, when they made one)."""
        if request.task != "chat" or request.conversation_id is None:
            return ()
        turns = self._workspace.requests.conversation(request.conversation_id, owner=request.owner)
        anchor = request.variant_of or request.id
        exchanges = self._group(turns)
        position = next((i for i, e in enumerate(exchanges) if e.id == anchor), len(exchanges))
        messages: builtins.list[Message] = []
        for exchange in exchanges[:position][-HISTORY_EXCHANGES:]:
            current = exchange.current
            if current is None:
                continue
            messages.append(Message("user", exchange.root.prompt))
            if current.answer:
                messages.append(Message("assistant", current.answer))
        return tuple(messages)

    # -- asking -----------------------------------------------------------------------------

    def start(
        self, owner: str, *, question: str, documents: Sequence[UploadRecord] = ()
    ) -> WorkRequest:
        conversation = self.store.create(owner, question_title(question))
        return self._ask(owner, conversation.id, question, [d.id for d in documents])

    def follow_up(
        self,
        owner: str,
        conversation_id: str,
        *,
        question: str,
        documents: Sequence[UploadRecord] = (),
    ) -> WorkRequest:
        self.get(conversation_id, owner=owner)
        turns = self._workspace.requests.conversation(conversation_id, owner=owner)
        ids = self._document_ids(turns)
        ids.extend(d.id for d in documents if d.id not in ids)
        return self._ask(owner, conversation_id, question, ids)

    def _ask(
        self, owner: str, conversation_id: str, question: str, document_ids: Sequence[str]
    ) -> WorkRequest:
        turn = self._workspace.requests.create(
            owner,
            task="chat",
            title=question_title(question),
            prompt=question,
            document_ids=document_ids,
            conversation_id=conversation_id,
        )
        self.touch(conversation_id, owner=owner)
        return turn

    def regenerate(
        self, conversation_id: str, exchange_id: str, *, owner: str
    ) -> tuple[WorkRequest, bool]:
        """A new answer to the same question; True when the texts are exactly those of an
        earlier answer of the exchange (sent after the agent saw them), so that it may go
        without a new preview."""
        exchange = self.exchange(conversation_id, exchange_id, owner=owner)
        root = exchange.root
        turn = self._workspace.requests.create(
            owner,
            task="chat",
            title=root.title,
            prompt=root.prompt,
            document_ids=root.document_ids,
            conversation_id=conversation_id,
            options={"variant_of": root.id},
        )
        shown = self._workspace.preview(turn)
        sent = {
            v.turn.sent_digest
            for v in exchange.versions
            if v.turn.task == "chat" and v.turn.status is RequestStatus.SENT
        }
        if shown.preview.digest not in sent:
            return turn, False
        # The agent saw these very texts when they sent an earlier answer of this exchange.
        self._workspace.seen(turn, shown)
        return self._workspace.requests.get(turn.id, owner=owner), True

    def rewrite(
        self, conversation_id: str, exchange_id: str, *, owner: str, task: str, option: str
    ) -> WorkRequest:
        """Ask for the current answer shorter, more formal, simpler, or translated: the answer
        becomes the text sent, previewed like any other."""
        if task == "reformulate" and option in STYLES:
            key, label = "style", STYLES[option][0]
        elif task == "translate" and option in LANGUAGES:
            key, label = "langue", f"Traduction en {LANGUAGES[option]}"
        else:
            raise ValueError(f"{task}: {option}")
        exchange = self.exchange(conversation_id, exchange_id, owner=owner)
        current = self._current(exchange)
        return self._workspace.requests.create(
            owner,
            task=task,
            title=f"{label} — {exchange.root.title}",
            prompt=current.answer or "",
            conversation_id=conversation_id,
            options={"variant_of": exchange.root.id, "source": current.turn.id, key: option},
        )

    @staticmethod
    def _current(exchange: Exchange) -> Version:
        current = exchange.current
        if current is None or not current.answer:
            raise NothingToRewrite("cette question n'a pas encore de réponse")
        return current

    # -- after the model answered -----------------------------------------------------------

    def touch(self, conversation_id: str, *, owner: str) -> None:
        with contextlib.suppress(NotFoundError):
            self.store.touch(conversation_id, owner=owner)

    # -- what the agent does with an answer -------------------------------------------------

    def edit_answer(
        self, conversation_id: str, exchange_id: str, *, owner: str, answer: str
    ) -> WorkRequest:
        current = self._current(self.exchange(conversation_id, exchange_id, owner=owner))
        return self._workspace.requests.edit_answer(current.turn.id, owner=owner, answer=answer)

    def keep(self, conversation_id: str, exchange_id: str, *, owner: str) -> DraftRecord:
        """The current answer as a draft (once: keeping it again opens the same draft)."""
        exchange = self.exchange(conversation_id, exchange_id, owner=owner)
        current = self._current(exchange)
        workspace, turn = self._workspace, current.turn
        drafts = workspace.drafts
        if turn.draft_id:
            with contextlib.suppress(DraftNotFoundError):
                return drafts.get(turn.draft_id, owner=owner)
        names = [d.name for d in self.documents(conversation_id, owner=owner)]
        draft = drafts.create(
            owner=owner,
            task=turn.task,
            model=turn.model or "?",
            tier=turn.tier or "interne",
            level=turn.level or "personnel",
            title=exchange.root.title,
            content=current.answer or "",
            source_name=", ".join(names) or None,
            conversation_id=conversation_id,
        )
        try:
            workspace.audit.append(
                user=owner,
                action="draft_saved",
                model=draft.model,
                tier=draft.tier,
                level=draft.level,
                extra={"draft": draft.id, "task": draft.task},
            )
        except BaseException:
            drafts.delete(draft.id, owner)  # no draft that the audit trail does not show
            raise
        workspace.requests.link_draft(turn.id, owner=owner, draft_id=draft.id)
        return draft

    # -- the list ---------------------------------------------------------------------------

    def rename(self, conversation_id: str, *, owner: str, title: str) -> None:
        self.get(conversation_id, owner=owner)
        self.store.rename(conversation_id, owner=owner, title=title)

    def delete(self, conversation_id: str, *, owner: str) -> int:
        """Delete a conversation, its turns, and its documents that nothing else uses; the
        drafts the agent kept stay. Returns how many turns went."""
        self.get(conversation_id, owner=owner)
        workspace = self._workspace
        turns = workspace.requests.delete_conversation(conversation_id, owner=owner)
        self.store.delete(conversation_id, owner=owner)
        for turn in turns:
            workspace.forget(turn.id, owner)
        ids = {i for turn in turns for i in turn.document_ids}
        in_use = workspace.requests.documents_in_use(sorted(ids), owner=owner)
        workspace.uploads.delete(sorted(ids - in_use), owner=owner)
        return len(turns)

    def search(self, owner: str, query: str, *, limit: int = 100) -> builtins.list[Found]:
        """Conversations whose title, questions or answers hold ``query`` (case, accents,
        apostrophes and spacing ignored), most recently active first. Decrypts the owner's
        own conversations only."""
        needle = Needle(query)
        conversations = self.list(owner)
        if not needle:
            return [Found(c, "") for c in conversations[:limit]]
        snippets: dict[str, str] = {c.id: "" for c in conversations if needle.found_in(c.title)}
        for conversation_id, question, answer in self._workspace.requests.conversation_texts(owner):
            if conversation_id in snippets:
                continue
            for text in (question, answer):
                snippet = needle.snippet(text)
                if snippet is not None:
                    snippets[conversation_id] = snippet
                    break
        found = [Found(c, snippets[c.id]) for c in conversations if c.id in snippets]
        return found[:limit]
