import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The wire calls a Data Portability client makes, over plain HTTP (no client library in the timings). */

export async function initiate(url: string, token: string, resources: string[]): Promise<string> {
  const res = await fetch(`${url}/v1/portabilityArchive:initiate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ resources }),
  });
  const body = (await res.json()) as { archiveJobId?: string };
  if (!res.ok || !body.archiveJobId) throw new Error(`initiate failed: ${res.status} ${JSON.stringify(body)}`);
  return body.archiveJobId;
}

export interface ArchiveState {
  state: string;
  urls?: string[];
}

export async function getState(url: string, token: string, jobId: string): Promise<{ body: ArchiveState; text: string }> {
  const res = await fetch(`${url}/v1/archiveJobs/${jobId}/portabilityArchiveState`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`getPortabilityArchiveState failed: ${res.status} ${text}`);
  return { body: JSON.parse(text) as ArchiveState, text };
}

/** Polls every `intervalMs` until the job leaves IN_PROGRESS; throws unless it is COMPLETE. */
export async function waitComplete(url: string, token: string, jobId: string, intervalMs: number, timeoutMs: number): Promise<ArchiveState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getState(url, token, jobId);
    if (body.state === 'COMPLETE') return body;
    if (body.state !== 'IN_PROGRESS') throw new Error(`job ${jobId} ended ${body.state}`);
    if (Date.now() > deadline) throw new Error(`job ${jobId} still IN_PROGRESS after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function download(signedUrl: string, file: string): Promise<void> {
  const res = await fetch(signedUrl);
  if (!res.ok || !res.body) throw new Error(`download failed: ${res.status}`);
  await pipeline(Readable.fromWeb(res.body), createWriteStream(file));
}
