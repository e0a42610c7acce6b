import { parentPort, workerData } from 'node:worker_threads';
import { createDataport } from './app.js';
import type { Config } from './config.js';
import { checkpointWal } from './store/index.js';
import type { FromWorkerThread, ToWorkerThread } from './worker-thread.js';

/**
 * How often the export thread checkpoints the WAL. The API thread's connection never does (a checkpoint
 * copies pages and fsyncs, which is what stalled requests); at 200 initiates/s the WAL grows by a few
 * hundred pages a second, so once a second keeps it small.
 */
const WAL_CHECKPOINT_INTERVAL_MS = 1000;

const port = parentPort!;
const post = (m: FromWorkerThread) => port.postMessage(m);
const { config } = workerData as { config: Config };

try {
  const dataport = await createDataport(config, { api: false, worker: true });
  const checkpoints = setInterval(() => {
    checkpointWal(dataport.db).catch((err: unknown) => dataport.logger.warn({ err }, 'WAL checkpoint failed'));
  }, WAL_CHECKPOINT_INTERVAL_MS);
  port.on('message', (m: ToWorkerThread) => {
    if (m.type === 'dispatched') dataport.wakeWorkers();
    else if (m.type === 'cancel') dataport.cancelLocal(m.jobId);
    else if (m.type === 'close') {
      clearInterval(checkpoints);
      dataport.close(m.deadlineMs).then(
        () => {
          post({ type: 'closed' });
          port.close();
        },
        (error: unknown) => {
          dataport.logger.error({ err: error }, 'export thread did not close cleanly');
          post({ type: 'closed' });
          port.close();
        },
      );
    }
  });
  await dataport.start();
  post({ type: 'started' });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
