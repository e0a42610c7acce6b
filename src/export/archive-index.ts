/** The shape of `Portability/archive_browser.json`: what is in the archive, where, and how much. */
export interface ArchiveIndex {
  archiveJobId: string;
  exportTime: string;
  startTime?: string;
  endTime?: string;
  generator: string;
  /** How many ZIP parts the archive has; `part` in each file is 1-based. */
  parts: number;
  services: {
    resourceGroup: string;
    /** The product folder, e.g. "My Activity". */
    name: string;
    files: IndexedFile[];
    records: number;
    sizeBytes: number;
  }[];
  totals: { files: number; records: number; sizeBytes: number };
}

export interface IndexedFile {
  path: string;
  part: number;
  /**
   * How the file is written: a record format (`json-object` also for a list wrapped in an object, such as
   * GeoJSON), or `bytes` for files copied as they are.
   */
  format: 'json-array' | 'ndjson' | 'csv' | 'json-object' | 'bytes';
  /** Uncompressed size. */
  sizeBytes: number;
  /**
   * Records written, for record files (CSV header rows excluded), and for bytes files that are lists in a
   * format of their own (bookmarks in a bookmark file); absent for media.
   */
  records?: number;
  /** For a JSON object file whose records are one list in it (GeoJSON `features`), that list's key. */
  listKey?: string;
}
