import { ApiError } from "../api/client";

/** How long the desk follows a job before telling the clerk to come back later. */
export const JOB_WAIT_MS = 10 * 60 * 1000;

/**
 * A job a worker carries out (a city's ledger, a city's half-year figures): the answer to asking
 * for it, then its state fetched again until it is done or failed. A failed job throws its reason.
 */
export async function follow<T extends { state: string; error?: string | null }>(
  job: T, fetch: () => Promise<T>, late: string, failedMessage: string): Promise<T> {
  const started = Date.now();
  while (job.state === "queued" || job.state === "running") {
    if (Date.now() - started > JOB_WAIT_MS) throw new ApiError(0, "timeout", late);
    await new Promise((resolve) => setTimeout(resolve, 700));
    job = await fetch();
  }
  if (job.state === "failed") throw new ApiError(409, "job_failed", job.error || failedMessage);
  return job;
}
