import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./webhook-receiver.mjs', import.meta.url));

export interface ReceivedDelivery {
  verified: boolean;
  id: string | null;
  signatures?: number;
  error?: string;
  event?: { type: string; timestamp: string; data: Record<string, any> };
  raw?: { headers: Record<string, string>; body: string };
}

/** The receiver process (webhook-receiver.mjs) on `port`, verifying with `secret`. */
export async function startReceiver(port: number, secret: string): Promise<{ child: ChildProcess; received: ReceivedDelivery[]; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, PORT: String(port), WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] });
  const received: ReceivedDelivery[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      buffered += d;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if ('listening' in line) resolve();
        else received.push(line);
      }
    });
    child.on('exit', (code) => reject(new Error(`receiver exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    received,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls until `done()` holds; fails after `timeoutMs` with `describe()`. */
export async function waitFor(done: () => boolean | Promise<boolean>, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fast retries so "down for a while, then up" takes a second or two (the defaults retry for a day). */
export const FAST_WEBHOOKS = {
  DATAPORT_WEBHOOK_POLL: '50ms',
  DATAPORT_WEBHOOK_RETRY_FIRST: '100ms',
  DATAPORT_WEBHOOK_RETRY_MAX: '400ms',
  DATAPORT_WEBHOOK_TIMEOUT: '2s',
  DATAPORT_DEMO_RECORDS: '20',
  DATAPORT_DEMO_FAULTS: 'maps.reviews=fail:10,myactivity.shopping=slow:60000,chrome.bookmarks=slow:1500',
};
