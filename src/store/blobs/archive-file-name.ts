/**
 * `dataport-<job>-001.zip`: what the user's browser saves each part as, and the last segment of the part's
 * object key. Here, below both, because the jobs service names the download and the export worker the object.
 */
export function archiveFileName(job: { id: string }, partIndex: number, partCount: number): string {
  const suffix = partCount > 1 ? `-${String(partIndex + 1).padStart(3, '0')}` : '';
  return `dataport-${job.id.slice(0, 12)}${suffix}.zip`;
}
