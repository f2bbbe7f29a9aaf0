"""Background simulation and optimisation jobs as a Celery task (VIVIDO_RUN_DISPATCH=celery).

The task runs `run_simulation_job`, the very function the embedded thread pool runs: the
progress goes to the job's websocket through the channel layer (Redis), a Cancel asked in
any web process shows in the job's row, which the computation reads between chunks.

Like the runs' steps it is acknowledged only once it ended and given back to the broker when
the process running it dies (acks_late, reject_on_worker_lost): delivered again, it starts
the job over from nothing; a job already ended (succeeded, failed, cancelled) is not run
again. A job whose worker died altogether, and whose message the broker keeps for a while
(Redis: until its visibility timeout), is queued again by the sweep once it has given no
sign of life for VIVIDO_SIMULATION_LOST_SECONDS (`lost_jobs_resend`).
"""

from __future__ import annotations

from celery import Task

from designer.celery import app
from designer.simulations.jobs import run_simulation_job


@app.task(
    bind=True,
    name="simulations.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def run_job(self: Task, job_id: int) -> None:
    """Run the job to its end on this worker (Celery's Django fix-up closes stale database
    connections around each task). A message the broker gives back (its worker died) takes
    over the job it left running; any other runs only a queued job."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    run_simulation_job(job_id, restart=redelivered)
