"""Re-encryption of the store after a key rotation, as a job of the deployment's queue.

``egide keys reencrypt --file`` queues ``cles.rechiffrer``; an ``egide worker`` runs it in
batches with pauses that leave room to the service, one at a time for the whole deployment
(the job's lock). The pass is resumable at any point — each batch is committed — so a worker
that stops hands the rest to the next one, which finds only what is still under an old key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from egide.jobs.context import JobContext, JobInterrupted
from egide.jobs.registry import register_job

__all__ = ["REKEY_JOB"]

REKEY_JOB = "cles.rechiffrer"


@register_job(REKEY_JOB, queue="entretien", lock=lambda _payload: REKEY_JOB, max_attempts=3)
def rekey(context: JobContext, payload: Mapping[str, Any]) -> None:
    from egide.store.rekey import reencrypt

    store = context.runtime.store
    report = reencrypt(
        store,
        batch=int(payload.get("lot", 500)),
        pause_s=float(payload.get("pause_s", 0.05)),
        stop=context.should_stop,
    )
    # Counts and the key's fingerprint only: never a value, never key material.
    context.runtime.audit.append(
        user=str(payload.get("par", "egide")),
        action="keys_reencrypted",
        extra={
            "kind": "store",
            "key_id": store.cipher.key_id,
            "done": report.done,
            "unreadable": len(report.unreadable),
            "background": True,
            "complete": not report.stopped,
        },
    )
    if report.stopped:
        raise JobInterrupted(REKEY_JOB)
